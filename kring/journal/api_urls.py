"""The journal's REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "journal_api"
urlpatterns = [
    path("cases/<int:case_id>/journal/", api.JournalView.as_view(), name="journal"),
    path(
        "cases/<int:case_id>/journal/<int:journal_entry_id>/corrections/",
        api.CorrectionView.as_view(),
        name="corrections",
    ),
]
