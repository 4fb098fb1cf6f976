from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kring.audit"
    label = "audit"
    verbose_name = _("Access log")

    def ready(self):
        # Connects the entries of what the accounts app reports (admin changes, refused sessions).
        from . import receivers  # noqa: F401
