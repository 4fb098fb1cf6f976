from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "kring.plans"
    label = "plans"
    verbose_name = _("Plans")

    def ready(self):
        # The case page (cases) shows this stage's section without naming it.
        from kring.cases.sections import register_section

        register_section("plans", 50, "plans/case_section.html")

        # The work lists and the reminder scan (worklists) gather what this stage has due.
        from kring.trajectories.due import register_due_source

        from .due import plan_reminders, plan_steps

        register_due_source("plans", 40, steps=plan_steps, reminders=plan_reminders)
