from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "kring.network"
    label = "network"
    verbose_name = _("Network maps")

    def ready(self):
        # The case page (cases) shows this stage's section without naming it.
        from kring.cases.sections import register_section

        register_section("network", 20, "network/case_section.html")

        # The relation typed at intake draws the genogram links it implies.
        from kring.cases.person_events import register_relation_listener

        from .intake import links_from_relations

        register_relation_listener("network", links_from_relations)

        # The case page's person table marks whoever the map marks unsafe.
        from kring.cases.sections import register_person_marks

        from .unsafe import case_marks

        register_person_marks("unsafe", case_marks)
