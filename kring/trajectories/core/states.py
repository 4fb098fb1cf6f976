"""The status of a trajectory and the only ways it may change.

offered -> accepted | declined
accepted -> preparing
preparing -> meeting_held
meeting_held -> plan_made
plan_made -> follow_up | closed
follow_up -> closed
declined -> closed
Before a plan is made, a trajectory may be abandoned with a reason; an abandoned trajectory is closed.
"""

from __future__ import annotations

from dataclasses import dataclass

OFFERED = "offered"
ACCEPTED = "accepted"
DECLINED = "declined"
PREPARING = "preparing"
MEETING_HELD = "meeting_held"
PLAN_MADE = "plan_made"
ABANDONED = "abandoned"
FOLLOW_UP = "follow_up"
CLOSED = "closed"

STATUSES = (OFFERED, ACCEPTED, DECLINED, PREPARING, MEETING_HELD, PLAN_MADE, ABANDONED, FOLLOW_UP, CLOSED)

# Statuses in which the clocks of the source documents run (no plan and no end yet).
RUNNING = frozenset({OFFERED, ACCEPTED, PREPARING, MEETING_HELD})
# Statuses in which the trajectory is still somebody's work.
ACTIVE = frozenset({OFFERED, ACCEPTED, PREPARING, MEETING_HELD, PLAN_MADE, FOLLOW_UP})

TRANSITIONS: dict[str, frozenset[str]] = {
    OFFERED: frozenset({ACCEPTED, DECLINED, ABANDONED}),
    ACCEPTED: frozenset({PREPARING, ABANDONED}),
    PREPARING: frozenset({MEETING_HELD, ABANDONED}),
    MEETING_HELD: frozenset({PLAN_MADE, ABANDONED}),
    PLAN_MADE: frozenset({FOLLOW_UP, CLOSED}),
    FOLLOW_UP: frozenset({CLOSED}),
    DECLINED: frozenset({CLOSED}),
    ABANDONED: frozenset({CLOSED}),
    CLOSED: frozenset(),
}

ABANDONMENT_REASONS = (
    "family_withdrew",
    "network_too_small",
    "safety",
    "consent_withdrawn",
    "no_agreement_on_plan",
    "coordinator_unavailable",
    "situation_changed",
    "referred_elsewhere",
    "other",
)
CLOSURE_REASONS = (
    "plan_carried_out",
    "plan_in_place",
    "declined",
    "abandoned",
    "new_trajectory",
    "case_closed",
    "other",
)


@dataclass(frozen=True)
class IllegalTransition(Exception):
    """A change of status the machine does not allow; ``allowed`` says what is possible from ``current``."""

    current: str
    target: str
    allowed: tuple[str, ...]

    def __str__(self) -> str:
        options = ", ".join(self.allowed) or "none"
        return f"cannot go from {self.current} to {self.target}; possible: {options}"


@dataclass(frozen=True)
class MissingReason(Exception):
    """Abandoning or closing needs a reason from its list."""

    target: str

    def __str__(self) -> str:
        return f"{self.target} needs a reason from its list"


def allowed_from(current: str) -> tuple[str, ...]:
    """The statuses reachable in one step, in journey order."""
    if current not in TRANSITIONS:
        raise ValueError(f"unknown status {current!r}")
    return tuple(status for status in STATUSES if status in TRANSITIONS[current])


def check_transition(current: str, target: str, reason: str = "") -> None:
    """Raise unless ``current -> target`` is a step of the machine with the reason it needs."""
    if target not in TRANSITIONS:
        raise ValueError(f"unknown status {target!r}")
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target, allowed_from(current))
    if target == ABANDONED and reason not in ABANDONMENT_REASONS:
        raise MissingReason(target)
    if target == CLOSED and reason not in CLOSURE_REASONS:
        raise MissingReason(target)
