"""Questionnaires behind a network member's personal link, mounted at /l/ beside the plan's link pages."""

from django.urls import path

from . import views_links

app_name = "questionnaire_links"
urlpatterns = [
    path("<str:token>/questionnaires/<int:request_id>/", views_links.questionnaire, name="questionnaire"),
]
