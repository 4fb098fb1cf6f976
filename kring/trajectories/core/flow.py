"""Which event moves a trajectory how: the pure rule behind "status follows the work".

A method definition carries a table (``[[flow.steps]]``): per event the status the trajectory should reach, the
phase that should then be current and the status the case should reach. ``move_on`` applies one row to where the
trajectory stands and answers what changes, or that nothing changes:

- an event without a row in the method's table changes nothing;
- a target already reached, or already passed on the way to closure, changes nothing: moving is idempotent and
  never goes backwards;
- while the offer is still open (status ``offered``) events change nothing: the family's answer comes first;
- a target one step away in the status machine is taken (abandoning and closing with their reason);
- any other target is refused with ``EventRefused``, which names the step the machine allows instead.

A phase moves only forward (later in the method's order); phases passed over are ended on the same day. Ending
the trajectory (abandoned, declined, closed) ends its phases. The case only moves forward too (referred, active);
an event never closes a case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import states

# The events the stages report, in journey order.
OFFER_ACCEPTED = "offer_accepted"
COORDINATOR_ALLOCATED = "coordinator_allocated"
MEETING_SCHEDULED = "meeting_scheduled"
MEETING_HELD = "meeting_held"
PLAN_ACCEPTED = "plan_accepted"
REVIEW_HELD = "review_held"
PLAN_CLOSED = "plan_closed"
ABANDONED = "abandoned"
DECLINED = "declined"

EVENTS = (
    OFFER_ACCEPTED,
    COORDINATOR_ALLOCATED,
    MEETING_SCHEDULED,
    MEETING_HELD,
    PLAN_ACCEPTED,
    REVIEW_HELD,
    PLAN_CLOSED,
    ABANDONED,
    DECLINED,
)

# The case statuses an event may move a case to, in order; an event never closes a case.
CASE_ORDER = ("referred", "active")

# The way to closure; declined and abandoned lie beside it and end it.
HAPPY_PATH = (
    states.OFFERED,
    states.ACCEPTED,
    states.PREPARING,
    states.MEETING_HELD,
    states.PLAN_MADE,
    states.FOLLOW_UP,
    states.CLOSED,
)
ENDED = frozenset({states.DECLINED, states.ABANDONED, states.CLOSED})


@dataclass(frozen=True)
class Step:
    """One row of a method's table: when ``on`` happens, reach this status, this phase and this case status
    (empty: leave it). ``reason``: the closure or abandonment reason the row gives when the caller gives none."""

    on: str
    status: str = ""
    phase: str = ""
    case_status: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Move:
    """What an event changes. ``status`` and ``case_status`` empty: unchanged. ``phase`` None: unchanged; ""
    the trajectory has no current phase any more (it ended). ``passed``: phases passed over on the way."""

    event: str
    status: str = ""
    phase: str | None = None
    passed: tuple[str, ...] = ()
    case_status: str = ""
    reason: str = ""

    @property
    def changes(self) -> bool:
        return bool(self.status or self.case_status) or self.phase is not None


@dataclass(frozen=True)
class EventRefused(Exception):
    """The event would move the trajectory along a step the status machine does not allow."""

    event: str
    current: str
    target: str
    allowed: tuple[str, ...]

    def __str__(self) -> str:
        options = ", ".join(self.allowed) or "none"
        return f"{self.event} cannot move {self.current} to {self.target}; possible: {options}"


def step_for(event: str, steps: Sequence[Step]) -> Step | None:
    """The table's row for the event, or None."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    return next((step for step in steps if step.on == event), None)


def _target_status(event: str, current: str, target: str, reason: str) -> str:
    """The new status, "" for none; raises EventRefused or states.MissingReason."""
    if not target or target == current:
        return ""
    if current == states.OFFERED and target not in states.TRANSITIONS[current]:
        return ""  # the offer is still open: nothing moves before the family's answer
    if current not in ENDED and target in states.TRANSITIONS[current]:
        states.check_transition(current, target, reason)
        return target
    if current in HAPPY_PATH and target in HAPPY_PATH and HAPPY_PATH.index(target) < HAPPY_PATH.index(current):
        return ""  # already further along: never backwards
    raise EventRefused(event, current, target, states.allowed_from(current))


def _phase_index(phase: str, status: str, phases: Sequence[str]) -> int:
    if phase in phases:
        return phases.index(phase)
    # No current phase: none started yet (offered) or all of them ended.
    return -1 if status == states.OFFERED else len(phases)


def move_on(
    event: str,
    status: str,
    phase: str,
    phases: Sequence[str],
    steps: Sequence[Step],
    case_status: str = "",
    reason: str = "",
) -> Move:
    """What ``event`` changes for a trajectory in ``status`` with current ``phase`` (of the method's ``phases`` in
    order), following the method's table ``steps``. Raises EventRefused for a step the machine forbids and
    states.MissingReason when an ending step has no reason."""
    if status not in states.TRANSITIONS:
        raise ValueError(f"unknown status {status!r}")
    step = step_for(event, steps)
    if step is None:
        return Move(event)
    reason = reason or step.reason
    new_status = _target_status(event, status, step.status, reason)
    if status == states.OFFERED and not new_status:
        return Move(event)
    new_phase: str | None = None
    passed: tuple[str, ...] = ()
    if new_status in ENDED:
        new_phase = "" if phase else None
    elif step.phase and status not in ENDED:
        here, there = _phase_index(phase, status, phases), phases.index(step.phase)
        if there > here:
            new_phase = step.phase
            passed = tuple(phases[here + 1 : there])
    new_case = ""
    if step.case_status and case_status in CASE_ORDER:
        if CASE_ORDER.index(step.case_status) > CASE_ORDER.index(case_status):
            new_case = step.case_status
    return Move(event, new_status, new_phase, passed, new_case, reason if new_status in ENDED else "")


def expected(status: str, steps: Sequence[Step]) -> tuple[Step, ...]:
    """The table's rows that would move a trajectory in ``status`` on to its next status now, in journey order
    (what the method expects next). Ending rows (abandoned, declined) are left out: they are never expected."""
    if status not in states.TRANSITIONS or status in ENDED:
        return ()
    found = []
    for event in EVENTS:
        step = step_for(event, steps)
        if step is None or not step.status or step.status in (states.ABANDONED, states.DECLINED):
            continue
        if step.status in states.TRANSITIONS[status]:
            found.append(step)
    return tuple(found)


def event_targets(steps: Sequence[Step]) -> frozenset[str]:
    """The statuses this table reaches by an event: a manual step to one of them needs a reason."""
    return frozenset(step.status for step in steps if step.status)
