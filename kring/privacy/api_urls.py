"""The subject-access REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "privacy_api"
R = "privacy/subject-access/<int:request_id>/"
F = "privacy/rectifications/<int:rectification_id>/"
urlpatterns = [
    path("privacy/subject-access/", api.SubjectAccessListView.as_view(), name="subject_access"),
    path(R, api.SubjectAccessDetailView.as_view(), name="subject_access_detail"),
    path(R + "extend/", api.SubjectAccessExtendView.as_view(), name="subject_access_extend"),
    path(R + "outcome/", api.SubjectAccessOutcomeView.as_view(), name="subject_access_outcome"),
    path(R + "items/", api.SubjectAccessItemsView.as_view(), name="subject_access_items"),
    path(R + "withheld/", api.SubjectAccessWithholdView.as_view(), name="subject_access_withhold"),
    path(R + "withheld/<int:item_id>/", api.SubjectAccessReleaseView.as_view(), name="subject_access_release"),
    path(R + "export/", api.SubjectAccessProduceView.as_view(), name="subject_access_produce"),
    path(R + "export/answer.pdf", api.SubjectAccessPdfView.as_view(), name="subject_access_pdf"),
    path(R + "export/answer.zip", api.SubjectAccessZipView.as_view(), name="subject_access_zip"),
    path("privacy/rectifications/", api.RectificationListView.as_view(), name="rectifications"),
    path(F, api.RectificationDetailView.as_view(), name="rectification_detail"),
    path(F + "decision/", api.RectificationDecisionView.as_view(), name="rectification_decide"),
]
