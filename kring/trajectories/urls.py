"""Pages of a case's trajectories, mounted at /cases/<pk>/trajectories/."""

from django.urls import path

from . import views

app_name = "trajectories"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("selector/", views.selector, name="selector"),
    path("selector/<int:run_id>/", views.selector_run, name="selector_run"),
    path("offer/", views.offer, name="offer"),
    path("law/", views.legal, name="legal"),
    path("<int:trajectory_id>/", views.detail, name="detail"),
    path("<int:trajectory_id>/status/", views.change_status, name="status"),
    path("<int:trajectory_id>/phase/", views.advance_phase, name="advance_phase"),
    path("<int:trajectory_id>/coordinator/", views.allocate_coordinator, name="coordinator"),
]
