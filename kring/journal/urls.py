from django.urls import path

from . import views

app_name = "journal"
urlpatterns = [
    path("", views.journal, name="list"),
    path("new/", views.write, name="write"),
    path("<int:journal_entry_id>/correct/", views.correct, name="correct"),
]
