from django.urls import path

from . import views

app_name = "coordination"
urlpatterns = [
    path("", views.office, name="office"),
    path("pool/", views.pool, name="pool"),
    path("invoice.csv", views.invoice, name="invoice"),
    path("hours/", views.hours, name="hours"),
]
