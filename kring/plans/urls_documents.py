"""The plan's documents (PDF), part of the plan pages at /cases/<pk>/plans/ (namespace ``plans``)."""

from django.urls import path

from . import views_documents as views

urlpatterns = [
    path("<int:trajectory_id>/plan.pdf", views.document_plan, name="document_plan"),
    path("<int:trajectory_id>/member/<int:person_id>.pdf", views.document_member, name="document_member"),
    path("<int:trajectory_id>/bottom-lines.pdf", views.document_bottom_lines, name="document_bottom_lines"),
]
