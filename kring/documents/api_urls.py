"""The documents' REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "documents_api"
case = "cases/<int:case_id>/"
document = case + "documents/<int:document_id>/"
urlpatterns = [
    path(case + "documents/", api.DocumentListView.as_view(), name="documents"),
    path(document, api.DocumentDetailView.as_view(), name="document"),
    path(document + "versions/", api.VersionListView.as_view(), name="versions"),
    path(document + "download/", api.DownloadView.as_view(), name="download"),
    path(
        document + "versions/<int:version_number>/download/", api.VersionDownloadView.as_view(), name="version_download"
    ),
]
