"""The family's REST API, version 1 (mounted at /api/v1/)."""

app_name = "family_api"
urlpatterns: list = []
