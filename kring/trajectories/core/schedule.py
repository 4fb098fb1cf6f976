"""Planned dates of a trajectory's phases, and the clocks the source documents ask to be visible.

A phase plan follows the phases of the method version in order: each phase is planned to start when the
previous one is planned to end, and to take its default weeks; its latest end follows its maximum weeks.
Actual dates shift what follows: once a phase really started or ended, later phases are planned from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class PhaseSpec:
    code: str
    default_weeks: float
    max_weeks: float | None = None


@dataclass(frozen=True)
class PlannedPhase:
    code: str
    position: int
    planned_start: date
    planned_end: date
    latest_end: date | None


def weeks(n: float) -> timedelta:
    # Durations are whole days; half weeks in a definition round to the nearest day.
    return timedelta(days=round(n * 7))


def plan_phases(
    phases: Sequence[PhaseSpec], start: date, actual: dict[str, tuple[date | None, date | None]] | None = None
) -> list[PlannedPhase]:
    """Planned start, planned end and latest end of every phase, from ``start`` (the day the method was
    accepted) and the actual (start, end) dates known so far."""
    actual = actual or {}
    planned: list[PlannedPhase] = []
    cursor = start
    for position, phase in enumerate(phases):
        began, ended = actual.get(phase.code, (None, None))
        phase_start = began or cursor
        planned_end = phase_start + weeks(phase.default_weeks)
        latest = phase_start + weeks(phase.max_weeks) if phase.max_weeks else None
        planned.append(PlannedPhase(phase.code, position, phase_start, planned_end, latest))
        cursor = ended or planned_end
    return planned


@dataclass(frozen=True)
class Clocks:
    """What the source documents ask to see: weeks since the offer, and how long it took to a plan or to
    abandonment (None while that has not happened)."""

    weeks_since_offer: float | None
    weeks_to_plan: float | None
    weeks_to_abandonment: float | None
    running: bool


def _weeks_between(start: date, end: date) -> float:
    return round((end - start).days / 7, 1)


def clocks(
    offered_on: date | None,
    today: date,
    plan_made_on: date | None = None,
    abandoned_on: date | None = None,
    ended_on: date | None = None,
) -> Clocks:
    """The offer clock runs until a plan is made, the trajectory is abandoned, or it otherwise ended
    (declined, closed)."""
    if offered_on is None:
        return Clocks(None, None, None, False)
    stop = plan_made_on or abandoned_on or ended_on
    return Clocks(
        weeks_since_offer=_weeks_between(offered_on, stop or today),
        weeks_to_plan=_weeks_between(offered_on, plan_made_on) if plan_made_on else None,
        weeks_to_abandonment=_weeks_between(offered_on, abandoned_on) if abandoned_on else None,
        running=stop is None,
    )


@dataclass(frozen=True)
class Deadline:
    """A date by which something must happen; ``done_on`` once it did."""

    kind: str
    due_on: date
    done_on: date | None = None

    def state(self, today: date, soon_days: int = 7) -> str:
        if self.done_on is not None:
            return "done_late" if self.done_on > self.due_on else "done"
        if today > self.due_on:
            return "overdue"
        if (self.due_on - today).days <= soon_days:
            return "due_soon"
        return "upcoming"


def open_deadlines(deadlines: Iterable[Deadline]) -> list[Deadline]:
    return sorted((d for d in deadlines if d.done_on is None), key=lambda d: d.due_on)
