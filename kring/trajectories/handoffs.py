"""The trajectory's hand-offs (kring.inbox): a trajectory that needs a coordinator and has none is told to the
team lead(s) of the case's team; an allocated coordinator is told so. Called from services.py in the
transaction of the event."""

from __future__ import annotations

from django.urls import reverse

from kring.inbox import kinds
from kring.inbox.recipients import team_leads
from kring.inbox.services import notify, settle


def _link(trajectory) -> str:
    return reverse("trajectories:detail", kwargs={"pk": trajectory.case_id, "trajectory_id": trajectory.pk})


def without_coordinator(case, trajectory) -> None:
    notify(
        kinds.TRAJECTORY_WITHOUT_COORDINATOR,
        team_leads(case),
        organisation=case.organisation_id,
        case=case,
        link=_link(trajectory),
        key=f"trajectory:{trajectory.pk}",
    )


def coordinator_allocated(case, trajectory) -> None:
    settle(kinds.TRAJECTORY_WITHOUT_COORDINATOR, f"trajectory:{trajectory.pk}")
    notify(
        kinds.COORDINATOR_ALLOCATED,
        [trajectory.coordinator_id],
        organisation=case.organisation_id,
        case=case,
        link=_link(trajectory),
        key=f"trajectory:{trajectory.pk}:{trajectory.version}",
    )
