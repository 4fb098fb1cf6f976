from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class MethodsConfig(AppConfig):
    name = "kring.methods"
    label = "methods"
    verbose_name = _("Methods")

    def ready(self):
        # A broken method definition must stop Kring before anyone works with it.
        from .catalogue import check_definitions

        problems = check_definitions()
        if problems:
            raise ImproperlyConfigured("Method definitions are invalid:\n  " + "\n  ".join(problems))
