"""Rules of the plan stage in plain Python: checking a plan against its bottom lines, what a plan needs before it
can be submitted, the review schedule, and how well a plan is kept. No Django here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

# How a review's judgement counts towards "kept": partly kept counts half; "no longer needed" not at all.
KEEPING_WEIGHT = {"kept": 1.0, "partly": 0.5, "not_kept": 0.0}


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


def review_dates(accepted_on: date, moments: list[Moment]) -> list[tuple[str, date]]:
    """The follow-up moments of a method, counted from the day the plan was accepted."""
    return [(m.code, accepted_on + timedelta(days=round(m.after_weeks * 7))) for m in moments]


def keeping_rate(judgements: list[str]) -> float | None:
    """Share of the agreements kept at one review (0..1); None when nothing could be judged."""
    weights = [KEEPING_WEIGHT[j] for j in judgements if j in KEEPING_WEIGHT]
    if not weights:
        return None
    return sum(weights) / len(weights)


def is_overdue(due_on: date | None, running: bool, today: date) -> bool:
    return running and due_on is not None and due_on < today


def needs_safety_alert(
    is_safety: bool, running: bool, due_on: date | None, last_outcome: str | None, today: date
) -> bool:
    """A safety agreement alerts the case worker when it is overdue or its owner reports it not done."""
    if not is_safety:
        return False
    return last_outcome == "not_done" or is_overdue(due_on, running, today)
