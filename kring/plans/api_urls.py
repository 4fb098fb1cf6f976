"""The plans' REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "plans_api"
case = "cases/<int:case_id>/"
trajectory = case + "trajectories/<int:trajectory_id>/"
plan = case + "plans/<int:plan_id>/"
bottom_line = case + "bottom-lines/<int:bottom_line_id>/"
agreement = case + "agreements/<int:agreement_id>/"
urlpatterns = [
    path(trajectory + "bottom-lines/", api.BottomLineListView.as_view(), name="bottom_lines"),
    path(bottom_line, api.BottomLineDetailView.as_view(), name="bottom_line"),
    path(bottom_line + "withdraw/", api.BottomLineWithdrawView.as_view(), name="bottom_line_withdraw"),
    path(trajectory + "plan/", api.PlanView.as_view(), name="plan"),
    path(plan + "submit/", api.PlanSubmitView.as_view(), name="submit"),
    path(plan + "decision/", api.PlanDecisionView.as_view(), name="decision"),
    path(plan + "new-version/", api.PlanNewVersionView.as_view(), name="new_version"),
    path(plan + "agreements/", api.AgreementListView.as_view(), name="agreements"),
    path(agreement, api.AgreementDetailView.as_view(), name="agreement"),
    path(agreement + "reports/", api.AgreementReportView.as_view(), name="agreement_reports"),
    path(plan + "reviews/", api.ReviewListView.as_view(), name="reviews"),
    path(case + "reviews/<int:review_id>/hold/", api.ReviewHoldView.as_view(), name="review_hold"),
    path(plan + "links/", api.PersonalLinkListView.as_view(), name="links"),
]
