"""The public method guide (no login, read-only, straight from the method definition files), the public overview
of who offers which method where, and the page where an organisation maintains its own offer."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kring.accounts.models import Organisation
from kring.core.actor import Actor
from kring.core.errors import StaleEdit
from kring.core.forms import at_version, save_versioned

from . import labels, queries, services
from .catalogue import catalogue
from .continua import Point, draw_continua
from .forms import OfferFilterForm, OfferForm, RemoveOfferForm
from .models import Referrer
from .regions import ORDER as REGION_ORDER
from .regions import region_label
from .schema import DEFAULT_DURATION


def _pick(text, language):
    """The Dutch or English half of a definition's ``Text``."""
    return text.en if language == "en" else text.nl


# An inline source marker of a definition's text: "[seed003]", "[ref-fnb]".
SOURCE_MARKER = re.compile(r"\s*\[([\w-]+)\]")


def _cite(text, sources, numbers=None):
    """A definition's text with its source markers as the reader sees them: the source's number where the page
    lists the sources ("[1]"), left out where it does not. A bracketed word that names no source stays."""

    def marker(match):
        if match.group(1) not in sources:
            return match.group(0)
        return f" [{numbers[match.group(1)]}]" if numbers else ""

    return SOURCE_MARKER.sub(marker, text)


def _plural_count(weeks):
    """An integer for choosing the plural form ("1 week", "1.5 weeks")."""
    return 1 if weeks == 1 else 2


def _summary(definition, language):
    """What the list and the comparison table show of one method."""
    return {
        "code": definition.code,
        "name": _pick(definition.name, language),
        "target_group": _cite(_pick(definition.target_group, language), {s.id for s in definition.sources}),
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
        x_label=_("Family lead"),
        y_label=_("Network breadth"),
        x_low=_("Shared with the worker"),
        x_high=_("The family leads"),
        y_low=_("Nuclear family"),
        y_high=_("Wide community"),
        description_id="continua-list",
    )
    return render(
        request, "methods/guide.html", {"methods": methods, "figure": mark_safe(figure)}
    )  # escaped in draw_continua


def method(request, code):
    definition = catalogue().get(code)
    if definition is None:
        raise Http404
    language = request.LANGUAGE_CODE
    sources = {source.id: source.citation for source in definition.sources}
    numbers = {source_id: number for number, source_id in enumerate(sources, start=1)}

    def cited(text):
        return _cite(_pick(text, language), sources, numbers)

    phases = [
        {
            "code": phase.code,
            "name": _pick(phase.name, language),
            "description": cited(phase.description),
            "default_weeks": phase.default_weeks,
            "default_weeks_count": _plural_count(phase.default_weeks),
            "max_weeks": phase.max_weeks,
            "set_by_organisation": phase.duration_source == DEFAULT_DURATION,
            "duration_source": phase.duration_source,
            "duration_source_number": numbers.get(phase.duration_source),
            "roles": [labels.label(labels.ROLES, role) for role in phase.roles],
            "artefacts": [labels.label(labels.ARTEFACTS, artefact) for artefact in phase.artefacts],
        }
        for phase in definition.phases
    ]
    method_summary = _summary(definition, language)
    method_summary["target_group"] = cited(definition.target_group)
    return render(
        request,
        "methods/method.html",
        {
            "method": method_summary,
            "origin": cited(definition.origin),
            "vision": cited(definition.vision),
            "conditions": {
                "participants": cited(definition.conditions.participants),
                "service": cited(definition.conditions.service),
            },
            "contra_indications": [
                {
                    "label": labels.label(labels.CONTRA_INDICATIONS, item.code),
                    "severity": labels.label(labels.SEVERITIES, item.severity),
                    "exclude": item.severity == "exclude",
                    "text": cited(item.text),
                    "source": item.source,
                    "source_number": numbers.get(item.source),
                }
                for item in definition.contra_indications
            ],
            "variants": [
                {"name": _pick(variant.name, language), "description": cited(variant.description)}
                for variant in definition.variants
            ],
            "phases": phases,
            "sources": [(source_id, numbers[source_id], citation) for source_id, citation in sources.items()],
            "offer_groups": _grouped_rows(queries.public_offers(method=definition.code), language),
        },
    )


# --- Who offers what, where ---------------------------------------------------------------------------------


def _offer_row(offer, language):
    """What the public pages and the maintenance list show of one offer."""
    definition = catalogue().get(offer.method_code)
    variants = {v.code: _pick(v.name, language) for v in definition.variants} if definition else {}
    return {
        "offer": offer,
        "organisation": offer.organisation,
        "method_code": offer.method_code,
        "method_name": _pick(definition.name, language) if definition else offer.method_code,
        "variants": [variants.get(code, code) for code in offer.variants],
        "regions": [region_label(code) for code in sorted(offer.regions, key=lambda c: REGION_ORDER.get(c, 99))],
        "referrers": [Referrer(code).label if code in Referrer.values else code for code in offer.referrers],
    }


def _grouped_rows(offers, language, region=None):
    rows = {offer.pk: _offer_row(offer, language) for offer in offers}
    return [
        {"code": group.code, "label": region_label(group.code), "rows": [rows[o.pk] for o in group.offers]}
        for group in queries.offers_by_region(offers, region)
    ]


def offers(request):
    """Public: which organisations offer which method in which region, filtered by region and method."""
    form = OfferFilterForm(request.GET or None)
    region = method = None
    if form.is_bound and form.is_valid():
        region = form.cleaned_data["region"] or None
        method = form.cleaned_data["method"] or None
    found = queries.public_offers(region=region, method=method)
    return render(
        request,
        "methods/offers.html",
        {
            "form": form,
            "groups": _grouped_rows(found, request.LANGUAGE_CODE, region),
            "filtered": bool(region or method),
            "count": len(found),
        },
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


def _organisation_or_404(request, organisation_id):
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not services.can_maintain(request.user, organisation.pk):
        raise Http404
    return organisation


@login_required
def our_offer(request):
    """The organisations whose offer the user maintains: straight to the one, or a choice between several."""
    organisations = services.maintainable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(
            _("Only team leads and functional administrators maintain their organisation's method offer.")
        )
    if len(organisations) == 1:
        return redirect("methods:our_offer_for", organisation_id=organisations[0].pk)
    return render(request, "methods/our_offer.html", {"organisations": organisations, "organisation": None})


@login_required
def our_offer_for(request, organisation_id):
    organisation = _organisation_or_404(request, organisation_id)
    own = queries.organisation_offers(request.user, organisation.pk)
    return render(
        request,
        "methods/our_offer.html",
        {
            "organisation": organisation,
            "organisations": services.maintainable_organisations(request.user),
            "rows": [_offer_row(offer, request.LANGUAGE_CODE) for offer in own],
        },
    )


@login_required
def offer_edit(request, organisation_id, offer_id=None):
    """Add an offer (no ``offer_id``) or change one; a stale save answers 409 with what changed."""
    organisation = _organisation_or_404(request, organisation_id)
    offer = None
    if offer_id is not None:
        offer = queries.get_offer(request.user, organisation.pk, offer_id)
    initial = None
    if offer is None:
        from .regions import guess_region

        guessed = guess_region(organisation.jurisdiction, organisation.region)
        initial = {"active": True, "regions": [guessed] if guessed else []}
    form = OfferForm(request.POST or None, organisation=organisation, offer=offer, initial=initial)

    def save(form):
        services.save_offer(
            Actor.from_request(request),
            organisation.pk,
            form.changes(),
            offer_id=offer_id,
            expected_version=form.cleaned_data.get("version"),
        )

    def refill():
        nonlocal offer
        offer = queries.get_offer(request.user, organisation.pk, offer_id)
        return OfferForm(at_version(request.POST, offer.version), organisation=organisation, offer=offer)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        messages.success(request, _("The offer was saved."))
        return redirect("methods:our_offer_for", organisation_id=organisation.pk)
    return render(
        request,
        "methods/offer_form.html",
        {
            "form": result.form,
            "organisation": organisation,
            "offer": offer,
            "stale": result.stale,
        },
        status=result.status,
    )


@login_required
@require_POST
def offer_remove(request, organisation_id, offer_id):
    organisation = _organisation_or_404(request, organisation_id)
    queries.get_offer(request.user, organisation.pk, offer_id)
    form = RemoveOfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The offer was not removed: the form was incomplete."))
        return redirect("methods:our_offer_for", organisation_id=organisation.pk)
    try:
        services.remove_offer(
            Actor.from_request(request),
            organisation.pk,
            offer_id,
            expected_version=form.cleaned_data["version"],
        )
    except StaleEdit:
        messages.error(
            request,
            _("The offer was not removed: someone else changed it after you opened the page. Check it and try again."),
        )
    else:
        messages.success(request, _("The offer was removed."))
    return redirect("methods:our_offer_for", organisation_id=organisation.pk)
