"""The plan's hand-offs (kring.inbox): a plan submitted for decision is told to the case worker(s) of the case, a
plan sent back to the coordinator of the trajectory; once the plan is decided, the submission is dealt with
for every case worker told of it. Called from services.py in the transaction of the event."""

from __future__ import annotations

from django.urls import reverse

from kring.cases.choices import CaseRole
from kring.inbox import kinds
from kring.inbox.recipients import case_team
from kring.inbox.services import notify, settle


def _link(plan) -> str:
    return reverse("plans:plan", kwargs={"pk": plan.case_id, "trajectory_id": plan.trajectory_id})


def submitted(case, plan) -> None:
    notify(
        kinds.PLAN_SUBMITTED,
        case_team(case, CaseRole.CASE_WORKER),
        organisation=case.organisation_id,
        case=case,
        link=_link(plan),
        key=_submission(plan),
    )


def _submission(plan) -> str:
    # One submission per plan version (a plan sent back is handed in again as the next version).
    return f"plan:{plan.pk}:{plan.edition}"


def decided(plan) -> None:
    """The plan was accepted or sent back: its submission no longer waits in anyone's inbox."""
    settle(kinds.PLAN_SUBMITTED, _submission(plan))


def sent_back(case, plan) -> None:
    coordinator = plan.trajectory.coordinator_id
    notify(
        kinds.PLAN_SENT_BACK,
        [coordinator] if coordinator else case_team(case, CaseRole.COORDINATOR),
        organisation=case.organisation_id,
        case=case,
        link=_link(plan),
        key=f"plan:{plan.pk}:{plan.version}",
    )
