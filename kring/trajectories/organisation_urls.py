"""Organisation-wide settings of the trajectory stage, mounted at /organisation/."""

from django.urls import path

from . import views

app_name = "organisation"
urlpatterns = [
    path("durations/", views.durations, name="durations"),
]
