from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kring.accounts"
    label = "accounts"
    verbose_name = _("Organisations and users")

    def ready(self):
        # Connects the note that an authenticator was set up in this session (it counts as the second factor).
        from . import two_factor  # noqa: F401
