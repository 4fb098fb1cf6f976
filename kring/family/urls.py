"""The case team's family pages, mounted at /cases/<pk>/family/."""

app_name = "family"
urlpatterns: list = []
