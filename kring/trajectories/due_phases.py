"""What this stage has due: the ends of the current phases and the open Jeugdwet deadlines.

Offered to the work lists and the reminder scan through ``kring.trajectories.due`` (registered in apps.py).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import get_language

from kring.audit.services import Access
from kring.cases.choices import CaseStatus

from . import deadlines
from .choices import DeadlineKind
from .core import jeugdwet, schedule
from .core.states import ACTIVE
from .due import SOON_DAYS, DueDate, DueFound, ScanWindow, Step, StepQuery
from .models import FamilyPlanRight, Trajectory, TrajectoryPhase

CLOSED = CaseStatus.CLOSED
# What the scan reads of a Jeugdwet record to work out its deadlines.
RIGHT_FIELDS = (
    "id",
    "case_id",
    "organisation_id",
    "exemption",
    "offered_on",
    "reasonable_term_until",
    "parents_answered_on",
    "parents_answer",
    "dropped_on",
    "drop_ground",
    "family_plan_made_on",
    "professional_plan_adopted_on",
    "written_copy_requested_on",
    "written_copy_given_on",
)


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


# ---- on my work list ---------------------------------------------------------------------------------------


def phase_steps(ask: StepQuery) -> tuple[list[Step], list[Access]]:
    """The ends of the current phases of the active trajectories the user coordinates or whose case team they
    are on: one query."""
    phases = (
        TrajectoryPhase.objects.filter(
            started_on__isnull=False,
            ended_on__isnull=True,
            trajectory__status__in=ACTIVE,
            trajectory__case__in=ask.visible,
        )
        .exclude(trajectory__case__status=CLOSED)
        .filter(Q(trajectory__coordinator=ask.user) | Q(trajectory__case_id__in=ask.scope.case_ids))
        .select_related("trajectory", "trajectory__case")
    )
    steps, accesses, seen = [], [], set()
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
                    kind_label=str(ask.labels[deadline.kind]),
                    what=phase_name(trajectory.phases_followed, phase.code),
                    due_on=deadline.due_on,
                    state=deadline.state(ask.today, SOON_DAYS),
                    url=trajectory_url(trajectory.case_id, trajectory.pk),
                )
            )
    return steps, accesses


def legal_steps(ask: StepQuery) -> tuple[list[Step], list[Access]]:
    """The open Jeugdwet deadlines of the Dutch cases on whose case team the user is: one query."""
    rights = (
        FamilyPlanRight.objects.filter(
            case__in=ask.visible,
            case_id__in=ask.scope.case_ids,
            next_due_on__isnull=False,
            organisation__jurisdiction="NL",
        )
        .exclude(case__status=CLOSED)
        .select_related("case")
    )
    steps, accesses = [], []
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
                    kind_label=str(ask.labels[deadline.kind]),
                    what="",
                    due_on=deadline.due_on,
                    state=deadline.state(ask.today, SOON_DAYS),
                    url=reverse("cases:detail", args=[record.case_id]),
                )
            )
    return steps, accesses


# ---- reminders ---------------------------------------------------------------------------------------------


def phase_reminders(window: ScanWindow) -> DueFound:
    """The open (current) phases of active trajectories due in the window, their planned end and their maximum;
    to the case workers and the coordinator. Two queries."""
    low, high = window.low, window.high
    # An earlier date long past keeps next_due_on low while the phase's maximum may still come up: those are
    # found too.
    maximum_in_window = TrajectoryPhase.objects.filter(
        trajectory_id=OuterRef("pk"),
        started_on__isnull=False,
        ended_on__isnull=True,
        latest_end__gte=low,
        latest_end__lte=high,
    )
    # Closed cases are left alone whatever their trajectories' status.
    due = (
        Trajectory.objects.filter(status__in=ACTIVE, next_due_on__lte=high)
        .exclude(case__status=CLOSED)
        .filter(Q(next_due_on__gte=low) | Exists(maximum_in_window))
    )
    phases = TrajectoryPhase.objects.filter(
        trajectory__in=due.values("pk"), started_on__isnull=False, ended_on__isnull=True
    ).values_list(
        "trajectory_id",
        "code",
        "planned_end",
        "latest_end",
        "trajectory__case_id",
        "trajectory__organisation_id",
        "trajectory__coordinator_id",
    )
    found = DueFound()
    for trajectory_id, code, planned_end, latest_end, case_id, org, coordinator_id in phases:
        found.cases.add(case_id)
        subject = f"t{trajectory_id}:{code}"
        if planned_end:
            found.dates.append(
                DueDate(org, case_id, trajectory_id, DeadlineKind.PHASE_END, subject, planned_end, coordinator_id)
            )
        if latest_end and latest_end != planned_end:
            found.dates.append(
                DueDate(org, case_id, trajectory_id, DeadlineKind.PHASE_LATEST, subject, latest_end, coordinator_id)
            )
    return found


def legal_reminders(window: ScanWindow) -> DueFound:
    """The open Jeugdwet deadlines of Dutch cases due in the window; to the case workers. One query."""
    rights = (
        FamilyPlanRight.objects.filter(
            next_due_on__gte=window.low, next_due_on__lte=window.high, organisation__jurisdiction="NL"
        )
        .exclude(case__status=CLOSED)
        .only(*RIGHT_FIELDS)
    )
    found = DueFound()
    for record in rights:
        found.cases.add(record.case_id)
        for deadline in schedule.open_deadlines(jeugdwet.deadlines(deadlines.as_core(record))):
            found.dates.append(
                DueDate(record.organisation_id, record.case_id, None, deadline.kind, f"fpr{record.pk}", deadline.due_on)
            )
    return found
