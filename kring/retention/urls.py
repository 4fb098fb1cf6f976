from django.urls import path

from . import views

app_name = "retention"
urlpatterns = [
    path("", views.index, name="index"),
    path("approve/", views.approve, name="approve"),
    path("files/", views.find_file, name="find"),
    path("periods/<int:period_id>/", views.period_detail, name="period"),
    path("requests/new/", views.new_request, name="new_request"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
    path("requests/<int:request_id>/letter/", views.request_letter, name="letter"),
]
