from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kring.core"
    label = "core"
    verbose_name = "Kring core"
