"""The organisation's safety alert settings, mounted at /safety-alerts/ (acknowledging an alert lives with the
plan pages of its case: ``plans:alert_acknowledge``)."""

from django.urls import path

from . import views

app_name = "safety_alerts"
urlpatterns = [
    path("settings/", views.alert_settings, name="settings"),
]
