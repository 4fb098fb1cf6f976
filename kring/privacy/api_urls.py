"""The subject-access REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "privacy_api"
urlpatterns = [
    path("privacy/subject-access/", api.SubjectAccessListView.as_view(), name="subject_access"),
    path(
        "privacy/subject-access/<int:request_id>/", api.SubjectAccessDetailView.as_view(), name="subject_access_detail"
    ),
]
