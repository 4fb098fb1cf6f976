"""Reads for the work lists: my upcoming and overdue steps, and a team's active trajectories with their clocks.

Like every read, both start from ``visible_cases(user)`` / ``scope_for(user)`` and log what they return. The
team list lets the database count, order and page (the counts per status give the total), so a page
costs the same few queries whether the team has ten trajectories or ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import get_language

from kring.audit.services import Access, Action, log_access
from kring.cases.choices import CaseRole, CaseStatus
from kring.cases.models import CaseTeamMember
from kring.cases.queries import scope_for, teams_for_filter, visible_cases
from kring.core.errors import NotFound
from kring.meetings.models import TIMEZONES, Meeting
from kring.plans.choices import RUNNING_AGREEMENT
from kring.plans.models import Agreement, Review
from kring.trajectories import deadlines
from kring.trajectories.choices import DeadlineKind, Status
from kring.trajectories.core import schedule
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.models import FamilyPlanRight, Trajectory, TrajectoryPhase

# In journey order, for the status counts and the filter.
ACTIVE_STATUSES = [s for s in Status.values if s in ACTIVE]
SOON_DAYS = 7
CLOSED = CaseStatus.CLOSED
PLANNED = "planned"  # a meeting's status while it is neither held nor cancelled
TEAM_PAGE_SIZE = 50
# The plan's agreements and reviews come on my work list this many days ahead (and for as long as they are overdue).
PLAN_STEP_DAYS = 28


def plan_url(case_id, trajectory_id) -> str:
    return reverse("plans:plan", args=[case_id, trajectory_id])


def trajectory_url(case_id, trajectory_id) -> str:
    return reverse("trajectories:detail", args=[case_id, trajectory_id])


def phase_name(phases_followed, code: str) -> str:
    """A phase's name in the current language, from the phases as the trajectory follows them."""
    language = (get_language() or "nl")[:2]
    for phase in phases_followed or ():
        if phase.get("code") == code:
            name = phase.get("name") or {}
            return name.get(language) or name.get("nl") or code
    return code


# ---- my steps ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    case_id: int
    case_number: str
    organisation_id: int
    trajectory_id: int | None  # None for a legal deadline (it belongs to the case)
    method_code: str
    kind: str
    kind_label: str
    what: str  # the phase name, or empty for a legal deadline
    due_on: date
    state: str  # overdue, due_soon, upcoming
    url: str
    # A meeting: when it starts (in the organisation's local time) and where.
    starts_at: datetime | None = None
    place: str = ""
    # An agreement of the plan that is a safety agreement.
    safety: bool = False

    @property
    def is_meeting(self) -> bool:
        return self.kind == DeadlineKind.MEETING

    @property
    def is_safety_overdue(self) -> bool:
        return self.safety and self.state == "overdue"


def meeting_support():
    """The meeting model, the time zones per jurisdiction and the meeting kinds' labels."""
    kinds = dict(Meeting._meta.get_field("kind").flatchoices)
    return Meeting, TIMEZONES, kinds


def my_steps(actor, today: date, path: str = "") -> list[Step]:
    """The user's upcoming and overdue steps, earliest first.

    Phase ends of the active trajectories the user coordinates or whose case team they are on, the planned
    meetings of those trajectories (from today on, and earlier ones never recorded as held, as overdue), and
    the open Jeugdwet deadlines of the Dutch cases on whose case team they are, the plan's agreements in force due
    within PLAN_STEP_DAYS or overdue (for the case workers and whoever checks the agreement) and the open reviews
    planned within PLAN_STEP_DAYS or overdue (for the case workers and the coordinator); always within the cases
    they may see. Six queries, bounded by the user's own cases.
    """
    user = actor.user
    scope = scope_for(user)
    if scope.empty:
        return []
    visible = visible_cases(user)
    labels = dict(DeadlineKind.choices)
    steps: list[Step] = []
    accesses: list[Access] = []

    phases = (
        TrajectoryPhase.objects.filter(
            started_on__isnull=False,
            ended_on__isnull=True,
            trajectory__status__in=ACTIVE,
            trajectory__case__in=visible,
        )
        .exclude(trajectory__case__status=CLOSED)
        .filter(Q(trajectory__coordinator=user) | Q(trajectory__case_id__in=scope.case_ids))
        .select_related("trajectory", "trajectory__case")
    )
    seen = set()
    for phase in phases:
        trajectory = phase.trajectory
        if trajectory.pk not in seen:
            seen.add(trajectory.pk)
            accesses.append(Access("trajectory", trajectory.pk, trajectory.case_id, trajectory.organisation_id))
        for deadline in deadlines.phase_deadlines(trajectory, [phase]):
            steps.append(
                Step(
                    case_id=trajectory.case_id,
                    case_number=trajectory.case.number,
                    organisation_id=trajectory.organisation_id,
                    trajectory_id=trajectory.pk,
                    method_code=trajectory.method_code,
                    kind=deadline.kind,
                    kind_label=str(labels[deadline.kind]),
                    what=phase_name(trajectory.phases_followed, phase.code),
                    due_on=deadline.due_on,
                    state=deadline.state(today, SOON_DAYS),
                    url=trajectory_url(trajectory.case_id, trajectory.pk),
                )
            )

    rights = (
        FamilyPlanRight.objects.filter(
            case__in=visible,
            case_id__in=scope.case_ids,
            next_due_on__isnull=False,
            organisation__jurisdiction="NL",
        )
        .exclude(case__status=CLOSED)
        .select_related("case")
    )
    for record in rights:
        accesses.append(Access("family_plan_right", record.pk, record.case_id, record.organisation_id))
        for deadline in schedule.open_deadlines(deadlines.legal_deadlines(record)):
            steps.append(
                Step(
                    case_id=record.case_id,
                    case_number=record.case.number,
                    organisation_id=record.organisation_id,
                    trajectory_id=None,
                    method_code="",
                    kind=deadline.kind,
                    kind_label=str(labels[deadline.kind]),
                    what="",
                    due_on=deadline.due_on,
                    state=deadline.state(today, SOON_DAYS),
                    url=reverse("cases:detail", args=[record.case_id]),
                )
            )

    Meeting, zones, kinds = meeting_support()
    meetings = (
        Meeting.objects.filter(
            status=PLANNED,
            trajectory__status__in=ACTIVE,
            case__in=visible,
        )
        .exclude(case__status=CLOSED)
        .filter(Q(trajectory__coordinator=user) | Q(case_id__in=scope.case_ids))
        .order_by("starts_at", "id")
        .values_list(
            "id",
            "case_id",
            "case__number",
            "organisation_id",
            "organisation__jurisdiction",
            "trajectory_id",
            "trajectory__method_code",
            "kind",
            "starts_at",
            "place",
        )
    )
    for (
        meeting_id,
        case_id,
        number,
        organisation_id,
        jurisdiction,
        trajectory_id,
        method_code,
        kind,
        starts_at,
        place,
    ) in meetings:
        accesses.append(Access("meeting", meeting_id, case_id, organisation_id))
        local = starts_at.astimezone(ZoneInfo(zones.get(jurisdiction, settings.TIME_ZONE)))
        steps.append(
            Step(
                case_id=case_id,
                case_number=number,
                organisation_id=organisation_id,
                trajectory_id=trajectory_id,
                method_code=method_code,
                kind=DeadlineKind.MEETING,
                kind_label=str(kinds.get(kind, kind)),
                what="",
                due_on=local.date(),
                state=schedule.Deadline(DeadlineKind.MEETING, local.date()).state(today, SOON_DAYS),
                url=reverse("meetings:detail", args=[case_id, meeting_id]),
                starts_at=local,
                place=place,
            )
        )

    steps += _plan_steps(user, scope, visible, today, labels, accesses)

    if accesses:
        log_access(actor, Action.LIST, accesses, path=path)
    steps.sort(key=lambda s: (s.due_on, s.case_number, s.kind))
    return steps


def _plan_steps(user, scope, visible, today, labels, accesses) -> list[Step]:
    """The plan's agreements and reviews on the user's work list: two queries, whatever their number."""
    steps = []
    until = today + timedelta(days=PLAN_STEP_DAYS)
    # The cases where the user is a case worker (a subquery within their own case-team cases, so on an index).
    worker_of = CaseTeamMember.objects.filter(user=user, role=CaseRole.CASE_WORKER, case_id__in=scope.case_ids).values(
        "case_id"
    )
    agreements = (
        Agreement.objects.filter(
            in_force=True,
            status__in=[s.value for s in RUNNING_AGREEMENT],
            due_on__lte=until,
            case__in=visible,
            plan__trajectory__status__in=ACTIVE,
        )
        .exclude(case__status=CLOSED)
        .filter(Q(case_id__in=worker_of) | Q(checker_user=user))
        .order_by("due_on", "id")
        .values_list(
            "id",
            "case_id",
            "case__number",
            "organisation_id",
            "plan__trajectory_id",
            "plan__trajectory__method_code",
            "what",
            "due_on",
            "is_safety",
        )
    )
    for (
        agreement_id,
        case_id,
        number,
        organisation_id,
        trajectory_id,
        method_code,
        what,
        due_on,
        is_safety,
    ) in agreements:
        accesses.append(Access("agreement", agreement_id, case_id, organisation_id))
        steps.append(
            Step(
                case_id=case_id,
                case_number=number,
                organisation_id=organisation_id,
                trajectory_id=trajectory_id,
                method_code=method_code,
                kind=DeadlineKind.AGREEMENT,
                kind_label=str(labels[DeadlineKind.AGREEMENT]),
                what=what,
                due_on=due_on,
                state=schedule.Deadline(DeadlineKind.AGREEMENT, due_on).state(today, SOON_DAYS),
                url=plan_url(case_id, trajectory_id),
                safety=is_safety,
            )
        )

    reviews = (
        Review.objects.filter(
            held_on__isnull=True, planned_on__lte=until, case__in=visible, plan__trajectory__status__in=ACTIVE
        )
        .exclude(case__status=CLOSED)
        .filter(Q(case_id__in=worker_of) | Q(plan__trajectory__coordinator=user))
        .order_by("planned_on", "id")
        .values_list(
            "id",
            "case_id",
            "case__number",
            "organisation_id",
            "plan__trajectory_id",
            "plan__trajectory__method_code",
            "name",
            "planned_on",
        )
    )
    for review_id, case_id, number, organisation_id, trajectory_id, method_code, name, planned_on in reviews:
        accesses.append(Access("plan_review", review_id, case_id, organisation_id))
        steps.append(
            Step(
                case_id=case_id,
                case_number=number,
                organisation_id=organisation_id,
                trajectory_id=trajectory_id,
                method_code=method_code,
                kind=DeadlineKind.REVIEW,
                kind_label=str(labels[DeadlineKind.REVIEW]),
                what=name,
                due_on=planned_on,
                state=schedule.Deadline(DeadlineKind.REVIEW, planned_on).state(today, SOON_DAYS),
                url=plan_url(case_id, trajectory_id),
            )
        )
    return steps


# ---- the team's work list ----------------------------------------------------------------------------------


@dataclass
class TeamFilter:
    status: str = ""
    phase: str = ""
    overdue_only: bool = False
    page: int = 1
    matches_nothing: bool = False  # the filter form was invalid: show no rows rather than all of them


@dataclass
class TeamWorklist:
    team: object
    is_lead: bool
    page: object
    rows: list
    counts: dict = field(default_factory=dict)  # status -> number (under the phase and overdue filters)
    overdue: int = 0
    total: int = 0  # all active trajectories the user sees in this team, whatever the filters
    phases: list = field(default_factory=list)  # (code, name) of the current phases found


def team_for(user, team_id):
    """A team the user may see (one they lead or that owns one of their cases), or NotFound."""
    team = teams_for_filter(user).filter(pk=team_id).first()
    if team is None:
        raise NotFound()
    return team


def team_worklist(
    actor, team_id, filters: TeamFilter, today: date, path: str = "", per_page: int = TEAM_PAGE_SIZE
) -> TeamWorklist:
    """One page of a team's active trajectories with their clocks, counts per status, and the phases to filter
    on. A lead sees all the team's cases; other members only the trajectories of cases visible to them.

    Queries: the team, the counts with the phases, the page's ids, its rows, the log; plus the
    user's scope once per request.
    """
    user = actor.user
    team = team_for(user, team_id)
    scope = scope_for(user)
    # A closed case's trajectories are nobody's work any more, whatever status they were left in.
    # (In the visibility subquery rather than as a join: the counts then read the trajectories alone.)
    base = Trajectory.objects.filter(
        team_id=team.pk, status__in=ACTIVE, case__in=visible_cases(user).exclude(status=CLOSED)
    )

    if filters.matches_nothing:
        base = base.none()
    filtered = base
    if filters.phase:
        filtered = filtered.filter(current_phase=filters.phase)
    if filters.overdue_only:
        filtered = filtered.filter(next_due_on__lt=today)

    # Counts per status under the other filters (so the status filter shows what each choice would give), the
    # overdue number, and the phases in use (for the phase filter, unfiltered): one grouped query.
    chosen = Q()
    if filters.phase:
        chosen &= Q(current_phase=filters.phase)
    if filters.overdue_only:
        chosen &= Q(next_due_on__lt=today)
    counts, overdue, phase_pairs = {}, 0, set()
    grouped = (
        base.order_by()
        .values_list("status", "method_code", "current_phase")
        .annotate(n=Count("id", filter=chosen), late=Count("id", filter=chosen & Q(next_due_on__lt=today)))
    )
    for status, method_code, current_phase, n, late in grouped:
        counts[status] = counts.get(status, 0) + n
        overdue += late
        if current_phase:
            phase_pairs.add((method_code, current_phase))
    phases = _phase_names(phase_pairs)

    if filters.status:
        filtered = filtered.filter(status=filters.status)
    ordered = filtered.order_by(F("next_due_on").asc(nulls_last=True), "offered_on", "id")
    # The total comes from the counts above (no window count: that would make the database carry every row,
    # wide with its phases, through the sort; a plain LIMIT lets it keep only the page's rows).
    total = counts.get(filters.status, 0) if filters.status else sum(counts.values())
    page, rows = _page(ordered, filters.page, per_page, total)

    status_labels = dict(Status.choices)
    for t in rows:
        t.clocks = deadlines.clocks(t, today)
        t.status_label = status_labels.get(t.status, t.status)
        t.phase_name = phase_name(t.phases_followed, t.current_phase) if t.current_phase else ""
        t.due_state = schedule.Deadline("next", t.next_due_on).state(today, SOON_DAYS) if t.next_due_on else ""
        t.url = trajectory_url(t.case_id, t.pk)
    if rows:
        log_access(
            actor, Action.LIST, [Access("trajectory", t.pk, t.case_id, t.organisation_id) for t in rows], path=path
        )
    return TeamWorklist(
        team=team,
        is_lead=team.pk in scope.lead_team_ids,
        page=page,
        rows=rows,
        counts={s: counts.get(s, 0) for s in ACTIVE_STATUSES},
        overdue=overdue,
        total=sum(counts.values()),
        phases=phases,
    )


def _phase_names(pairs) -> list[tuple[str, str]]:
    """The current phases in use, by code, with a name in the current language."""
    from kring.methods.catalogue import catalogue

    language = (get_language() or "nl")[:2]
    names = {}
    for method_code, code in sorted(pairs):
        definition = catalogue().get(method_code)
        name = code
        if definition is not None:
            for phase in definition.phases:
                if phase.code == code:
                    name = getattr(phase.name, language, None) or phase.name.nl
        names.setdefault(code, name)
    return sorted(names.items(), key=lambda item: str(item[1]).lower())


def _page(queryset, number, per_page, total):
    """One page of an ordered queryset whose total is known already; a number past the end gives the last page."""
    paginator = Paginator(queryset, per_page)
    paginator.count = total
    try:
        number = min(max(int(number), 1), paginator.num_pages)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    # The page's ids first, narrow, so the sort carries only what it orders by; then those rows in full.
    ids = list(queryset.values_list("id", flat=True)[offset : offset + per_page])
    found = {t.pk: t for t in queryset.model.objects.filter(pk__in=ids).select_related("case", "coordinator")}
    rows = [found[i] for i in ids if i in found]
    page = paginator.page(number)
    page.object_list = rows
    return page, rows


def page_size() -> int:
    return getattr(settings, "KRING_WORKLIST_PAGE_SIZE", TEAM_PAGE_SIZE)
