from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kring.core"
    label = "core"
    verbose_name = _("Kring core")

    def ready(self):
        # Registers the deployment checks (cache reachable, secret key, allowed hosts) with `check --deploy`.
        from . import checks  # noqa: F401
