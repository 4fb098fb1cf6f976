"""Evaluation pages, mounted at /evaluation/ (namespace ``evaluation``)."""

from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report_request, name="report_request"),
    path("jobs/<int:job_id>/", views.job_page, name="job"),
    path("jobs/<int:job_id>/status/", views.job_status, name="job_status"),
    path("jobs/<int:job_id>/download/", views.job_download, name="job_download"),
    path("compare/", views.compare, name="compare"),
    path("compare/extract/", views.compare_extract, name="compare_extract"),
    path("projects/", views.projects, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:project_id>/extract/", views.extract_request, name="extract_request"),
    path("dictionary/", views.dictionary_page, name="dictionary"),
    path("dictionary.csv", views.dictionary_csv, name="dictionary_csv"),
    path("public/", views.public, name="public"),
]
