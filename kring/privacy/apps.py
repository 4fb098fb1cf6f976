from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "kring.privacy"
    label = "privacy"
    verbose_name = _("Subject access")

    def ready(self):
        # A rectification request and its answer are shown beside the journal entry they concern.
        from kring.journal.beside import register_beside_entries

        from .queries import rectifications_beside_entries

        register_beside_entries("privacy", "privacy/_beside_entry.html", rectifications_beside_entries)
