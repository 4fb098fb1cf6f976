"""The evaluation stage's REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "evaluation_api"
urlpatterns = [
    path("indicators/", api.IndicatorsView.as_view(), name="indicators"),
    path("effects/", api.CompareView.as_view(), name="effects"),
    path("reports/", api.ReportRequestView.as_view(), name="reports"),
    path("evaluation-jobs/<int:job_id>/", api.JobView.as_view(), name="job"),
    path("evaluation-jobs/<int:job_id>/download/", api.JobDownloadView.as_view(), name="job_download"),
    path("research-projects/", api.ProjectListView.as_view(), name="projects"),
    path("research-projects/<int:project_id>/extracts/", api.ExtractRequestView.as_view(), name="extracts"),
    path("data-dictionary/", api.DictionaryView.as_view(), name="dictionary"),
]
