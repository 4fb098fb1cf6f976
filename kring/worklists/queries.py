"""Reads for the work lists: my upcoming and overdue steps, and a team's active trajectories with their clocks.

Like every read, both start from ``visible_cases(user)`` / ``scope_for(user)`` and log what they return. The
team list lets the database count, order and page (the counts per status give the total), so a page
costs the same few queries whether the team has ten trajectories or ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.utils.translation import get_language

from kring.audit.services import Access, Action, log_access
from kring.cases.choices import CaseStatus
from kring.cases.queries import scope_for, teams_for_filter, visible_cases
from kring.core.errors import NotFound
from kring.meetings.models import TIMEZONES, Meeting
from kring.trajectories import deadlines
from kring.trajectories.choices import DeadlineKind, Status
from kring.trajectories.core import schedule
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.due import SOON_DAYS, Step, StepQuery, due_sources
from kring.trajectories.due_phases import phase_name, trajectory_url
from kring.trajectories.models import Trajectory

# In journey order, for the status counts and the filter.
ACTIVE_STATUSES = [s for s in Status.values if s in ACTIVE]
CLOSED = CaseStatus.CLOSED
TEAM_PAGE_SIZE = 50


def meeting_support():
    """The meeting model, the time zones per jurisdiction and the meeting kinds' labels."""
    kinds = dict(Meeting._meta.get_field("kind").flatchoices)
    return Meeting, TIMEZONES, kinds


# ---- my steps ----------------------------------------------------------------------------------------------


def my_steps(actor, today: date) -> list[Step]:
    """The user's upcoming and overdue steps, earliest first, from every stage that offers due steps
    (``kring.trajectories.due``): phase ends of the active trajectories the user coordinates or whose case team
    they are on, the planned meetings of those trajectories (from today on, and earlier ones never recorded as
    held, as overdue), the open Jeugdwet deadlines of the Dutch cases on whose case team they are, the plan's
    agreements in force and its open reviews; always within the cases they may see. A query or two per stage,
    bounded by the user's own cases, and one for the access log.
    """
    user = actor.user
    scope = scope_for(user)
    if scope.empty:
        return []
    ask = StepQuery(user=user, scope=scope, visible=visible_cases(user), today=today, labels=dict(DeadlineKind.choices))
    steps: list[Step] = []
    accesses: list[Access] = []
    for source in due_sources():
        if source.steps is not None:
            found, read = source.steps(ask)
            steps += found
            accesses += read
    if accesses:
        log_access(actor, Action.LIST, accesses)
    steps.sort(key=lambda s: (s.due_on, s.case_number, s.kind))
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


def team_worklist(actor, team_id, filters: TeamFilter, today: date, per_page: int = TEAM_PAGE_SIZE) -> TeamWorklist:
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
    counts: dict[str, int] = {}
    overdue, phase_pairs = 0, set()
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
        log_access(actor, Action.LIST, [Access("trajectory", t.pk, t.case_id, t.organisation_id) for t in rows])
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
    names: dict[str, str] = {}
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
