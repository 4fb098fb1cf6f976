"""Registration pages, mounted at /cases/<pk>/registration/ (namespace ``measures``)."""

from django.urls import path

from . import views

app_name = "measures"
T = "<int:trajectory_id>/"

urlpatterns = [
    path("", views.registration_list, name="list"),
    path(T, views.registration, name="registration"),
    path(T + "characteristics/", views.characteristics, name="characteristics"),
    path(T + "outcomes/<str:moment>/", views.outcome, name="outcome"),
    path(T + "instruments/<str:instrument_code>/<str:mode>/", views.administration_add, name="administration_add"),
    path(T + "questionnaires/", views.questionnaire_request, name="questionnaire_request"),
    path(
        T + "administrations/<int:administration_id>/remove/", views.administration_remove, name="administration_remove"
    ),
]
