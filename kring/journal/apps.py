from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "kring.journal"
    label = "journal"
    verbose_name = _("Case journal")

    def ready(self):
        # The case page and the case's history (cases) show the journal without naming it.
        from kring.cases.history_sources import register_history_source
        from kring.cases.sections import register_section

        from .queries import history_of_journal

        register_section("journal", 15, "journal/case_section.html")
        register_history_source("journal", history_of_journal)
