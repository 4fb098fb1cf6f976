"""The network member's pages behind a personal link, mounted at /l/ (no account, no login)."""
app_name = "plan_links"
urlpatterns = []
