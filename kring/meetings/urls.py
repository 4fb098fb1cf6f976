"""Meeting pages, mounted at /cases/<pk>/meetings/."""

from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/<int:trajectory_id>/", views.meeting_create, name="create"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/edit/", views.meeting_edit, name="edit"),
    path("<int:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:meeting_id>/reinvite/", views.reinvite, name="reinvite"),
    path("<int:meeting_id>/parts/", views.part_add, name="part_add"),
    path("<int:meeting_id>/invite/", views.invite, name="invite"),
    path("<int:meeting_id>/invitations/<int:invitation_id>/", views.invitation_edit, name="invitation"),
    path(
        "<int:meeting_id>/invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<int:meeting_id>/invitations/<int:invitation_id>/letter.pdf", views.letter, name="letter"),
    path("<int:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("<int:meeting_id>/information/", views.contribution_add, name="contribution"),
    path(
        "<int:meeting_id>/information/<int:contribution_id>/share/", views.contribution_share, name="contribution_share"
    ),
    path("<int:meeting_id>/calendar.ics", views.calendar_file, name="calendar"),
    path("<int:meeting_id>/preparation/", views.preparation, name="preparation"),
]
