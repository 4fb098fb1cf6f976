from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "kring.retention"
    label = "retention"
    verbose_name = _("Retention and destruction")

    def ready(self):
        from kring.cases.choices import LEGAL_CONTEXTS_BY_JURISDICTION
        from kring.cases.sections import register_section

        from . import closing
        from .rules import check_rules

        # Broken retention rules must stop Kring before a case is closed under them.
        contexts = {str(j): [c.value for c in cs] for j, cs in LEGAL_CONTEXTS_BY_JURISDICTION.items()}
        problems = check_rules(contexts)
        if problems:
            raise ImproperlyConfigured("Retention rules are invalid:\n  " + "\n  ".join(problems))
        closing.connect()
        register_section(
            "retention", 90, "retention/case_retention.html", context=closing.section_context, place="status"
        )
