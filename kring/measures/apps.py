from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "kring.measures"
    label = "measures"
    verbose_name = _("Registration and measures")

    def ready(self):
        # The case page (cases) shows this stage's section without naming it.
        from kring.cases.sections import register_section

        register_section("measures", 60, "measures/case_section.html")

        # The link holder's page (plans) lists the questionnaires asked of them, without importing this app.
        from kring.plans.links.views import LINK_SECTIONS

        from .views_links import link_items

        if link_items not in LINK_SECTIONS:
            LINK_SECTIONS.append(link_items)

        # A broken instrument file stops start-up with its file and field, as a broken method file does.
        from django.core import checks

        from .instrument_catalogue import check_definitions

        @checks.register("kring")
        def instrument_definitions(app_configs, **kwargs):
            return [checks.Error(problem, id="measures.E001") for problem in check_definitions()]
