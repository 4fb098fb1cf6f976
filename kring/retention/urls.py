from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.index, name="index"),
    path("approve/", views.approve, name="approve"),
    path("requests/new/", views.new_request, name="new_request"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
]
