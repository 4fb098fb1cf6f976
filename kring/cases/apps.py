from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kring.cases"
    label = "cases"
    verbose_name = _("Case files")

    def ready(self):
        # The consent rules are data (consent_rules.toml): a mistake in them stops the start, not a consent later.
        from .consent_rules import rules

        rules()

        from .confidentiality import case_marks
        from .sections import register_person_marks

        register_person_marks("confidentiality", case_marks)

        from .sections import register_section

        # Independent coordinators (decisions 240-249): refer the case to a coordinating office.
        register_section("coordination", 45, "cases/coordination/case_section.html")
