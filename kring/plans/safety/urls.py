"""Signs of Safety pages of a trajectory's safety plan, under /cases/<pk>/plans/<trajectory_id>/safety/: part of
the plan pages (namespace ``plans``, included by ``plans/urls.py``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:trajectory_id>/safety/", views.safety_view, name="safety"),
    path("<int:trajectory_id>/safety/map/new/", views.entry_add, name="safety_entry_add"),
    path("<int:trajectory_id>/safety/map/<int:entry_id>/", views.entry_edit, name="safety_entry"),
    path("<int:trajectory_id>/safety/map/<int:entry_id>/remove/", views.entry_remove, name="safety_entry_remove"),
    path("<int:trajectory_id>/safety/statements/new/", views.statement_add, name="safety_statement_add"),
    path("<int:trajectory_id>/safety/statements/<int:statement_id>/", views.statement_edit, name="safety_statement"),
    path(
        "<int:trajectory_id>/safety/statements/<int:statement_id>/remove/",
        views.statement_remove,
        name="safety_statement_remove",
    ),
    path("<int:trajectory_id>/safety/ratings/new/", views.rating_add, name="safety_rating_add"),
    path(
        "<int:trajectory_id>/safety/ratings/<int:rating_id>/remove/", views.rating_remove, name="safety_rating_remove"
    ),
    path("<int:trajectory_id>/safety/network/new/", views.network_add, name="safety_network_add"),
    path(
        "<int:trajectory_id>/safety/network/<int:member_id>/remove/", views.network_remove, name="safety_network_remove"
    ),
    path("<int:trajectory_id>/safety/attachments/new/", views.attachment_add, name="safety_attachment_add"),
    path(
        "<int:trajectory_id>/safety/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="safety_attachment",
    ),
    path(
        "<int:trajectory_id>/safety/attachments/<int:attachment_id>/sharing/",
        views.attachment_sharing,
        name="safety_attachment_sharing",
    ),
    path(
        "<int:trajectory_id>/safety/attachments/<int:attachment_id>/remove/",
        views.attachment_remove,
        name="safety_attachment_remove",
    ),
]
