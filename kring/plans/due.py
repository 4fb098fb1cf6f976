"""What this stage has due: the plan's agreements in force and its open reviews.

Offered to the work lists and the reminder scan through ``kring.trajectories.due`` (registered in apps.py).

Agreements in force, still to be carried out, are reminded of by their due date (kind AGREEMENT, subject
``agreement:<id>``), to the case workers and the professional who checks them; the overdue ones are read through
``queries.overdue_agreements`` (the partial index on running agreements). An overdue safety agreement gets no
ordinary notice: ``follow_up.alert_case_team`` makes a SAFETY_ALERT and e-mails it at once, once. Open reviews of
active trajectories are reminded of by their planned date (kind REVIEW, subject ``review:<id>``), to the case
workers and the coordinator. Network members who own an agreement are not reminded through the scan's reminders
(a reminder needs a user): ``follow_up.remind_members`` e-mails them before the date, through their own link.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.db.models import Q
from django.urls import reverse

from kring.audit.services import Access
from kring.cases.choices import CaseRole, CaseStatus
from kring.cases.models import CaseTeamMember
from kring.trajectories.choices import DeadlineKind
from kring.trajectories.core import schedule
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.due import SOON_DAYS, DueDate, DueFound, ScanWindow, Step, StepQuery

from . import follow_up, queries
from .alerts.services import escalate_alerts
from .choices import RUNNING_AGREEMENT
from .models import Agreement, Review

CLOSED = CaseStatus.CLOSED
# The plan's agreements and reviews come on my work list this many days ahead (and for as long as they are overdue).
PLAN_STEP_DAYS = 28
REVIEW_SUBJECT = "review:"


def review_subject(review_id) -> str:
    return f"{REVIEW_SUBJECT}{review_id}"


def plan_url(case_id, trajectory_id) -> str:
    return reverse("plans:plan", args=[case_id, trajectory_id])


def running_agreements(**filters):
    """Agreements in force still to be carried out (and matching ``filters``), of running trajectories and open
    cases."""
    return Agreement.objects.filter(
        in_force=True,
        status__in=[s.value for s in RUNNING_AGREEMENT],
        plan__trajectory__status__in=ACTIVE,
        **filters,
    ).exclude(case__status=CLOSED)


# ---- on my work list ---------------------------------------------------------------------------------------


def plan_steps(ask: StepQuery) -> tuple[list[Step], list[Access]]:
    """The plan's agreements in force due within PLAN_STEP_DAYS or overdue (for the case workers and whoever checks
    the agreement) and the open reviews planned within PLAN_STEP_DAYS or overdue (for the case workers and the
    coordinator): two queries, whatever their number."""
    until = ask.today + timedelta(days=PLAN_STEP_DAYS)
    # The cases where the user is a case worker (a subquery within their own case-team cases, so on an index).
    worker_of = CaseTeamMember.objects.filter(
        user=ask.user, role=CaseRole.CASE_WORKER, case_id__in=ask.scope.case_ids
    ).values("case_id")
    steps, accesses = [], []
    _agreement_steps(ask, until, worker_of, steps, accesses)
    _review_steps(ask, until, worker_of, steps, accesses)
    return steps, accesses


def _agreement_steps(ask, until, worker_of, steps, accesses):
    agreements = (
        running_agreements(due_on__lte=until, case__in=ask.visible)
        .filter(Q(case_id__in=worker_of) | Q(checker_user=ask.user))
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
        row = (case_id, number, organisation_id, trajectory_id, method_code)
        steps.append(_plan_step(ask, DeadlineKind.AGREEMENT, row, what, due_on, safety=is_safety))


def _review_steps(ask, until, worker_of, steps, accesses):
    reviews = (
        Review.objects.filter(
            held_on__isnull=True, planned_on__lte=until, case__in=ask.visible, plan__trajectory__status__in=ACTIVE
        )
        .exclude(case__status=CLOSED)
        .filter(Q(case_id__in=worker_of) | Q(plan__trajectory__coordinator=ask.user))
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
        row = (case_id, number, organisation_id, trajectory_id, method_code)
        steps.append(_plan_step(ask, DeadlineKind.REVIEW, row, name, planned_on))


# ---- reminders ---------------------------------------------------------------------------------------------


def plan_reminders(window: ScanWindow) -> DueFound:
    """Agreements due from today to the end of the window (their owners in the network hear of them too),
    those overdue since the window's start (a safety agreement raises an alert instead), and open reviews
    planned in the window. Five queries at most, plus the network members' e-mails. Every scan also sends the
    safety alerts nobody acknowledged in time to the team lead (``alerts.services.escalate_alerts``)."""
    escalate_alerts()
    found = DueFound()
    upcoming = list(
        running_agreements(due_on__gte=window.today, due_on__lte=window.high).values_list(
            "id", "case_id", "organisation_id", "due_on", "checker_user_id", "plan__trajectory_id"
        )
    )
    # The members who carry these agreements hear of them too, before the date (through their own link).
    follow_up.remind_members(
        window.today,
        [(agreement_id, org, due_on) for agreement_id, _case, org, due_on, _checker, _trajectory in upcoming],
        lambda org, due_on: window.stage(org, due_on) if window.email_for(org) else None,
    )
    for agreement_id, case_id, org, due_on, checker_id, trajectory_id in upcoming:
        found.cases.add(case_id)
        found.dates.append(_agreement_date(agreement_id, case_id, org, due_on, checker_id, trajectory_id))
    for agreement in _overdue_agreements(window):
        found.cases.add(agreement.case_id)
        if agreement.is_safety:
            # A safety alert and its e-mail, once per agreement and due date (the reminder's unique key).
            found.alerts.append(partial(follow_up.alert_case_team, agreement, window.today))
        else:
            found.dates.append(
                _agreement_date(
                    agreement.pk,
                    agreement.case_id,
                    agreement.organisation_id,
                    agreement.due_on,
                    agreement.checker_user_id,
                    agreement.plan.trajectory_id,
                )
            )
    _review_reminders(window, found)
    return found


def _agreement_date(agreement_id, case_id, org, due_on, checker_id, trajectory_id) -> DueDate:
    subject = follow_up.agreement_subject(agreement_id)
    return DueDate(org, case_id, trajectory_id, DeadlineKind.AGREEMENT, subject, due_on, checker_id)


def _overdue_agreements(window: ScanWindow) -> list:
    """The agreements overdue since the window's start, read through the partial index on running agreements."""
    overdue_ids = [row[0] for row in queries.overdue_agreements(window.today, since=window.low)]
    if not overdue_ids:
        return []
    return list(
        Agreement.objects.filter(pk__in=overdue_ids)
        .select_related("plan")
        .only(
            "id",
            "case_id",
            "organisation_id",
            "due_on",
            "is_safety",
            "checker_user_id",
            "plan_id",
            "plan__trajectory_id",
        )
    )


def _review_reminders(window: ScanWindow, found: DueFound) -> None:
    """Open reviews of active trajectories planned in the window; to the case workers and the coordinator."""
    reviews = (
        Review.objects.filter(
            held_on__isnull=True,
            planned_on__gte=window.low,
            planned_on__lte=window.high,
            plan__trajectory__status__in=ACTIVE,
        )
        .exclude(case__status=CLOSED)
        .values_list(
            "id", "case_id", "organisation_id", "planned_on", "plan__trajectory_id", "plan__trajectory__coordinator_id"
        )
    )
    for review_id, case_id, org, planned_on, trajectory_id, coordinator_id in reviews:
        found.cases.add(case_id)
        found.dates.append(
            DueDate(
                org, case_id, trajectory_id, DeadlineKind.REVIEW, review_subject(review_id), planned_on, coordinator_id
            )
        )


def _plan_step(ask, kind, trajectory_row, what, due_on, safety=False) -> Step:
    """One step of a plan on "my work": an agreement or a review of a trajectory, with its state today."""
    case_id, number, organisation_id, trajectory_id, method_code = trajectory_row
    return Step(
        case_id=case_id,
        case_number=number,
        organisation_id=organisation_id,
        trajectory_id=trajectory_id,
        method_code=method_code,
        kind=kind,
        kind_label=str(ask.labels[kind]),
        what=what,
        due_on=due_on,
        state=schedule.Deadline(kind, due_on).state(ask.today, SOON_DAYS),
        url=plan_url(case_id, trajectory_id),
        safety=safety,
    )
