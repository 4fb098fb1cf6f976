"""The registration's REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "measures_api"
trajectory = "cases/<int:case_id>/trajectories/<int:trajectory_id>/"
urlpatterns = [
    path("instruments/", api.InstrumentListView.as_view(), name="instruments"),
    path("instruments/<str:code>/", api.InstrumentDetailView.as_view(), name="instrument"),
    path(trajectory + "registration/", api.RegistrationView.as_view(), name="registration"),
    path(trajectory + "outcomes/", api.OutcomeListView.as_view(), name="outcomes"),
    path(trajectory + "outcomes/<str:moment>/", api.OutcomeMomentView.as_view(), name="outcome"),
    path(trajectory + "administrations/", api.AdministrationListView.as_view(), name="administrations"),
    path(
        trajectory + "administrations/<int:administration_id>/",
        api.AdministrationDetailView.as_view(),
        name="administration",
    ),
]
