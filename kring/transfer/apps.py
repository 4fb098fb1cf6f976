from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "kring.transfer"
    label = "transfer"
    verbose_name = _("Transfer of a case")

    def ready(self):
        from kring.cases.sections import register_section

        # A button only: it costs the case page no query.
        register_section("transfer", 95, "transfer/case_section.html")
