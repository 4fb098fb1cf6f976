"""The retention REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "retention_api"
urlpatterns = [
    path("retention/periods/", api.PeriodListView.as_view(), name="periods"),
    path("retention/periods/<int:period_id>/", api.PeriodDetailView.as_view(), name="period"),
    path("retention/periods/<int:period_id>/extensions/", api.ExtensionView.as_view(), name="extensions"),
    path("retention/due/", api.DueView.as_view(), name="due"),
    path("retention/batches/", api.BatchView.as_view(), name="batches"),
    path("retention/requests/", api.RequestListView.as_view(), name="requests"),
    path("retention/requests/<int:request_id>/", api.RequestDetailView.as_view(), name="request"),
    path("retention/requests/<int:request_id>/decision/", api.DecisionView.as_view(), name="decision"),
    path("retention/requests/<int:request_id>/letter/", api.LetterView.as_view(), name="letter"),
]
