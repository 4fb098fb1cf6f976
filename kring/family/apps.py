from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamilyConfig(AppConfig):
    name = "kring.family"
    label = "family"
    verbose_name = _("The family's side")
