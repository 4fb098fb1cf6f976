from django.urls import path

from . import views

app_name = "privacy"
R = "<int:request_id>/"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_request, name="new"),
    path(R, views.detail, name="detail"),
    path(R + "export/", views.produce, name="produce"),
    path(R + "extend/", views.extend, name="extend"),
    path(R + "close/", views.close, name="close"),
    path(R + "rectification/", views.rectify, name="rectify"),
    path(R + "withhold/", views.withhold, name="withhold"),
    path(R + "withheld/<int:item_id>/release/", views.release, name="release"),
    path(R + "answer.pdf", views.download_pdf, name="pdf"),
    path(R + "answer.zip", views.download_zip, name="zip"),
    path("rectifications/" + R, views.rectification, name="rectification"),
]
