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
        # What the method expects next and the consents it needs, under the case page's buttons.
        from .next_step import case_section_context

        register_section("next_step", 10, "plans/case_status.html", case_section_context, place="status")

        # Open safety alerts, unmissable at the top of the case page and the caseload.
        from kring.cases.sections import register_banner

        from .alerts.views import case_banner

        register_banner("safety_alerts", "plans/alerts/_banner.html", case_banner)

        # A child invited to a meeting under the organisation's age without a child advocate or trusted person.
        from .voice.views import case_banner as advocate_banner

        # At the invitation (the meeting's pages) rather than on the case page, whose query budget it would exceed;
        # the plan page and the child's page show it too (decision 262).
        register_banner("child_advocate", "plans/voice/_banner.html", advocate_banner, places=("meeting",))

        # The work lists and the reminder scan (worklists) gather what this stage has due.
        from kring.trajectories.due import register_due_source

        from .due import plan_reminders, plan_steps

        register_due_source("plans", 40, steps=plan_steps, reminders=plan_reminders)
