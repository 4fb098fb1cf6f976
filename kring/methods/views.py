"""The public method guide: no login, read-only, straight from the method definition files."""
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import labels
from .catalogue import catalogue
from .continua import Point, draw_continua
from .schema import DEFAULT_DURATION


def _pick(text, language):
    """The Dutch or English half of a definition's ``Text``."""
    return text.en if language == "en" else text.nl


def _plural_count(weeks):
    """An integer for choosing the plural form ("1 week", "1.5 weeks")."""
    return 1 if weeks == 1 else 2


def _summary(definition, language):
    """What the list and the comparison table show of one method."""
    return {
        "code": definition.code,
        "name": _pick(definition.name, language),
        "target_group": _pick(definition.target_group, language),
        "leader": labels.label(labels.LEADERS, definition.leader),
        "volunteer_allowed": definition.volunteer_allowed,
        "settings": [labels.label(labels.SETTINGS, code) for code in definition.settings],
        "request_kinds": [labels.label(labels.REQUEST_KINDS, code) for code in definition.request_kinds],
        "max_safety_concern": labels.label(labels.SAFETY_LEVELS, definition.max_safety_concern),
        "total_weeks": sum(phase.default_weeks for phase in definition.phases),
        "total_weeks_count": _plural_count(sum(phase.default_weeks for phase in definition.phases)),
        "contra_indications": [
            labels.label(labels.CONTRA_INDICATIONS, item.code) for item in definition.contra_indications
        ],
        "family_lead": definition.continua.family_lead,
        "network_breadth": definition.continua.network_breadth,
        "continua_estimated": definition.continua.source is None,
    }


def guide(request):
    language = request.LANGUAGE_CODE
    methods = [_summary(definition, language) for definition in catalogue().values()]
    figure = draw_continua(
        [Point(m["code"], m["name"], m["family_lead"], m["network_breadth"]) for m in methods],
        title=_("The methods on the two continua: who leads and how wide the network is"),
        x_label=_("Family lead"), y_label=_("Network breadth"),
        x_low=_("Shared with the worker"), x_high=_("The family leads"),
        y_low=_("Nuclear family"), y_high=_("Wide community"),
        description_id="continua-list",
    )
    return render(request, "methods/guide.html", {"methods": methods, "figure": mark_safe(figure)})  # escaped in draw_continua


def method(request, code):
    definition = catalogue().get(code)
    if definition is None:
        raise Http404
    language = request.LANGUAGE_CODE
    sources = {source.id: source.citation for source in definition.sources}
    phases = [
        {
            "code": phase.code,
            "name": _pick(phase.name, language),
            "description": _pick(phase.description, language),
            "default_weeks": phase.default_weeks,
            "default_weeks_count": _plural_count(phase.default_weeks),
            "max_weeks": phase.max_weeks,
            "set_by_organisation": phase.duration_source == DEFAULT_DURATION,
            "duration_source": phase.duration_source,
            "roles": [labels.label(labels.ROLES, role) for role in phase.roles],
            "artefacts": [labels.label(labels.ARTEFACTS, artefact) for artefact in phase.artefacts],
        }
        for phase in definition.phases
    ]
    return render(request, "methods/method.html", {
        "method": _summary(definition, language),
        "origin": _pick(definition.origin, language),
        "vision": _pick(definition.vision, language),
        "conditions": {
            "participants": _pick(definition.conditions.participants, language),
            "service": _pick(definition.conditions.service, language),
        },
        "contra_indications": [
            {
                "label": labels.label(labels.CONTRA_INDICATIONS, item.code),
                "severity": labels.label(labels.SEVERITIES, item.severity),
                "exclude": item.severity == "exclude",
                "text": _pick(item.text, language),
                "source": item.source,
            }
            for item in definition.contra_indications
        ],
        "variants": [
            {"name": _pick(variant.name, language), "description": _pick(variant.description, language)}
            for variant in definition.variants
        ],
        "phases": phases,
        "sources": list(sources.items()),
    })
