"""Reads of the plan stage for the professionals. They start from the case's visibility query (``get_case``) and
log every plan record and person they return. The Signs of Safety records have their own reads
(``safety.queries``), and so do the personal links and the network member's view through one
(``links.queries``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, OuterRef, Prefetch, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kring.audit.services import Action, case_access, log_access, person_access
from kring.cases import queries as case_queries
from kring.core.errors import NotFound
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.models import Trajectory

from . import core
from .choices import RUNNING_AGREEMENT, PlanType, ReviewKeeping
from .editing import agreement_access, bottom_line_access, plan_access, review_access
from .models import Agreement, AgreementReport, BottomLine, BottomLineCheck, Plan, Review, ReviewItem

# Bottom lines in force (no withdrawal date) first, on every database: NULLs sort last on PostgreSQL by default.
IN_FORCE_FIRST = F("withdrawn_on").asc(nulls_first=True)


@dataclass(frozen=True)
class ReviewLine:
    """How one agreement was kept at a review, as the plan page shows it."""

    what: str
    keeping: str | Promise  # in words (the choice's lazy label)
    note: str


@dataclass
class KeepingPoint:
    review: Review
    rate: float | None  # 0..1


@dataclass
class PlanView:
    """Everything the plan page, the API and the documents show of one plan."""

    case: object
    trajectory: Trajectory
    plan: Plan | None
    bottom_lines: list  # in force first, then withdrawn
    agreements: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    links: list = field(default_factory=list)
    keeping: list = field(default_factory=list)
    latest_checks: list = field(default_factory=list)  # compact view: the latest decision's checks
    latest_review: object = None  # compact view: the latest review held and its judgements
    latest_items: list = field(default_factory=list)
    map_entries: list = field(default_factory=list)
    danger_statements: list = field(default_factory=list)
    ratings: list = field(default_factory=list)
    safety_network: list = field(default_factory=list)
    attachments: list = field(default_factory=list)

    @property
    def lines_in_force(self):
        return [line for line in self.bottom_lines if line.withdrawn_on is None]

    @property
    def is_safety_plan(self) -> bool:
        return bool(self.plan and self.plan.plan_type == PlanType.SAFETY_PLAN)

    @property
    def latest_decision(self):
        return self.decisions[0] if self.decisions else None

    @property
    def overdue(self):
        from django.utils import timezone

        today = timezone.localdate()
        return [
            a for a in self.agreements if core.is_overdue(a.due_on, a.in_force and a.status in RUNNING_AGREEMENT, today)
        ]


def _with_follow_up(agreements):
    """Agreements with their persons, bottom lines and reports (newest first), in a fixed number of queries."""
    reports = AgreementReport.objects.select_related("link__person", "reported_by").order_by("-reported_at", "-id")
    return agreements.select_related(
        "owner_person", "backup_person", "checker_person", "checker_user"
    ).prefetch_related("bottom_lines", Prefetch("reports", queryset=reports))


# What the plan page shows of an agreement and of the people on it (their names; case and organisation for the
# access log): reading only these keeps a long plan's agreements light.
SHOWN_AGREEMENT_FIELDS = (
    [f.name for f in Agreement._meta.concrete_fields]
    + [
        f"{person}__{name}"
        for person in ("owner_person", "backup_person", "checker_person")
        for name in ("first_name", "last_name", "case", "organisation")
    ]
    + [f"checker_user__{name}" for name in ("first_name", "last_name", "email")]
)


def _with_latest_report(agreements, lines) -> list:
    """Agreements with their persons, the bottom lines they answer (as ``answers``, taken from ``lines``, the
    trajectory's bottom lines already loaded) and only their newest report (``latest_report``), however many
    they have, in a fixed number of queries."""
    newest = (
        AgreementReport.objects.filter(agreement_id=OuterRef("pk")).order_by("-reported_at", "-id").values("pk")[:1]
    )
    rows = list(
        agreements.select_related("owner_person", "backup_person", "checker_person", "checker_user")
        .only(*SHOWN_AGREEMENT_FIELDS)
        .annotate(newest_report_id=Subquery(newest))
    )
    by_id = {line.pk: line for line in lines}
    answers: dict[int, list[BottomLine]] = {}
    links = Agreement.bottom_lines.through.objects.filter(agreement_id__in=[a.pk for a in rows])
    for agreement_id, line_id in links.values_list("agreement_id", "bottomline_id").order_by("bottomline_id"):
        if line_id in by_id:
            answers.setdefault(agreement_id, []).append(by_id[line_id])
    wanted = [a.newest_report_id for a in rows if a.newest_report_id]
    reports = (
        {r.pk: r for r in AgreementReport.objects.filter(pk__in=wanted).select_related("link__person", "reported_by")}
        if wanted
        else {}
    )
    for agreement in rows:
        agreement.latest_report = reports.get(agreement.newest_report_id)
        agreement.answers = answers.get(agreement.pk, [])
    return rows


def _agreement_accesses(agreements) -> list:
    """Log entries for the agreements and, once each, the persons named on them."""
    accesses = [agreement_access(a) for a in agreements]
    persons = {p.pk: p for a in agreements for p in (a.owner_person, a.backup_person, a.checker_person) if p}
    return accesses + [person_access(p) for p in persons.values()]


def get_trajectory(actor, case_id, trajectory_id, log: bool = True):
    """The case (logged as viewed, unless the caller logs it with the rest) and one of its trajectories."""
    case = case_queries.get_case(actor, case_id, log=log)
    trajectory = Trajectory.objects.filter(case=case, pk=trajectory_id).select_related("coordinator").first()
    if trajectory is None:
        raise NotFound()
    return case, trajectory


def plan_view(actor, case_id, trajectory_id, *, complete: bool = True) -> PlanView:
    """The plan of a trajectory with its bottom lines, agreements, decisions, reviews and links, in a fixed
    number of queries whatever the plan's size.

    ``complete=False`` is the plan page's view of a plan with a long history: the checks of the latest decision
    only (``latest_checks``), the per-agreement judgements of the latest review held only (``latest_items``),
    each agreement's latest report only, and no decision snapshots. Earlier checks have a page of their own
    (``decision_history``); how well the plan was kept at every review is still computed from all of them."""
    case = case_queries.get_case(actor, case_id, log=False)
    # The plan with its trajectory in one query; the trajectory alone when it has no plan yet.
    plan = (
        Plan.objects.filter(case=case, trajectory_id=trajectory_id)
        .select_related("trajectory__coordinator", "organisation", "meeting", "written_by")
        .first()
    )
    trajectory: Trajectory | None
    if plan is not None:
        trajectory = plan.trajectory
    else:
        trajectory = Trajectory.objects.filter(case=case, pk=trajectory_id).select_related("coordinator").first()
        if trajectory is None:
            raise NotFound()
    view = PlanView(case=case, trajectory=trajectory, plan=plan, bottom_lines=_bottom_lines(trajectory))
    # One log statement for the whole page: the case, then every record shown.
    accesses = [case_access(case)] + [bottom_line_access(line) for line in view.bottom_lines]
    if plan is not None:
        _read_plan(view, plan, complete)
        accesses.append(plan_access(plan))
        accesses += _agreement_accesses(view.agreements)
    log_access(actor, Action.VIEW, accesses)
    return view


def _bottom_lines(trajectory) -> list:
    """A trajectory's bottom lines, in force first, then withdrawn ones."""
    return list(
        BottomLine.objects.filter(trajectory=trajectory)
        .select_related("set_by")
        .order_by(IN_FORCE_FIRST, "order", "id")
    )


def _read_plan(view, plan, complete):
    """The plan's own records into the view: all of them, or the plan page's compact view of a long history."""
    view.agreements = (
        list(_with_follow_up(plan.agreements.all()))
        if complete
        else _with_latest_report(plan.agreements.all(), view.bottom_lines)
    )
    decisions = plan.decisions.select_related("decided_by")
    reviews = plan.reviews.select_related("held_by")
    if complete:
        decisions = decisions.prefetch_related(
            Prefetch("checks", queryset=BottomLineCheck.objects.select_related("bottom_line"))
        )
        reviews = reviews.prefetch_related(Prefetch("items", queryset=ReviewItem.objects.select_related("agreement")))
    else:
        decisions = decisions.defer("snapshot")
    view.decisions, view.reviews = list(decisions), list(reviews)
    if complete:
        judged = {r.pk: [i.keeping for i in r.items.all()] for r in view.reviews}
    else:
        judged = _read_latest_judgements(view, plan)
    view.links = list(plan.links.select_related("person", "created_by"))
    view.keeping = [KeepingPoint(r, core.keeping_rate(judged.get(r.pk, []))) for r in view.reviews if r.held_on]
    _read_safety(view, plan)


def _read_latest_judgements(view, plan) -> dict:
    """The compact view's judgements: the latest decision's checks and the latest review's items in full, and
    every review's judgements as plain values (returned, per review, for how well the plan was kept over time)."""
    judged: dict[int, list[str]] = {}
    lines_of: dict[int, list[ReviewLine]] = {}
    rows = (
        ReviewItem.objects.filter(review__plan=plan)
        .values_list("review_id", "keeping", "note", "agreement__what")
        .order_by("review_id", "agreement__order", "agreement_id")
    )
    keeping_names = dict(ReviewKeeping.choices)
    for review_id, keeping, note, what in rows:
        judged.setdefault(review_id, []).append(keeping)
        lines_of.setdefault(review_id, []).append(ReviewLine(what, keeping_names.get(keeping, keeping), note))
    # Always one query each, found or not, so the page costs the same at every stage of the plan.
    newest_decision = plan.decisions.order_by("-decided_at", "-id").values("pk")[:1]
    view.latest_checks = list(
        BottomLineCheck.objects.filter(decision=Subquery(newest_decision)).select_related("bottom_line")
    )
    held = [r for r in view.reviews if r.held_on]
    view.latest_review = max(held, key=lambda r: (r.held_on, r.pk)) if held else None
    view.latest_items = lines_of.get(view.latest_review.pk, []) if view.latest_review else []
    return judged


def _read_safety(view, plan):
    """The safety scale, as given at each review, and the Signs of Safety records of a safety plan."""
    # Ratings come from the Signs of Safety records or from a review held: none to read otherwise.
    if view.is_safety_plan or any(r.held_on for r in view.reviews):
        view.ratings = list(plan.ratings.select_related("person", "rater_user"))
    for review in view.reviews:  # the safety scale as given at each review, without a query per review
        review.scale = [r for r in view.ratings if r.review_id == review.pk]
    if view.is_safety_plan:  # the Signs of Safety records exist only on a safety plan
        view.map_entries = list(plan.map_entries.all())
        view.danger_statements = list(plan.danger_statements.all())
        view.safety_network = list(plan.safety_network.select_related("person"))
        view.attachments = list(plan.attachments.defer("content").select_related("child", "uploaded_by"))


def decision_history(actor, case_id, trajectory_id):
    """(case, trajectory, plan, decisions with their checks against the bottom lines), newest first."""
    case, trajectory = get_trajectory(actor, case_id, trajectory_id)
    plan = Plan.objects.filter(trajectory=trajectory).first()
    if plan is None:
        raise NotFound()
    decisions = list(
        plan.decisions.select_related("decided_by")
        .defer("snapshot")
        .prefetch_related(Prefetch("checks", queryset=BottomLineCheck.objects.select_related("bottom_line")))
    )
    log_access(actor, Action.VIEW, [plan_access(plan)], detail="decisions")
    return case, trajectory, plan, decisions


def plans_for_case(actor, case_id):
    """(case, [(trajectory, plan or None)]) for the case's plans overview."""
    case = case_queries.get_case(actor, case_id, log=False)
    trajectories = list(Trajectory.objects.filter(case=case).order_by("-offered_on", "-id"))
    plans = {p.trajectory_id: p for p in Plan.objects.filter(case=case)}
    log_access(actor, Action.LIST, [case_access(case)] + [plan_access(p) for p in plans.values()])
    return case, [(t, plans.get(t.pk)) for t in trajectories]


# One whole sentence per kind of record and change, so each language can use its own word order.
PLAN_HISTORY_EVENTS = {
    ("plan", "+"): _("Plan started"),
    ("plan", "~"): _("Plan changed"),
    ("plan", "-"): _("Plan removed"),
    ("agreement", "+"): _("Agreement added"),
    ("agreement", "~"): _("Agreement changed"),
    ("agreement", "-"): _("Agreement taken out"),
    ("bottom line", "+"): _("Bottom line set"),
    ("bottom line", "~"): _("Bottom line changed"),
    ("bottom line", "-"): _("Bottom line removed"),
}


def plan_history(actor, case_id, trajectory_id):
    """(case, trajectory, plan, entries): every change to the plan, its agreements and its bottom lines, newest
    first, with who made it and each field's old and new value."""
    case, trajectory = get_trajectory(actor, case_id, trajectory_id, log=False)
    plan = Plan.objects.filter(trajectory=trajectory).first()
    if plan is None:
        raise NotFound()
    entries = case_queries.history_entries(
        [
            (plan.history.all(), "plan"),
            (Agreement.history.filter(plan_id=plan.pk), "agreement"),
            (BottomLine.history.filter(trajectory_id=trajectory.pk), "bottom line"),
        ],
        PLAN_HISTORY_EVENTS,
    )
    log_access(actor, Action.VIEW, [case_access(case), plan_access(plan)], detail="history")
    return case, trajectory, plan, entries


def bottom_line_history(actor, case_id, bottom_line_id):
    case = case_queries.get_case(actor, case_id, log=False)
    line = BottomLine.objects.filter(case=case, pk=bottom_line_id).first()
    if line is None:
        raise NotFound()
    log_access(actor, Action.VIEW, [bottom_line_access(line)], detail="history")
    return case, line, list(line.history.select_related("history_user").order_by("-history_date"))


# ---- one list or record of a plan (the API) ----------------------------------------------------------------


def plan_of(actor, case_id, plan_id) -> Plan:
    """A plan of a visible case, or NotFound. Not logged here: the callers log the plan with what they answer."""
    case = case_queries.get_case(actor, case_id, log=False)
    plan = Plan.objects.filter(case=case, pk=plan_id).first()
    if plan is None:
        raise NotFound()
    return plan


def plan_id_of_trajectory(actor, case_id, trajectory_id) -> int:
    """The id of a trajectory's plan, for a write addressed by trajectory; only an id, so nothing is logged."""
    case = case_queries.get_case(actor, case_id, log=False)
    plan_id = Plan.objects.filter(case=case, trajectory_id=trajectory_id).values_list("pk", flat=True).first()
    if plan_id is None:
        raise NotFound()
    return plan_id


def bottom_lines_of_trajectory(actor, case_id, trajectory_id) -> list:
    """A trajectory's bottom lines, in force first, then withdrawn ones; logged as listed."""
    _case, trajectory = get_trajectory(actor, case_id, trajectory_id)
    lines = _bottom_lines(trajectory)
    log_access(actor, Action.LIST, [bottom_line_access(line) for line in lines])
    return lines


def bottom_line_detail(actor, case_id, bottom_line_id) -> BottomLine:
    """One bottom line of a visible case, logged as viewed."""
    case = case_queries.get_case(actor, case_id, log=False)
    line = BottomLine.objects.filter(case=case, pk=bottom_line_id).select_related("set_by").first()
    if line is None:
        raise NotFound()
    log_access(actor, Action.VIEW, [bottom_line_access(line)])
    return line


def agreements_of_plan(actor, case_id, plan_id) -> list:
    """A plan's agreements with their reports; the plan, the agreements and their persons are logged as listed."""
    plan = plan_of(actor, case_id, plan_id)
    agreements = list(_with_follow_up(plan.agreements.all()))
    log_access(actor, Action.LIST, [plan_access(plan)] + _agreement_accesses(agreements))
    return agreements


def agreement_detail(actor, case_id, agreement_id) -> Agreement:
    """One agreement with its reports; the agreement and its persons are logged."""
    case = case_queries.get_case(actor, case_id, log=False)
    agreement = _with_follow_up(Agreement.objects.filter(case=case, pk=agreement_id)).first()
    if agreement is None:
        raise NotFound()
    log_access(actor, Action.VIEW, _agreement_accesses([agreement]))
    return agreement


def reviews_of_plan(actor, case_id, plan_id) -> list:
    """A plan's reviews with their items; the plan and the reviews are logged as listed."""
    plan = plan_of(actor, case_id, plan_id)
    items = ReviewItem.objects.select_related("agreement")
    reviews = list(plan.reviews.prefetch_related(Prefetch("items", queryset=items)))
    log_access(actor, Action.LIST, [plan_access(plan)] + [review_access(r) for r in reviews])
    return reviews


# ---- follow-up across cases --------------------------------------------------------------------------------


def overdue_agreements(today: date, organisation_ids=None, since: date | None = None):
    """Agreements in force, still to be carried out, whose date has passed (optionally only since a date), across
    the given organisations (a region) or all; only while the trajectory runs (decision 46). Returns (id, case_id, organisation_id, due_on, is_safety) rows,
    read through the partial index on running agreements."""
    rows = Agreement.objects.filter(
        in_force=True,
        status__in=[s.value for s in RUNNING_AGREEMENT],
        due_on__lt=today,
        plan__trajectory__status__in=ACTIVE,
    )
    if since is not None:
        rows = rows.filter(due_on__gte=since)
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=list(organisation_ids))
    # No ordering: callers take the rows as a set, and sorting thousands of rows costs the scan for nothing.
    return (
        rows.exclude(case__status="closed")
        .order_by()
        .values_list("id", "case_id", "organisation_id", "due_on", "is_safety")
    )
