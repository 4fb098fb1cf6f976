"""The organisation's setting for the child's voice, mounted at /child-voice/."""

from django.urls import path

from . import views

app_name = "child_voice"
urlpatterns = [
    path("settings/", views.voice_settings, name="settings"),
]
