"""What is due, offered by each stage: the registry the work lists and the reminder scan read.

The work lists (``kring.worklists``) come after every stage in journey order, so they may gather from all of
them, but no stage may name the work lists. Each stage therefore offers what it has due here, from its
``AppConfig.ready()``: ``register_due_source(name, order, steps=..., reminders=...)``. The work lists loop over
``due_sources()`` in order.

- ``steps(ask: StepQuery) -> (list[Step], list[Access])``: the user's upcoming and overdue steps of this stage
  within the cases they may see, and the records read (the caller logs them all at once).
- ``reminders(window: ScanWindow) -> DueFound``: the dates this stage reminds of in the scan's window, the cases
  whose rows it read (the scan works out the recipients of all of them in one query) and the alerts it raises
  at once (a safety agreement overdue).

Also here: the reminder ``stage`` of a date (which lead time is reached today), which a stage needs when it
reminds others than the case team (the plan's network members).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from .choices import DeadlineKind

# A date this many days ahead is "due soon" on the work lists.
SOON_DAYS = 7
OVERDUE = -1
# An overdue notice is made at most this many days after the date (a worker that was down longer does not
# send notices about things long past: the work lists show them).
OVERDUE_NOTICE_DAYS = 14


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


@dataclass(frozen=True)
class StepQuery:
    """Who asks for their steps: the user, their scope (``scope_for``), the cases they may see (a query) and
    today; with the deadline kinds' labels in the current language."""

    user: object
    scope: object
    visible: object
    today: date
    labels: dict


# ---- reminders ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanWindow:
    """The reminder scan's day and window, and each organisation's reminder settings."""

    today: date
    low: date  # the oldest date still worth an overdue notice
    high: date  # the furthest date any organisation's lead times reach
    days_for: Callable[[int], list[int]]  # organisation id -> lead days, longest first
    email_for: Callable[[int], bool]  # organisation id -> are reminders e-mailed

    def stage(self, organisation_id: int, due_on: date) -> int | None:
        """The reminder due today for a date of this organisation (see ``stage``)."""
        return stage(due_on, self.today, self.days_for(organisation_id))


@dataclass(frozen=True)
class DueDate:
    """One date to remind of. The case workers on the case team are reminded, and ``also`` (the coordinator, or
    who checks an agreement) when they are on the case team too."""

    organisation_id: int
    case_id: int
    trajectory_id: int | None
    kind: str
    subject: str  # with the kind and the due date, what makes a reminder once (``reminder_once``)
    due_on: date
    also: int | None = None


@dataclass
class DueFound:
    """What a stage found for the scan."""

    cases: set = field(default_factory=set)  # the cases of every row read, whether or not a reminder is due
    dates: list = field(default_factory=list)  # DueDate
    alerts: list = field(default_factory=list)  # callables, each run in its own transaction, giving how many


def stage(due_on: date, today: date, lead_days: list[int]) -> int | None:
    """The reminder due today for a date: the smallest lead time already reached (0 on the day, -1 once
    overdue within the notice window), or None when no reminder is due yet (or any more)."""
    if today > due_on:
        return OVERDUE if (today - due_on).days <= OVERDUE_NOTICE_DAYS else None
    left = (due_on - today).days
    reached = [d for d in (*lead_days, 0) if d >= left]
    return min(reached) if reached else None


# ---- the registry ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueSource:
    name: str
    order: int
    steps: Callable[[StepQuery], tuple[list, list]] | None = None
    reminders: Callable[[ScanWindow], DueFound] | None = None


_sources: dict[str, DueSource] = {}


def register_due_source(name: str, order: int, steps=None, reminders=None) -> None:
    """Offer a stage's due steps and reminders. Registering a name again replaces it (ready() may run twice)."""
    _sources[name] = DueSource(name=name, order=order, steps=steps, reminders=reminders)


def due_sources() -> list[DueSource]:
    """The registered sources in their order (the order the work list logs and the scan reminds in)."""
    return sorted(_sources.values(), key=lambda source: (source.order, source.name))
