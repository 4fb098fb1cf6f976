"""The network member's pages behind a personal link, mounted at /l/ (no account, no login)."""

from django.urls import path

from . import views

app_name = "plan_links"
urlpatterns = [
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/agreements/<int:agreement_id>/confirm/", views.confirm, name="confirm"),
    path("<str:token>/agreements/<int:agreement_id>/report/", views.report, name="report"),
    path("<str:token>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
