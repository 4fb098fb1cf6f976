"""Network pages: the three maps, editing from the map, exports and imports.

Thin, like the case pages: parse the request, call a query or a service, render. Every change goes through
``services`` (which checks the permission and writes the access log, the history and the undo record);
every read through ``queries`` (which starts from what the user may see and logs the read).

Without JavaScript every action is a plain link to a full-page form; ``network.js`` opens the same forms in
the side panel (htmx) and adds drawing on the map: click, drag, touch and keyboard.
"""

import base64
import datetime
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kring.audit.services import Action, case_access, log_access
from kring.cases.editing import can_edit_case
from kring.core.actor import Actor
from kring.core.forms import apply_service_errors, at_version, save_versioned
from kring.core.parsers import JSONTooDeep, load_bounded_json, too_deep_message

from . import exports, importing, queries, services
from .core import stats
from .forms import (
    MAP_KINDS,
    CompareForm,
    GedcomChoiceForm,
    ImportForm,
    MemberForm,
    RelationshipForm,
    SystemTieForm,
)
from .forms import (
    PERSON_FIELDS as PERSON_FORM_FIELDS,
)
from .models import NetworkMember, Relationship, SystemTie

# ---- helpers --------------------------------------------------------------------------------------------------


def _actor(request):
    return Actor.from_request(request)


def _case_or_404(request, pk, log=True):
    from kring.cases import queries as case_queries

    return case_queries.get_case(_actor(request), pk, log=log)


def can_edit(user, case) -> bool:
    """Whether the user may change this case's network (case worker, coordinator, lead); co-workers only read."""

    return can_edit_case(user, case)


def _require_edit(request, case):
    if not can_edit(request.user, case):
        raise PermissionDenied(_("Only the case worker, the coordinator or the team lead can change this case."))


def _map_kind(request):
    kind = request.GET.get("map") or request.POST.get("map") or "genogram"
    return kind if kind in MAP_KINDS else "genogram"


def _parse_date(value):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _map_url(case, request=None, **extra):
    """Back to the map, keeping the user's map options where we know them."""
    url = reverse("network:map", kwargs={"pk": case.pk})
    params = {}
    source = request.GET if request is not None else {}
    if request is not None and request.method == "POST":
        source = request.POST
    for name in ("map", "at", "emotional", "death", "legend"):
        if source.get(name):
            params[name] = source.get(name)
    params.update({k: v for k, v in extra.items() if v})
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def _done(request, case, message):
    """After a successful change: htmx reloads the whole map page; a plain form goes back to the map."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        messages.success(request, message)
        return response
    messages.success(request, message)
    return redirect(_map_url(case, request))


def _form_page(request, template, context, status=200):
    """A form as a full page, or as the side panel's fragment when htmx asks for it."""
    context.setdefault("map_kind", _map_kind(request))
    context["fragment"] = bool(request.htmx)
    if context.get("form") is not None:  # its person fields offer the case's persons by name
        from kring.cases import queries as case_queries

        case_queries.log_person_choices(_actor(request), context["form"])
    name = f"network/_{template}.html" if request.htmx else f"network/{template}.html"
    return render(request, name, context, status=status)


def map_labels():
    """The words drawn on the maps and in their legend, in the user's language (keys of core.svg)."""
    return {
        "legend": _("Legend"),
        "male": _("Male"),
        "female": _("Female"),
        "other": _("Other / non-binary"),
        "unknown_sex": _("Sex unknown"),
        "central": _("Central person"),
        "deceased": _("Deceased"),
        "pregnancy": _("Pregnancy"),
        "miscarriage": _("Miscarriage"),
        "stillbirth": _("Stillbirth"),
        "married": _("Married"),
        "relationship": _("Relationship"),
        "cohabiting": _("Living together"),
        "engaged": _("Engaged"),
        "separated": _("Separated"),
        "divorced": _("Divorced"),
        "widowed": _("Widowed"),
        "biological": _("Biological child"),
        "adoptive": _("Adopted child"),
        "foster": _("Foster child"),
        "step": _("Stepchild"),
        "guardian": _("Guardianship"),
        "twins": _("Twins"),
        "identical_twins": _("Identical twins"),
        "household": _("Household"),
        "close": pgettext("emotional tie", "Close"),
        "very_close": pgettext("emotional tie", "Very close"),
        "distant": _("Distant"),
        "conflict": _("Conflict"),
        "hostile": _("Hostile"),
        "cut_off": _("Cut off"),
        "physical_abuse": _("Physical abuse"),
        "emotional_abuse": _("Emotional abuse"),
        "sexual_abuse": _("Sexual abuse"),
        "neglect": _("Neglect"),
        "strong": _("Strong"),
        "tenuous": _("Tenuous"),
        "stressful": _("Stressful"),
        "energy": _("Flow of energy"),
        "ring_1": pgettext("network ring", "Very close"),
        "ring_2": pgettext("network ring", "Close"),
        "ring_3": _("Further away"),
        "practical": _("Practical support"),
        "emotional": _("Emotional support"),
        "information": _("Information / advice"),
        # One-letter marks beside a person on the circle: Practical, Emotional, Information.
        "support_letter_practical": _("P"),
        "support_letter_emotional": _("E"),
        "support_letter_information": _("I"),
        "unsafe": _("Unsafe"),
        "professional": _("Professional"),
        "informal": _("Informal"),
        "critical": _("Critical"),
        "family": _("Family"),
        "friends": _("Friends"),
        "school_work": _("School / work"),
        "neighbourhood_clubs": _("Neighbourhood / clubs"),
        "professional_domain": _("Professionals"),
        "siblings": _("Brothers and sisters"),
        "siblings_dashed": _("Half or step sibling; parents not recorded"),
        "institution": _("Institution (school, GP, club)"),
    }


def _options(request, case, kind, settings, *, legend=False, page=None, moment=None):
    death = request.GET.get("death")
    if death not in ("cross", "slash"):
        death = getattr(settings, "death_mark", "cross") or "cross"
    titles = {"genogram": _("Genogram"), "ecomap": _("Eco-map"), "circle": _("Network circle")}
    when = moment or datetime.date.today()
    subtitle = _("%(case)s · %(family)s · situation on %(date)s") % {
        "case": case.number,
        "family": case.family_name,
        "date": date_format(when, "DATE_FORMAT"),
    }
    from .core import svg as svg_core

    return svg_core.RenderOptions(
        death_mark=death,
        show_emotional=request.GET.get("emotional", "on") != "off",
        moment=moment,
        title=titles[kind],
        subtitle=subtitle,
        legend=legend,
        labels=map_labels(),
        page=page,
    )


def _render_svg(request, case, network, kind, settings, **kwargs):
    from .core import svg as svg_core

    return svg_core.render_map(network, kind, options=_options(request, case, kind, settings, **kwargs))


# ---- the map page ---------------------------------------------------------------------------------------------


@login_required
def network_map(request, pk):
    actor = _actor(request)
    kind = _map_kind(request)
    moment = _parse_date(request.GET.get("at"))
    records = queries.network_records(actor, pk)
    case, full_network = records.case, records.network
    network = full_network.at(moment)
    settings = queries.network_settings(case.organisation)
    svg = _render_svg(request, case, network, kind, settings, moment=moment, legend=request.GET.get("legend") == "on")
    if request.GET.get("fragment") == "svg":
        return HttpResponse(svg, content_type="text/html; charset=utf-8")
    summary = queries.summary(case, network, moment=moment)
    compare = CompareForm(request.GET if "date_from" in request.GET else None)
    changes = None
    names = {m.id: m.name for m in full_network.members}
    if compare.is_bound and compare.is_valid():
        changes = _change_lines(
            stats.changes_between(full_network, compare.cleaned_data["date_from"], compare.cleaned_data["date_to"]),
            names,
        )
    query = request.GET.copy()
    for name in ("map", "fragment"):
        query.pop(name, None)
    return render(
        request,
        "network/map.html",
        {
            "case": case,
            "svg": svg,
            "map_kind": kind,
            "map_kinds": [("genogram", _("Genogram")), ("ecomap", _("Eco-map")), ("circle", _("Network circle"))],
            "summary": summary,
            "summary_rows": _summary_rows(summary),
            "compare": compare,
            "changes": changes,
            "members": sorted(network.members, key=lambda m: m.name.lower()),
            "moment": moment,
            "at": request.GET.get("at", ""),
            "emotional": request.GET.get("emotional", "on") != "off",
            "legend": request.GET.get("legend") == "on",
            "death": request.GET.get("death") or settings.death_mark,
            "tab_query": query.urlencode(),
            "can_edit": can_edit(request.user, case),
            "js_text": {
                "add-person": _("Click or tap an empty place on the map to put the new person there."),
                "add-relation": _("Click or tap the first person of the relation (the parent, for a parent link)."),
                "second": _("Now click or tap the second person."),
                "add-tie": _("Click or tap a person, or an empty place for the household as a whole."),
                "moved": _("Position kept."),
                "failed": _("That did not work. Reload the page and try again."),
                "cancelled": _("Cancelled."),
            },
        },
    )


def _summary_rows(summary):
    """The summary's facts as (label, value) rows for the side panel."""
    from .models import Domain, Ring

    domain_labels = {**dict(Domain.choices), "unspecified": _("not filled in")}
    ring_labels = {**{str(k): v for k, v in Ring.choices}, "unspecified": _("not filled in")}

    def counts(values, labels):
        return ", ".join(f"{labels.get(k, k)}: {v}" for k, v in values.items() if v) or "—"

    share = "" if summary.informal_share is None else f" ({round(summary.informal_share * 100)}%)"
    return [
        (_("Network size"), summary.size),
        (_("Per life domain"), counts(summary.by_domain, domain_labels)),
        (_("Per ring"), counts(summary.by_ring, ring_labels)),
        (_("Informal ties"), f"{summary.informal}{share}"),
        (_("Professional ties"), summary.professional_ties),
        (_("Institutions (school, GP, club)"), ", ".join(summary.institutions) or "—"),
        (_("Gives practical support"), ", ".join(summary.support.get("practical", ())) or "—"),
        (_("Gives emotional support"), ", ".join(summary.support.get("emotional", ())) or "—"),
        (_("Could be invited (safe and reachable)"), ", ".join(summary.invitable) or "—"),
    ]


def _change_lines(changes, names):
    """What changed between two dates, as sentences."""
    from .models import RelationshipKind

    def name(member_id):
        return names.get(member_id, member_id) if member_id else _("the household")

    def tie(group, t):
        if group == "parents":
            return _("%(parent)s parent of %(child)s") % {"parent": name(t.parent), "child": name(t.child)}
        if group == "systems":
            return _("%(who)s and %(system)s") % {"who": name(t.member), "system": t.system}
        label = {
            "partners": RelationshipKind.PARTNER.label,
            "twins": RelationshipKind.TWIN.label,
            "emotional": RelationshipKind.EMOTIONAL.label,
        }[group]
        return f"{name(t.a)} – {name(t.b)} ({label})"

    lines = [_("Came into the network: %(name)s") % {"name": name(i)} for i in changes["members_added"]]
    lines += [_("Left the network: %(name)s") % {"name": name(i)} for i in changes["members_ended"]]
    lines += [_("Died: %(name)s") % {"name": name(i)} for i in changes["members_died"]]
    for group, ties in changes["ties_added"].items():
        lines += [_("New tie: %(tie)s") % {"tie": tie(group, t)} for t in ties]
    for group, ties in changes["ties_ended"].items():
        lines += [_("Tie ended: %(tie)s") % {"tie": tie(group, t)} for t in ties]
    return lines


# ---- persons on the map ---------------------------------------------------------------------------------------


@login_required
def person_add(request, pk):
    case = _case_or_404(request, pk, log=False)
    _require_edit(request, case)
    initial = {"map": _map_kind(request), "x": request.GET.get("x"), "y": request.GET.get("y")}
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actor = _actor(request)
        try:
            person = services.add_network_person(
                actor, pk, form.person_data(), form.member_data(), position=form.position()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, case, _("%(name)s was added to the network.") % {"name": person.full_name})
    return _form_page(request, "member_form", {"case": case, "form": form})


def _member_initial(person, map_kind="genogram"):
    member = NetworkMember.objects.filter(person=person).first() or NetworkMember(person=person)
    initial = {n: getattr(person, n) for n in PERSON_FORM_FIELDS}
    initial.update({n: getattr(member, n) for n in queries.MEMBER_FIELDS})
    initial["version"] = member.version
    initial["person_version"] = person.version
    initial["map"] = map_kind
    return initial


@login_required
def person_edit(request, pk, person_id):
    """A person on the map: the case file's basic fields (saved through the case service) and the map's own
    fields (saved through the network service), each checked against the version the form started from."""
    from kring.cases import queries as case_queries
    from kring.cases import services as case_services

    case = _case_or_404(request, pk, log=False)
    actor = _actor(request)
    person = case_queries.get_person(actor, case, person_id)
    editable = can_edit(request.user, case)
    if request.method == "POST":
        _require_edit(request, case)
    initial = _member_initial(person, _map_kind(request))
    form = MemberForm(request.POST or None, initial=initial)

    def save(form):
        person_changes = {n: v for n, v in form.person_data().items() if v != initial.get(n)}
        member_changes = {n: v for n, v in form.member_data().items() if v != initial.get(n)}
        with transaction.atomic():
            if person_changes:
                case_services.update_person(
                    actor, pk, person_id, person_changes, form.cleaned_data.get("person_version")
                )
            if member_changes:
                services.save_member(
                    actor, pk, person_id, form.member_data(), expected_version=form.cleaned_data.get("version")
                )

    def refill():
        # Both records start again from what is stored now: the map's own version and the person's.
        person.refresh_from_db()
        current = _member_initial(person, _map_kind(request))
        data = at_version(request.POST, current["version"])
        return MemberForm(at_version(data, current["person_version"], "person_version"), initial=current)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        return _done(request, case, _("%(name)s was saved.") % {"name": person.full_name})
    return _form_page(
        request,
        "member_form",
        {"case": case, "form": result.form, "person": person, "stale": result.stale, "can_edit": editable},
        status=result.status,
    )


@login_required
@require_POST
def person_remove(request, pk, person_id):
    case = _case_or_404(request, pk, log=False)
    try:
        services.remove_network_person(_actor(request), pk, person_id)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_map_url(case, request))
    return _done(request, case, _("The person was removed from the network."))


@login_required
@require_POST
def person_move(request, pk, person_id):
    """Keep where the user dragged (or nudged) a person; answers with the map drawn again."""
    case = _case_or_404(request, pk, log=False)
    kind = _map_kind(request)
    try:
        x, y = float(request.POST["x"]), float(request.POST["y"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest(_("A position needs x and y."))
    if not all(abs(v) < 1e6 for v in (x, y)):
        return HttpResponseBadRequest(_("A position needs x and y."))
    services.move_member(_actor(request), pk, person_id, kind, x, y)
    if request.htmx or request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect(_map_url(case, request))


@login_required
@require_POST
def reset_layout(request, pk):
    case = _case_or_404(request, pk, log=False)
    services.reset_positions(_actor(request), pk, _map_kind(request))
    messages.success(request, _("The map is drawn automatically again."))
    return redirect(_map_url(case, request))


@login_required
@require_POST
def undo(request, pk):
    case = _case_or_404(request, pk, log=False)
    try:
        edit = services.undo_last(_actor(request), pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_map_url(case, request))
    if edit is None:
        messages.info(request, _("There is nothing of yours to undo."))
    else:
        messages.success(request, _("Your last change was undone."))
    return redirect(_map_url(case, request))


# ---- relationships --------------------------------------------------------------------------------------------


@login_required
def relation_add(request, pk):
    case = _case_or_404(request, pk, log=False)
    _require_edit(request, case)
    initial = {
        "person_a": request.GET.get("a"),
        "person_b": request.GET.get("b"),
        "kind": request.GET.get("kind") or "parent",
    }
    form = RelationshipForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_relationship(_actor(request), pk, form.changes())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, case, _("The relationship was added."))
    return _form_page(request, "relation_form", {"case": case, "form": form})


@login_required
def relation_edit(request, pk, relation_id):
    case = _case_or_404(request, pk, log=False)
    relation = Relationship.objects.filter(case=case, pk=relation_id).first()
    if relation is None:
        raise Http404
    if request.method == "POST":
        _require_edit(request, case)
    initial = {
        "kind": relation.kind,
        "subtype": relation.subtype,
        "person_a": relation.person_a_id,
        "person_b": relation.person_b_id,
        "start": relation.start,
        "end": relation.end,
        "note": relation.note,
        "version": relation.version,
    }
    form = RelationshipForm(request.POST or None, case=case, initial=initial)

    def save(form):
        services.update_relationship(_actor(request), pk, relation_id, form.changes(), form.cleaned_data.get("version"))

    def refill():
        relation.refresh_from_db()
        return RelationshipForm(at_version(request.POST, relation.version), case=case)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        return _done(request, case, _("The relationship was saved."))
    return _form_page(
        request,
        "relation_form",
        {
            "case": case,
            "form": result.form,
            "relation": relation,
            "stale": result.stale,
            "can_edit": can_edit(request.user, case),
        },
        status=result.status,
    )


@login_required
@require_POST
def relation_remove(request, pk, relation_id):
    case = _case_or_404(request, pk, log=False)
    services.remove_relationship(_actor(request), pk, relation_id)
    return _done(request, case, _("The relationship was removed."))


# ---- ties to systems (eco-map) --------------------------------------------------------------------------------


@login_required
def tie_add(request, pk):
    case = _case_or_404(request, pk, log=False)
    _require_edit(request, case)
    form = SystemTieForm(
        request.POST or None,
        case=case,
        initial={"person": request.GET.get("person"), "strength": "strong", "energy": "none"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_system_tie(_actor(request), pk, form.changes())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _done(request, case, _("The tie was added."))
    return _form_page(request, "tie_form", {"case": case, "form": form, "map_kind": "ecomap"})


@login_required
def tie_edit(request, pk, tie_id):
    case = _case_or_404(request, pk, log=False)
    tie = SystemTie.objects.filter(case=case, pk=tie_id).first()
    if tie is None:
        raise Http404
    if request.method == "POST":
        _require_edit(request, case)
    initial = {
        n: getattr(tie, n) for n in ("system", "system_kind", "strength", "energy", "start", "end", "note", "version")
    }
    initial["person"] = tie.person_id
    form = SystemTieForm(request.POST or None, case=case, initial=initial)

    def save(form):
        services.update_system_tie(_actor(request), pk, tie_id, form.changes(), form.cleaned_data.get("version"))

    def refill():
        tie.refresh_from_db()
        return SystemTieForm(at_version(request.POST, tie.version), case=case)

    result = save_versioned(request, form, save, refill)
    if result.saved:
        return _done(request, case, _("The tie was saved."))
    return _form_page(
        request,
        "tie_form",
        {
            "case": case,
            "form": result.form,
            "tie": tie,
            "stale": result.stale,
            "map_kind": "ecomap",
            "can_edit": can_edit(request.user, case),
        },
        status=result.status,
    )


@login_required
@require_POST
def tie_remove(request, pk, tie_id):
    case = _case_or_404(request, pk, log=False)
    services.remove_system_tie(_actor(request), pk, tie_id)
    return _done(request, case, _("The tie was removed."))


@login_required
def relations_list(request, pk):
    """Every relationship and tie as a list: the way to open one without pointing at a line on the map.
    ``?a=&b=`` (a line clicked on the map) or ``?person=`` narrow it down."""
    from .models import RELATIONSHIP_SUBTYPES

    a, b, person = (request.GET.get(n, "") for n in ("a", "b", "person"))
    case, relations, ties = queries.relations_of_case(_actor(request), pk, a=a, b=b, person=person)
    for r in relations:
        r.subtype_label = RELATIONSHIP_SUBTYPES.get(r.kind, {}).get(r.subtype, r.subtype)
    return _form_page(request, "relations", {"case": case, "relations": relations, "ties": ties})


# ---- exports --------------------------------------------------------------------------------------------------

CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


@login_required
def export_map(request, pk):
    kind = _map_kind(request)
    fmt = request.GET.get("format", "svg")
    if fmt not in CONTENT_TYPES:
        raise Http404
    page = request.GET.get("page") or ("A4" if fmt == "pdf" else None)
    if page not in (None, "A4", "A3"):
        raise Http404
    moment = _parse_date(request.GET.get("at"))
    actor = _actor(request)
    case, network = queries.network_for_case(actor, pk, moment=moment)
    settings = queries.network_settings(case.organisation)
    svg = _render_svg(request, case, network, kind, settings, legend=True, page=page, moment=moment)
    if fmt == "png":
        content = exports.svg_to_png(svg)
    elif fmt == "pdf":
        content = exports.svg_to_pdf(svg, page=page)
    else:
        content = svg.encode("utf-8")
    log_access(actor, Action.EXPORT, [case_access(case)], detail=f"{kind} {fmt}{' ' + page if page else ''}")
    name = exports.file_name(case, kind, fmt, page=page if fmt == "pdf" else None, moment=moment)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export_gedcom(request, pk, version):
    if version not in ("5.5.1", "7.0"):
        raise Http404
    actor = _actor(request)
    text = queries.export_gedcom(actor, pk, version)
    case = _case_or_404(request, pk, log=False)
    response = HttpResponse(text.encode("utf-8"), content_type="text/vnd.familysearch.gedcom; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(case.number)}-{version.replace(".", "")}.ged"'
    return response


@login_required
def export_json(request, pk):
    actor = _actor(request)
    document = queries.export_json(actor, pk)
    case = _case_or_404(request, pk, log=False)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{slugify(case.number)}-network.json"'
    return response


# ---- imports --------------------------------------------------------------------------------------------------

_SESSION_KEY = "kring-network-import-{}"


def _decode(raw):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _error_messages(error):
    return error.messages if isinstance(error, ValidationError) else [str(error)]


@login_required
def import_page(request, pk):
    case = _case_or_404(request, pk)
    editable = can_edit(request.user, case)
    if request.method == "POST":
        _require_edit(request, case)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read()
        if upload.name.lower().endswith(".json"):
            text = _decode(raw)
            try:
                payload = load_bounded_json(text)
            except json.JSONDecodeError as error:
                form.add_error(
                    "file",
                    _("This is not a valid network document: line %(line)s: %(msg)s")
                    % {"line": error.lineno, "msg": error.msg},
                )
            except JSONTooDeep as error:
                form.add_error("file", too_deep_message(error.limit))
            else:
                try:
                    importing.import_json(_actor(request), pk, payload)
                except ValidationError as error:
                    for message in _error_messages(error):
                        form.add_error("file", message)
                else:
                    messages.success(request, _("The network document was imported."))
                    return redirect(_map_url(case))
        else:
            try:
                preview = importing.preview_gedcom(raw)
            except (ValidationError, ValueError) as error:
                for message in _error_messages(error):
                    form.add_error("file", message)
            else:
                request.session[_SESSION_KEY.format(pk)] = base64.b64encode(raw).decode("ascii")
                return _gedcom_preview(request, case, preview)
    return render(
        request,
        "network/import.html",
        {"case": case, "form": form, "can_edit": editable, "map_kind": _map_kind(request)},
    )


def _preview_persons(preview):
    """(id, label) for each person in a GEDCOM preview (kring.network.core.gedcom.preview)."""
    rows = []
    for person in preview.get("people", ()):
        born = person.get("birth")
        rows.append((str(person["id"]), f"{person['name']} ({born})" if born else person["name"]))
    return rows


def _gedcom_preview(request, case, preview, form=None):
    persons = _preview_persons(preview)
    form = form or GedcomChoiceForm(persons=persons, initial={"center": persons[0][0] if persons else None})
    return render(
        request,
        "network/import_preview.html",
        {
            "case": case,
            "preview": preview,
            "persons": persons,
            "form": form,
            "warnings": (preview.get("warnings") if isinstance(preview, dict) else None) or [],
            "map_kind": "genogram",
        },
    )


@login_required
@require_POST
def import_confirm(request, pk):
    case = _case_or_404(request, pk, log=False)
    _require_edit(request, case)
    stored = request.session.get(_SESSION_KEY.format(pk))
    if not stored:
        messages.error(request, _("Upload the file again: the preview has expired."))
        return redirect("network:import", pk=pk)
    raw = base64.b64decode(stored)
    preview = importing.preview_gedcom(raw)
    form = GedcomChoiceForm(request.POST, persons=_preview_persons(preview))
    if not form.is_valid():
        return _gedcom_preview(request, case, preview, form)
    data = form.cleaned_data
    try:
        importing.import_gedcom(
            _actor(request), pk, raw, data["center"], data["generations_up"], data["generations_down"]
        )
    except ValidationError as error:
        for message in _error_messages(error):
            form.add_error(None, message)
        return _gedcom_preview(request, case, preview, form)
    request.session.pop(_SESSION_KEY.format(pk), None)
    messages.success(request, _("The family tree was imported."))
    return redirect(_map_url(case))
