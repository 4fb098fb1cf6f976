from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "kring.meetings"
    label = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # The case page (cases) shows this stage's section without naming it.
        from kring.cases.sections import register_section

        register_section("meetings", 40, "meetings/case_section.html")

        # The work lists and the reminder scan (worklists) gather what this stage has due.
        from kring.trajectories.due import register_due_source

        from .due import meeting_reminders, meeting_steps

        register_due_source("meetings", 30, steps=meeting_steps, reminders=meeting_reminders)
