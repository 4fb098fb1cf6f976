"""The REST API of methods, the selector and trajectories, version 1 (mounted at /api/v1/ beside the cases API)."""

from django.urls import path

from . import api

app_name = "trajectories_api"
case = "cases/<int:case_id>/"
trajectory = case + "trajectories/<int:trajectory_id>/"
urlpatterns = [
    path("methods/", api.MethodListView.as_view(), name="methods"),
    path("methods/<slug:code>/", api.MethodDetailView.as_view(), name="method"),
    path(case + "selector-runs/", api.SelectorRunListView.as_view(), name="selector_runs"),
    path(case + "selector-runs/<int:run_id>/", api.SelectorRunDetailView.as_view(), name="selector_run"),
    path(case + "selector-runs/<int:run_id>/choice/", api.SelectorChoiceView.as_view(), name="selector_choice"),
    path(case + "trajectories/", api.TrajectoryListView.as_view(), name="trajectories"),
    path(trajectory, api.TrajectoryDetailView.as_view(), name="trajectory"),
    path(trajectory + "transitions/", api.TrajectoryTransitionView.as_view(), name="transitions"),
    path(trajectory + "advance-phase/", api.TrajectoryAdvancePhaseView.as_view(), name="advance_phase"),
    path(trajectory + "coordinator/", api.TrajectoryCoordinatorView.as_view(), name="coordinator"),
    path(case + "family-plan-right/", api.FamilyPlanRightView.as_view(), name="family_plan_right"),
    path(case + "strengths-exploration/", api.StrengthsExplorationView.as_view(), name="strengths_exploration"),
]
