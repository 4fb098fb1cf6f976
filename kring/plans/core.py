"""Rules of the plan stage in plain Python: checking a plan against its bottom lines, what a plan needs before it
can be submitted, the review schedule, and how well a plan is kept. No Django here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

# How a review's judgement counts towards "kept": partly kept counts half; "no longer needed" not at all.
KEEPING_WEIGHT = {"kept": 1.0, "partly": 0.5, "not_kept": 0.0}
SATURDAY = 5  # date.weekday(): Saturday and Sunday are no working days


@dataclass(frozen=True)
class Line:
    id: int
    non_negotiable: bool


@dataclass(frozen=True)
class Check:
    met: bool
    explanation: str


@dataclass
class Approval:
    """The outcome of checking a plan: whether it may be accepted and why not."""

    unchecked: list[int] = field(default_factory=list)  # bottom lines without a judgement
    unexplained: list[int] = field(default_factory=list)  # judgements without a reason
    failed_non_negotiable: list[int] = field(default_factory=list)
    failed_wishes: list[int] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unchecked and not self.unexplained

    @property
    def can_accept(self) -> bool:
        return self.complete and not self.failed_non_negotiable


def check_plan(lines: list[Line], checks: dict[int, Check]) -> Approval:
    """Every bottom line in force needs a judgement with a reason; a plan that fails a non-negotiable one
    cannot be accepted (a failed wish is allowed, and shown)."""
    result = Approval()
    for line in lines:
        check = checks.get(line.id)
        if check is None:
            result.unchecked.append(line.id)
            continue
        if not check.explanation.strip():
            result.unexplained.append(line.id)
        if not check.met:
            (result.failed_non_negotiable if line.non_negotiable else result.failed_wishes).append(line.id)
    return result


@dataclass(frozen=True)
class AgreementDraft:
    what: str
    has_owner: bool
    has_checker: bool
    starts_on: date | None = None
    ends_on: date | None = None
    due_on: date | None = None


def agreement_problems(agreement: AgreementDraft) -> dict[str, str]:
    """Field -> problem code for one agreement: an agreement needs a what, an owner and someone who checks,
    and its dates in order."""
    problems = {}
    if not agreement.what.strip():
        problems["what"] = "what_missing"
    if not agreement.has_owner:
        problems["owner"] = "owner_missing"
    if not agreement.has_checker:
        problems["checker"] = "checker_missing"
    if agreement.starts_on and agreement.ends_on and agreement.ends_on < agreement.starts_on:
        problems["ends_on"] = "ends_before_start"
    if agreement.starts_on and agreement.due_on and agreement.due_on < agreement.starts_on:
        problems["due_on"] = "due_before_start"
    return problems


def submission_problems(concerns: str, agreements: list[AgreementDraft]) -> list[str]:
    """What keeps a plan from being submitted for approval (problem codes)."""
    problems = []
    if not concerns.strip():
        problems.append("concerns_missing")
    if not agreements:
        problems.append("no_agreements")
    if any(agreement_problems(a) for a in agreements):
        problems.append("agreement_incomplete")
    return problems


@dataclass(frozen=True)
class Moment:
    code: str
    after_weeks: float


def working_day(day: date, holidays: Collection[date]) -> date:
    """The day itself when it is a working day, else the next one: no Saturday, Sunday or public holiday."""
    while day.weekday() >= SATURDAY or day in holidays:
        day += timedelta(days=1)
    return day


def review_dates(accepted_on: date, moments: list[Moment], holidays: Collection[date]) -> list[tuple[str, date]]:
    """The follow-up moments of a method, counted from the day the plan was accepted; a moment that falls on a
    weekend or on one of the public ``holidays`` of the case's jurisdiction moves to the next working day."""
    return [(m.code, working_day(accepted_on + timedelta(days=round(m.after_weeks * 7)), holidays)) for m in moments]


def review_years(accepted_on: date, moments: list[Moment]) -> range:
    """The calendar years whose public holidays ``review_dates`` needs (a week more, for a move past New Year)."""
    last = max((round(m.after_weeks * 7) for m in moments), default=0) + 7
    return range(accepted_on.year, (accepted_on + timedelta(days=last)).year + 1)


@dataclass(frozen=True)
class Keeping:
    """How well agreements were kept: the one definition of "agreements kept" that the plan page, the evaluation's
    indicators and its dataset all use. Every judgement counts (kept 1, partly kept half, not kept 0) except
    "no longer needed", which is left out; a plan's figure is that of its latest review held."""

    kept: int = 0
    partly: int = 0
    not_kept: int = 0

    @property
    def judged(self) -> int:
        return self.kept + self.partly + self.not_kept

    @property
    def share(self) -> float | None:
        """The share kept (0..1), partly kept counting half; None when nothing could be judged."""
        if not self.judged:
            return None
        weights = self.kept * KEEPING_WEIGHT["kept"] + self.partly * KEEPING_WEIGHT["partly"]
        return weights / self.judged

    def __add__(self, other: Keeping) -> Keeping:
        return Keeping(self.kept + other.kept, self.partly + other.partly, self.not_kept + other.not_kept)


def keeping_of(judgements: Iterable[str]) -> Keeping:
    """Count judgements (ReviewKeeping values); "no longer needed" and unknown values are left out."""
    counts = Counter(j for j in judgements if j in KEEPING_WEIGHT)
    return Keeping(counts["kept"], counts["partly"], counts["not_kept"])


def percent(share: float) -> int:
    """A share as the pages show it: a whole percentage, rounded as Python and Django's widthratio round."""
    return round(share * 100)


def keeping_rate(judgements: list[str]) -> float | None:
    """Share of the agreements kept at one review (0..1); None when nothing could be judged."""
    return keeping_of(judgements).share


def is_overdue(due_on: date | None, running: bool, today: date) -> bool:
    return running and due_on is not None and due_on < today


def needs_safety_alert(
    is_safety: bool, running: bool, due_on: date | None, last_outcome: str | None, today: date
) -> bool:
    """A safety agreement alerts the case worker when it is overdue or its owner reports it not done."""
    if not is_safety:
        return False
    return last_outcome == "not_done" or is_overdue(due_on, running, today)


# ---- words for a child's age (decision 264) ---------------------------------------------------------------------

# The child's one-page plan and link page come in three bands: under 8 (read aloud by an adult), 8 to 11, and 12
# and over. A child whose age is unknown gets the middle band: plain words they can read themselves.
READ_ALOUD_UNTIL = 8
CHILD_UNTIL = 12
ADULT_AGE = 18
CHILD_BANDS = ("under_8", "8_11", "12_up")


def age_in_years(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def child_band(age: int | None) -> str:
    if age is None:
        return "8_11"
    if age < READ_ALOUD_UNTIL:
        return "under_8"
    return "8_11" if age < CHILD_UNTIL else "12_up"


def needs_advocate(age: int | None, invited_as_child: bool, under_age: int) -> bool:
    """A child invited to a meeting gets a child advocate or trusted person under the organisation's age; a child
    invited as a child whose birth date is unknown is asked about too (better asked once too often)."""
    if age is None:
        return invited_as_child
    return age < under_age
