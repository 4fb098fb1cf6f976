from django.urls import path

from . import views as worklist_views

app_name = "worklists"
urlpatterns = [
    path("", worklist_views.my_work, name="mine"),
    path("reminders/read/", worklist_views.mark_read, name="mark_read"),
    path("team/<int:team_id>/", worklist_views.team, name="team"),
    path("reminder-settings/", worklist_views.reminder_settings, name="reminder_settings"),
]
