from django.urls import path

from . import views

app_name = "methods"
urlpatterns = [
    path("", views.guide, name="guide"),
    path("<slug:code>/", views.method, name="method"),
]
