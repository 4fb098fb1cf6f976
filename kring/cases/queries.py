"""Reads of case data. Every one starts from ``visible_cases``: what this user may see, and nothing else.

Need-to-know: a user sees a case as a member of its case team, or as lead of the team that owns it, and
only while they hold an active role at the case's organisation. Researchers and administrators have no
special access: they see a case only if they are on its case team (and researchers cannot be). An independent
coordinator of a coordinating office sees, besides, the one case of each of their assignments while it is active,
whatever organisation it belongs to (decision 241).
"""

from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import BigIntegerField, Count, Exists, Field, OuterRef, Q, Value, Window
from django.db.models.functions import Cast
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import CASE_ROLES, Role, TeamMember
from kring.audit.services import Access, Action, case_access, log_access, person_access
from kring.core.errors import NotFound

from .models import (
    Assignment,
    CapabilityJudgement,
    Case,
    CaseTeamMember,
    Consent,
    ParentalAuthority,
    Person,
    assignment_active_on,
    person_name_condition,
)


@dataclass(frozen=True)
class Scope:
    organisation_ids: frozenset
    lead_team_ids: frozenset
    case_ids: frozenset
    # The cases of the user's active assignments as an independent coordinator (decision 241); also in case_ids,
    # and their organisations in organisation_ids.
    assigned_case_ids: frozenset = frozenset()

    @property
    def empty(self):
        return not (self.lead_team_ids or self.case_ids)


def scope_for(user) -> Scope:
    """The ids that bound what ``user`` may see; worked out once per request and kept on the user object.

    Literal id lists (rather than subqueries joined by OR) let the database use its indexes, so the cost
    does not grow with the number of cases in other teams and organisations.

    An independent coordinator (decision 241) holds the coordinator role at a coordinating office; each of their
    assignments active today adds its one case, and that case's organisation, to the sets. The organisations
    added let only those cases through: the teams led and the case team memberships are read at the user's own
    organisations only, before the assignments' organisations are added.
    """
    if not getattr(user, "is_authenticated", False):
        return Scope(frozenset(), frozenset(), frozenset())
    cached = getattr(user, "_kring_scope", None)
    if cached is not None:
        return cached
    memberships = [m for m in user.active_memberships() if m.role in CASE_ROLES]
    organisation_ids = frozenset(m.organisation_id for m in memberships)
    coordinating_at = sorted({m.organisation_id for m in memberships if m.role == Role.COORDINATOR})
    lead_team_ids, case_ids, assigned_ids, assigned_organisation_ids = set(), set(), set(), set()
    if organisation_ids:
        # One round trip for the lists: (team led, None, None), (None, case on whose team the user is, None) and
        # (None, case of an active assignment, its organisation).
        # Typed NULLs: PostgreSQL types two untyped NULLs of one column as text, which the assignments' bigint
        # organisation id then cannot join.
        no_id = Cast(Value(None), output_field=BigIntegerField())
        led = (
            TeamMember.objects.filter(user=user, is_lead=True, team__organisation_id__in=organisation_ids)
            .order_by()
            .values_list("team_id", no_id, no_id)
        )
        joined = (
            CaseTeamMember.objects.filter(user=user, organisation_id__in=organisation_ids)
            .order_by()
            .values_list(no_id, "case_id", no_id)
        )
        rows = led.union(joined, all=True)
        if coordinating_at:
            assigned = (
                Assignment.objects.filter(
                    assignment_active_on(timezone.localdate()), coordinator=user, office_id__in=coordinating_at
                )
                .order_by()
                .values_list(no_id, "case_id", "organisation_id")
            )
            rows = led.union(joined, assigned, all=True)
        for team_id, case_id, assigned_organisation_id in rows:
            if team_id is not None:
                lead_team_ids.add(team_id)
            if case_id is not None:
                case_ids.add(case_id)
            if assigned_organisation_id is not None:
                assigned_ids.add(case_id)
                assigned_organisation_ids.add(assigned_organisation_id)
    scope = Scope(
        organisation_ids | assigned_organisation_ids,
        frozenset(lead_team_ids),
        frozenset(case_ids),
        frozenset(assigned_ids),
    )
    user._kring_scope = scope
    return scope


def visible_cases(user):
    scope = scope_for(user)
    if scope.empty:
        return Case.objects.none()
    # The assignments' cases are in case_ids and their organisations in organisation_ids (decision 241); the
    # teams led and the case team memberships were read at the user's own organisations only, so an assignment
    # lets through its own case and no other of its organisation.
    return Case.objects.filter(
        Q(id__in=scope.case_ids) | Q(team_id__in=scope.lead_team_ids),
        organisation_id__in=scope.organisation_ids,
    )


def can_see_case(user, case_id) -> bool:
    scope = scope_for(user)
    return visible_cases(user).filter(pk=case_id).exists() if not scope.empty else False


@dataclass
class CaseloadFilter:
    text: str = ""
    status: str = ""
    legal_context: str = ""
    team_id: int | None = None
    page: int = 1


def caseload(actor, filters: CaseloadFilter):
    """A page of the user's cases, with their central persons, logged as listed (or searched)."""
    cases = visible_cases(actor.user).select_related("team", "organisation")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.legal_context:
        cases = cases.filter(legal_context=filters.legal_context)
    if filters.team_id:
        cases = cases.filter(team_id=filters.team_id)
    text = filters.text.strip()
    if text:
        found = Q(number=text.upper()) | Q(family_name__icontains=text)
        name_condition = person_name_condition(text)
        if name_condition is not None:
            found |= Q(Exists(Person.objects.filter(name_condition, case=OuterRef("pk"))))
        cases = cases.filter(found)
    cases = cases.order_by("-referral_date", "-id")
    page, rows = _page_with_count(cases, filters.page, settings.KRING_CASELOAD_PAGE_SIZE)
    centrals: dict[int, list[Person]] = {}
    for person in Person.objects.filter(case__in=[c.pk for c in rows], is_central=True).order_by("birth_date"):
        centrals.setdefault(person.case_id, []).append(person)
    # Labels looked up once per page: Model.get_FOO_display() rebuilds its choices dictionary on every call.
    labels = {
        name: dict(cast(Field, Case._meta.get_field(name)).flatchoices)
        for name in ("status", "legal_context", "safety_concern")
    }
    for case in rows:
        case.central_persons = centrals.get(case.pk, [])
        case.status_label = labels["status"].get(case.status, case.status)
        case.legal_context_label = labels["legal_context"].get(case.legal_context, case.legal_context)
        case.safety_concern_label = labels["safety_concern"].get(case.safety_concern, case.safety_concern)
    accesses = [case_access(c) for c in rows] + [person_access(p) for ps in centrals.values() for p in ps]
    if text:
        # The search itself is on record too, also when it found nothing.
        accesses.append(Access("case_search", ""))
    log_access(actor, Action.SEARCH if text else Action.LIST, accesses, detail=text[:100])
    return page, rows


def refused_case_access(case_id) -> Access:
    """What a refused request for a case is logged against: the case and its organisation if it exists, so the
    privacy officer of that organisation sees the attempt. (The user is told nothing either way.)"""
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        return Access("case", case_id)
    organisation_id = Case.objects.filter(pk=case_id).values_list("organisation_id", flat=True).first()
    if organisation_id is None:
        return Access("case", case_id)
    return Access("case", case_id, case_id, organisation_id)


def _page_with_count(queryset, number, per_page):
    """One page and the total in one query: the total rides along as a window count on every row.

    Saves the separate COUNT(*) a Paginator would run. Only an empty page needs a count of its own (to tell
    an empty list from a page number past the end).
    """
    paginator = Paginator(queryset, per_page)
    try:
        # Bounded so the offset fits any database's integer; a page past the end falls back to the last one.
        number = min(max(int(number), 1), 10**8)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset.annotate(total_count=Window(Count("id")))[offset : offset + per_page])
    paginator.count = rows[0].total_count if rows else queryset.count()
    if not rows and paginator.count:
        return _page_with_count(queryset, paginator.num_pages, per_page)
    page = paginator.page(min(number, paginator.num_pages))
    page.object_list = rows
    return page, rows


def get_case(actor, case_id, log: bool = True) -> Case:
    """One case the user may see, or NotFound (whether it exists elsewhere is not revealed)."""
    case = visible_cases(actor.user).select_related("organisation", "team").filter(pk=case_id).first()
    if case is None:
        log_access(actor, Action.DENIED, [refused_case_access(case_id)])
        raise NotFound()
    if log:
        log_access(actor, Action.VIEW, [case_access(case)])
    return case


def case_detail(actor, case_id):
    """Everything the case page shows: the case, its persons, team and consents; every person read is logged."""
    from .confidentiality import kept_from_somebody

    case = get_case(actor, case_id, log=False)
    # Whether a no-contact mark keeps a person from somebody rides along, so the marks cost no query of their own.
    persons = list(case.persons.annotate(kept_from_somebody=kept_from_somebody()))
    team = list(case.team_members.select_related("user"))
    consents = list(case.consents.select_related("person", "recorded_by"))
    log_access(actor, Action.VIEW, [case_access(case)] + [person_access(p) for p in persons])
    return case, persons, team, consents


def authority_overview(case, persons) -> dict:
    """For the case page (whose persons are read and logged already): per central person the holders of parental
    authority today, and the warnings where none is recorded (decision 159)."""
    from django.utils import timezone

    from . import consent_rules

    today = timezone.localdate()
    records = list(ParentalAuthority.objects.filter(case=case).select_related("holder", "child"))
    facts = consent_rules.CaseFacts(case.organisation.jurisdiction, list(persons), records, [])
    rows = []
    for child in facts.children:
        current = [a for a in records if a.child_id == child.pk and a.in_force_on(today)]
        rows.append({"child": child, "current": current, "recorded": facts.recorded_for(child)})
    return {"rows": rows, "warnings": consent_rules.authority_warnings(facts, today)}


def authority_page(actor, case) -> dict:
    """Every authority record and capability judgement of the case, with the persons they name (logged)."""
    from django.utils import timezone

    from . import consent_rules

    records = list(ParentalAuthority.objects.filter(case=case).select_related("holder", "child"))
    judgements = list(CapabilityJudgement.objects.filter(case=case).select_related("child"))
    persons = list(case.persons.all())
    named = [r.child for r in records] + [r.holder for r in records] + [j.child for j in judgements]
    log_access(
        actor,
        Action.VIEW,
        [Access("parental_authority", r.pk, case.pk, case.organisation_id) for r in records]
        + [Access("capability_judgement", j.pk, case.pk, case.organisation_id) for j in judgements]
        + [person_access(p) for p in {p.pk: p for p in named if p is not None}.values()],
    )
    facts = consent_rules.CaseFacts(case.organisation.jurisdiction, persons, records, judgements)
    today = timezone.localdate()
    return {
        "records": records,
        "judgements": judgements,
        "warnings": consent_rules.authority_warnings(facts, today),
        "today": today,
    }


def get_authority(actor, case, authority_id) -> ParentalAuthority:
    record = ParentalAuthority.objects.filter(case=case, pk=authority_id).select_related("holder", "child").first()
    if record is None:
        raise NotFound()
    accessed = [Access("parental_authority", record.pk, case.pk, case.organisation_id), person_access(record.child)]
    if record.holder is not None:
        accessed.append(person_access(record.holder))
    log_access(actor, Action.VIEW, accessed)
    return record


def get_person(actor, case, person_id) -> Person:
    person = case.persons.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    log_access(actor, Action.VIEW, [person_access(person)])
    return person


def persons_offered(actor, case, persons=None) -> list:
    """The persons a form offers to choose from: their names are on the page, so they are logged as listed.
    ``persons`` narrows the offer (a queryset or list of the case's persons); by default all, by name."""
    if persons is None:
        persons = case.persons.order_by("last_name", "first_name", "pk")
    persons = list(persons)
    if persons:
        log_access(actor, Action.LIST, [person_access(p) for p in persons])
    return persons


def log_person_choices(actor, *forms) -> None:
    """Log, once each, the persons that the forms' person fields (model choices over ``Person``) offer by name."""
    from django.forms import ModelChoiceField

    offered: dict[int, Person] = {}
    for form in forms:
        for field in form.fields.values():
            if isinstance(field, ModelChoiceField) and field.queryset is not None and field.queryset.model is Person:
                offered.update((p.pk, p) for p in field.queryset)
    if offered:
        log_access(actor, Action.LIST, [person_access(p) for p in offered.values()])


def log_persons_shown(actor, persons, action: str = Action.VIEW) -> None:
    """Log persons a page names beside its own record (a consent's person, the persons a list of ties names)."""
    unique = {p.pk: p for p in persons if p is not None}
    if unique:
        log_access(actor, action, [person_access(p) for p in unique.values()])


def field_display(field, value):
    """A stored value as people read it: the label of a choice, the name of a related record, yes or no."""
    if value is None or value == "":
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return related if related is not None else value
    if isinstance(value, bool):
        return yesno(value)
    return value


# One whole sentence per kind of record and change, so each language can use its own word order.
HISTORY_EVENTS = {
    ("case", "+"): _("Case created"),
    ("case", "~"): _("Case changed"),
    ("case", "-"): _("Case removed"),
    ("person", "+"): _("Person added"),
    ("person", "~"): _("Person changed"),
    ("person", "-"): _("Person removed"),
    ("case team", "+"): _("Added to the case team"),
    ("case team", "~"): _("Role on the case team changed"),
    ("case team", "-"): _("Removed from the case team"),
    ("consent", "+"): _("Consent recorded"),
    ("consent", "~"): _("Consent changed"),
    ("consent", "-"): _("Consent removed"),
    ("parental authority", "+"): _("Parental authority recorded"),
    ("parental authority", "~"): _("Parental authority changed"),
    ("parental authority", "-"): _("Parental authority removed"),
    ("capability", "+"): _("Judgement of capability recorded"),
    ("capability", "~"): _("Judgement of capability changed"),
    ("capability", "-"): _("Judgement of capability removed"),
}


def history_entries(sources, events) -> list[dict]:
    """Field-level change history, newest first, of the given (historical records, kind) sources: per change
    when, who, the sentence for its kind (``events[(kind, "+"|"~"|"-")]``) and each field's old and new value.
    The plan stage shows its own records' history with it."""
    entries = []
    for records, kind in sources:
        records = list(records.select_related("history_user").order_by("history_date"))
        previous_by_id: dict[int, Any] = {}
        for record in records:
            previous = previous_by_id.get(record.id)
            changes = []
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous)
                fields = [
                    (record.instance_type._meta.get_field(c.field), c) for c in delta.changes if c.field != "version"
                ]
                changes = [
                    (field.verbose_name, field_display(field, c.old), field_display(field, c.new))
                    for field, c in fields
                ]
            previous_by_id[record.id] = record
            entries.append(
                {"record": record, "kind": kind, "changes": changes, "event": events[(kind, record.history_type)]}
            )
    entries.sort(key=lambda e: e["record"].history_date, reverse=True)
    return entries


def case_history(actor, case):
    """The change history of the case and its records, newest first: (when, who, what, field changes)."""
    entries = history_entries(
        [
            (case.history.all(), "case"),
            (Person.history.filter(case_id=case.pk), "person"),
            (CaseTeamMember.history.filter(case_id=case.pk), "case team"),
            (Consent.history.filter(case_id=case.pk), "consent"),
            (ParentalAuthority.history.filter(case_id=case.pk), "parental authority"),
            (CapabilityJudgement.history.filter(case_id=case.pk), "capability"),
        ],
        HISTORY_EVENTS,
    )
    # What later stages registered (the journal), each logging its own reads.
    from .history_sources import history_sources

    for source in history_sources():
        entries.extend(source(actor, case))
    entries.sort(key=lambda e: e["record"].history_date, reverse=True)
    # The entries name the persons whose records changed (also removed ones): each is a read of that person.
    persons = {e["record"].id: e["record"] for e in entries if e["kind"] == "person"}
    log_access(
        actor,
        Action.VIEW,
        [Access("case_history", case.pk, case.pk, case.organisation_id)]
        + [Access("person", pk, case.pk, record.organisation_id) for pk, record in persons.items()],
    )
    return entries


def teams_for_filter(user):
    from kring.accounts.models import Team

    """The teams worth filtering on: those the user leads and those owning one of the user's cases."""
    scope = scope_for(user)
    own_case_teams = Case.objects.filter(pk__in=scope.case_ids).values("team_id")
    return (
        Team.objects.filter(organisation_id__in=scope.organisation_ids)
        .filter(Q(pk__in=scope.lead_team_ids) | Q(pk__in=own_case_teams))
        .select_related("organisation")
    )


def case_counts_by_status(user):
    return dict(visible_cases(user).values_list("status").annotate(n=Count("id")).order_by())


def no_contact_marks(actor, case) -> list:
    """The case's "no contact" marks with both persons, logged as persons shown (decision 186)."""
    from .models import NoContact

    marks = list(NoContact.objects.filter(case=case).select_related("person", "kept_from"))
    log_persons_shown(actor, [m.person for m in marks] + [m.kept_from for m in marks])
    return marks
