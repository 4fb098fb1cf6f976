from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrajectoriesConfig(AppConfig):
    name = "kring.trajectories"
    label = "trajectories"
    verbose_name = _("Trajectories")

    def ready(self):
        # The case page (cases) shows this stage's section without naming it.
        from kring.cases.sections import register_section

        register_section("trajectories", 30, "trajectories/case_section.html")

        # The work lists and the reminder scan (worklists) gather what this stage has due.
        from .due import register_due_source
        from .due_phases import legal_reminders, legal_steps, phase_reminders, phase_steps

        register_due_source("phases", 10, steps=phase_steps, reminders=phase_reminders)
        register_due_source("legal deadlines", 20, steps=legal_steps, reminders=legal_reminders)
