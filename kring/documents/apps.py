from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "kring.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self):
        # The case page (cases) shows this stage's button without naming it.
        from kring.cases.sections import register_section

        register_section("documents", 55, "documents/case_section.html")
