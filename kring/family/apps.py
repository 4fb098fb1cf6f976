from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamilyConfig(AppConfig):
    name = "kring.family"
    label = "family"
    verbose_name = _("The family's side")

    def ready(self):
        # The case page (cases) and the plan page and PDF (plans) show this stage without naming it.
        from kring.cases.sections import register_section
        from kring.plans.panels import register_plan_panel

        from .panels import plan_panel

        register_section("family", 56, "family/case_section.html")
        register_plan_panel(
            "family_agreement",
            20,
            {"page": "family/plan_panel.html", "document": "family/plan_document_{lang}.html"},
            plan_panel,
        )
