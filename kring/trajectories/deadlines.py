"""From stored records to the pure core's deadlines and clocks (and back to ``next_due_on``)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from .core import jeugdwet, schedule
from .core.states import ACTIVE
from .models import FamilyPlanRight, Trajectory, TrajectoryPhase


def phase_specs(trajectory: Trajectory) -> list[schedule.PhaseSpec]:
    return [
        schedule.PhaseSpec(p["code"], float(p["default_weeks"]), float(p["max_weeks"]) if p.get("max_weeks") else None)
        for p in trajectory.phases_followed
    ]


def phase_deadlines(trajectory: Trajectory, phases: list[TrajectoryPhase]) -> list[schedule.Deadline]:
    """The current phase's planned end and latest end, while the trajectory is active."""
    if trajectory.status not in ACTIVE:
        return []
    result = []
    for phase in phases:
        if phase.started_on and not phase.ended_on:
            if phase.planned_end:
                result.append(schedule.Deadline("phase_end", phase.planned_end))
            if phase.latest_end and phase.latest_end != phase.planned_end:
                result.append(schedule.Deadline("phase_latest", phase.latest_end))
    return result


def clocks(trajectory: Trajectory, today: date | None = None) -> schedule.Clocks:
    ended = trajectory.declined_on or trajectory.closed_on
    return schedule.clocks(
        trajectory.offered_on, today or timezone.localdate(), trajectory.plan_made_on, trajectory.abandoned_on, ended
    )


def as_core(record: FamilyPlanRight) -> jeugdwet.FamilyPlanRight:
    accepted = {"accepted": True, "declined": False}.get(record.parents_answer)
    return jeugdwet.FamilyPlanRight(
        offered_on=record.offered_on,
        reasonable_term_until=record.reasonable_term_until,
        parents_answered_on=record.parents_answered_on,
        parents_accepted=accepted,
        dropped_on=record.dropped_on,
        drop_ground=record.drop_ground,
        exemption=record.exemption,
        family_plan_made_on=record.family_plan_made_on,
        professional_plan_adopted_on=record.professional_plan_adopted_on,
        written_copy_requested_on=record.written_copy_requested_on,
        written_copy_given_on=record.written_copy_given_on,
    )


def legal_deadlines(record: FamilyPlanRight) -> list[schedule.Deadline]:
    return jeugdwet.deadlines(as_core(record))


def earliest_open(deadlines) -> date | None:
    open_ = schedule.open_deadlines(deadlines)
    return open_[0].due_on if open_ else None
