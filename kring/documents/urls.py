"""Document pages, mounted at /cases/<pk>/documents/."""

from django.urls import path

from . import views

app_name = "documents"
document = "<int:document_id>/"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_add, name="add"),
    path(document, views.document_detail, name="detail"),
    path(document + "edit/", views.document_edit, name="edit"),
    path(document + "versions/", views.version_add, name="version_add"),
    path(document + "remove/", views.document_remove, name="remove"),
    path(document + "download/", views.download, name="download"),
    path(document + "versions/<int:version_number>/download/", views.download, name="version_download"),
]
