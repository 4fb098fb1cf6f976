"""Reads of the independent coordinators' work (decisions 240-249).

The case's page reads through ``visible_cases`` (``get_case`` in the view); the office's pages read only the
office's own requests and assignments, which carry the case number and what the matching needs, never the family's
file. Every request, assignment and time entry shown is logged with its case and the case's organisation.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from kring.accounts.models import CoordinatorProfile, Membership, Organisation, Role
from kring.audit.services import Access, Action, log_access

from ..models import Assignment, AssignmentRequest, AssignmentRequestStatus, AssignmentTimeEntry, assignment_active_on
from . import matching
from .services import assignment_access, request_access, staffed_offices, time_entry_access


def coordinating_offices() -> list[Organisation]:
    return list(Organisation.objects.filter(is_coordinating_office=True).order_by("name"))


def current_loads(office_ids, today: datetime.date) -> dict[int, int]:
    """Per coordinator the assignments not ended (begun or still to begin), at these offices: one grouped query."""
    rows = (
        Assignment.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today), office_id__in=sorted(office_ids))
        .order_by()
        .values_list("coordinator_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def pool_profiles(office_ids, active_only=False) -> list[CoordinatorProfile]:
    """The profiles of the offices' pools whose person is still an active coordinator of the office."""
    profiles = CoordinatorProfile.objects.filter(
        office_id__in=sorted(office_ids),
        user__is_active=True,
        user__memberships__organisation_id=F("office_id"),
        user__memberships__role=Role.COORDINATOR,
        user__memberships__active=True,
    )
    if active_only:
        profiles = profiles.filter(active=True)
    return list(profiles.select_related("user", "office").distinct().order_by("user__last_name", "user__first_name"))


def candidates_for(office_ids, today) -> dict[int, list[matching.Candidate]]:
    """Per office its active pool as matching candidates, with their current load."""
    loads = current_loads(office_ids, today)
    found: dict[int, list[matching.Candidate]] = {}
    for profile in pool_profiles(office_ids, active_only=True):
        found.setdefault(profile.office_id, []).append(
            matching.Candidate(
                user_id=profile.user_id,
                name=str(profile.user),
                languages=tuple(profile.language_list),
                cultural_background=profile.cultural_background,
                regions=tuple(profile.region_list),
                available_from=profile.available_from,
                available_until=profile.available_until,
                max_assignments=profile.max_assignments,
                current_assignments=loads.get(profile.user_id, 0),
            )
        )
    return found


def ranked(request, candidates) -> list[matching.Match]:
    need = matching.Need(
        languages=tuple(part.strip() for part in request.languages.split(",") if part.strip()),
        region=request.region,
        culture=request.culture,
        starts_on=max(request.wished_start, timezone.localdate()),
    )
    return matching.rank(need, candidates)


@dataclass
class RequestView:
    request: AssignmentRequest
    matches: list = field(default_factory=list)


def case_coordination(actor, case) -> dict:
    """The case's requests (the open ones with the office's pool ranked) and assignments, logged as viewed."""
    requests = list(
        AssignmentRequest.objects.filter(case=case).select_related("office", "family_choice", "requested_by")
    )
    assignments = list(Assignment.objects.filter(case=case).select_related("office", "coordinator"))
    today = timezone.localdate()
    open_requests = [r for r in requests if r.status == AssignmentRequestStatus.OPEN]
    candidates = candidates_for({r.office_id for r in open_requests}, today) if open_requests else {}
    views = [
        RequestView(r, ranked(r, candidates.get(r.office_id, [])) if r.status == AssignmentRequestStatus.OPEN else [])
        for r in requests
    ]
    accessed = [request_access(r) for r in requests] + [assignment_access(a) for a in assignments]
    if accessed:
        log_access(actor, Action.VIEW, accessed)
    return {"requests": views, "assignments": assignments, "today": today}


def request_matches(request) -> list[matching.Match]:
    """The office's pool ranked for one request."""
    return ranked(request, candidates_for({request.office_id}, timezone.localdate()).get(request.office_id, []))


def assigned_coordinator_ids(case, day: datetime.date | None = None) -> set[int]:
    """The independent coordinators assigned to the case on this day (today when not given)."""
    day = day or timezone.localdate()
    # As in scope_for: only while they still hold the coordinator role at the office.
    coordinating = Membership.objects.filter(
        user_id=OuterRef("coordinator_id"), organisation_id=OuterRef("office_id"), role=Role.COORDINATOR, active=True
    )
    assignments = Assignment.objects.filter(assignment_active_on(day), Exists(coordinating), case=case)
    return set(assignments.values_list("coordinator_id", flat=True))


# ---- the office's pages --------------------------------------------------------------------------------------


def with_totals(assignments):
    return assignments.annotate(
        total_hours=Sum("time_entries__hours"),
        total_km=Sum("time_entries__travel_km"),
        total_costs=Sum("time_entries__costs"),
    )


def office_overview(actor) -> dict:
    """For the office's staff: the open requests with their pool ranked, and the assignments with their totals."""
    offices = staffed_offices(actor.user)
    office_ids = {o.pk for o in offices}
    today = timezone.localdate()
    requests = list(
        AssignmentRequest.objects.filter(office_id__in=sorted(office_ids), status=AssignmentRequestStatus.OPEN)
        .select_related("case", "organisation", "office", "family_choice")
        .order_by("requested_at", "id")
    )
    candidates = candidates_for(office_ids, today) if requests else {}
    views = [RequestView(r, ranked(r, candidates.get(r.office_id, []))) for r in requests]
    assignments = list(
        with_totals(Assignment.objects.filter(office_id__in=sorted(office_ids)))
        .select_related("case", "organisation", "office", "coordinator")
        .order_by("-starts_on", "-id")
    )
    accessed = [request_access(r) for r in requests] + [assignment_access(a) for a in assignments]
    if accessed:
        log_access(actor, Action.LIST, accessed)
    return {"offices": offices, "requests": views, "assignments": assignments, "today": today}


def pool(actor) -> dict:
    """The pools of the offices the user staffs: every coordinator of the office, with their profile if any."""
    from .services import pool_members

    offices = staffed_offices(actor.user)
    today = timezone.localdate()
    loads = current_loads({o.pk for o in offices}, today)
    profiles = {(p.office_id, p.user_id): p for p in pool_profiles({o.pk for o in offices})}
    rows: list[dict] = []
    for office in offices:
        for user in pool_members(office):
            profile = profiles.get((office.pk, user.pk))
            rows.append({"office": office, "user": user, "profile": profile, "load": loads.get(user.pk, 0)})
    return {"offices": offices, "rows": rows}


@dataclass
class OwnAssignment:
    assignment: Assignment
    entries: list
    hours: Decimal
    km: Decimal
    costs: Decimal
    active: bool = False  # active today: the case opens from here


def my_assignments(actor) -> list[OwnAssignment]:
    """The coordinator's own assignments with their hours and costs (the case number only), logged as listed."""
    assignments = list(
        Assignment.objects.filter(coordinator=actor.user).select_related("case", "office", "organisation")
    )
    today = timezone.localdate()
    entries: dict[int, list] = {}
    for entry in AssignmentTimeEntry.objects.filter(assignment__in=[a.pk for a in assignments]):
        entries.setdefault(entry.assignment_id, []).append(entry)
    found = []
    for a in assignments:
        own = entries.get(a.pk, [])
        found.append(
            OwnAssignment(
                a,
                own,
                sum((e.hours for e in own), Decimal(0)),
                sum((e.travel_km for e in own), Decimal(0)),
                sum((e.costs for e in own), Decimal(0)),
                a.active_on(today),
            )
        )
    accessed = [assignment_access(a) for a in assignments] + [
        time_entry_access(e) for es in entries.values() for e in es
    ]
    if accessed:
        log_access(actor, Action.LIST, accessed)
    return found


INVOICE_COLUMNS = (
    "office",
    "case_number",
    "organisation",
    "coordinator",
    "assignment_starts_on",
    "assignment_ends_on",
    "date",
    "hours",
    "travel_km",
    "costs",
)


def invoice_rows(actor, first: datetime.date | None = None, last: datetime.date | None = None) -> list[tuple]:
    """The time entries of the offices the user staffs within the period, one row each: the case number and the
    referring organisation, no person of the family and no note (decision 246). Logged as exported."""
    office_ids = sorted(o.pk for o in staffed_offices(actor.user))
    entries = AssignmentTimeEntry.objects.filter(assignment__office_id__in=office_ids)
    if first:
        entries = entries.filter(worked_on__gte=first)
    if last:
        entries = entries.filter(worked_on__lte=last)
    rows = list(
        entries.select_related("assignment__office", "assignment__coordinator", "case", "organisation").order_by(
            "assignment__office__name", "case__number", "worked_on", "id"
        )
    )
    log_access(
        actor,
        Action.EXPORT,
        [time_entry_access(e) for e in rows]
        + [Access("coordinator_invoice", "", None, office_id) for office_id in office_ids],
    )
    return [
        (
            e.assignment.office.code,
            e.case.number,
            e.organisation.code,
            str(e.assignment.coordinator),
            e.assignment.starts_on.isoformat(),
            e.assignment.ends_on.isoformat() if e.assignment.ends_on else "",
            e.worked_on.isoformat(),
            f"{e.hours:.2f}",
            f"{e.travel_km:.1f}",
            f"{e.costs:.2f}",
        )
        for e in rows
    ]


def known_assignments(actor) -> list[dict]:
    """For the API: the assignments of the offices the user staffs and their own, with totals, logged as listed."""
    office_ids = sorted(o.pk for o in staffed_offices(actor.user))
    assignments = list(
        with_totals(Assignment.objects.filter(Q(office_id__in=office_ids) | Q(coordinator=actor.user)))
        .select_related("case", "organisation", "office", "coordinator")
        .order_by("-starts_on", "-id")
    )
    if assignments:
        log_access(actor, Action.LIST, [assignment_access(a) for a in assignments])
    today = timezone.localdate()
    return [
        {
            "id": a.pk,
            "case_id": a.case_id,
            "case_number": a.case.number,
            "organisation": a.organisation.code,
            "office": a.office.code,
            "coordinator_id": a.coordinator_id,
            "coordinator": str(a.coordinator),
            "starts_on": a.starts_on,
            "ends_on": a.ends_on,
            "active": a.active_on(today),
            "hours": a.total_hours or Decimal(0),
            "travel_km": a.total_km or Decimal(0),
            "costs": a.total_costs or Decimal(0),
        }
        for a in assignments
    ]
