"""The meetings' REST API, version 1 (mounted at /api/v1/)."""

from django.urls import path

from . import api

app_name = "meetings_api"
case = "cases/<int:case_id>/"
meeting = case + "meetings/<int:meeting_id>/"
urlpatterns = [
    path(case + "trajectories/<int:trajectory_id>/meetings/", api.MeetingListView.as_view(), name="meetings"),
    path(meeting, api.MeetingDetailView.as_view(), name="meeting"),
    path(meeting + "cancel/", api.MeetingCancelView.as_view(), name="cancel"),
    path(meeting + "invitations/", api.InvitationListView.as_view(), name="invitations"),
    path(meeting + "invitations/<int:invitation_id>/", api.InvitationDetailView.as_view(), name="invitation"),
    path(meeting + "attendance/", api.AttendanceView.as_view(), name="attendance"),
    path(meeting + "information/", api.ContributionListView.as_view(), name="information"),
    path(meeting + "preparation/", api.PreparationView.as_view(), name="preparation"),
    path(meeting + "preparation/questions/", api.QuestionView.as_view(), name="questions"),
    path(meeting + "preparation/questions/agree/", api.AgreeView.as_view(), name="agree"),
    path(meeting + "preparation/visits/", api.VisitView.as_view(), name="visits"),
    path(meeting + "preparation/logistics/", api.LogisticsView.as_view(), name="logistics"),
    path(meeting + "preparation/costs/", api.CostView.as_view(), name="costs"),
    path(meeting + "preparation/interpreters/", api.InterpreterView.as_view(), name="interpreters"),
]
