"""The family's own pages behind their personal link, mounted at /l/family/ (no account, no login)."""

app_name = "family_links"
urlpatterns: list = []
