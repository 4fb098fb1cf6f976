"""Signs of Safety: the reads of a safety plan's records, for the safety page and its forms. They read through the
plan's queries (which start from the case's visibility query) and log every record and person they show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kring.audit.services import Action, log_access, person_access
from kring.cases import queries as case_queries
from kring.cases.models import CaseTeamMember, Person
from kring.cases.services import has_consent
from kring.core.errors import NotFound
from kring.network.models import NetworkMember, Safety

from ..charts import line_chart_svg
from ..choices import MAP_GROUPS, PlanType
from ..editing import child_tool_access, plan_access
from ..models import ChildToolAttachment, DangerStatement, Plan, SafetyMapEntry
from ..queries import PlanView, get_trajectory, plan_view
from .services import (
    SCORE_MAX,
    SCORE_MIN,
    SHARING_CONSENT,
    entry_access,
    network_member_access,
    rating_access,
    statement_access,
)


def attachment_download(actor, case_id, trajectory_id, attachment_id) -> ChildToolAttachment:
    """One attachment with its content, for the case team; logged as an export. Outside the user's cases: NotFound,
    logged as refused."""
    case = case_queries.get_case(actor, case_id, log=False)
    attachment = (
        ChildToolAttachment.objects.select_related("child")
        .filter(case=case, plan__trajectory_id=trajectory_id, pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise NotFound()
    accesses = [child_tool_access(attachment)] + ([person_access(attachment.child)] if attachment.child else [])
    log_access(actor, Action.EXPORT, accesses)
    return attachment


# ---- the safety page ---------------------------------------------------------------------------------------


@dataclass
class MapColumnView:
    code: str
    label: str | Promise  # the column's lazy label
    entries: list


@dataclass
class MapGroupView:
    title: str
    columns: list  # MapColumnView


@dataclass
class AttachmentRow:
    attachment: ChildToolAttachment
    consent_in_force: bool  # False: shared more widely than the consent in force allows today


@dataclass
class SafetyPage:
    view: PlanView
    case: object
    trajectory: object
    plan: Plan | None
    groups: list = field(default_factory=list)
    statements: list = field(default_factory=list)
    ratings: list = field(default_factory=list)
    chart: str = ""
    rules: list = field(default_factory=list)
    network: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    unsafe_ids: set = field(default_factory=set)  # persons marked unsafe on the network map (since they joined)

    @property
    def is_safety_plan(self) -> bool:
        return self.view.is_safety_plan


def rating_series(ratings) -> dict[str, list[tuple[date, float]]]:
    """One series per rater, in the order they first gave a score. Two raters with the same name stay apart."""
    series: dict[str, list] = {}
    names: dict[tuple, str] = {}
    for rating in sorted(ratings, key=lambda r: (r.rated_on, r.pk)):
        key = ("p", rating.person_id) if rating.person_id else ("u", rating.rater_user_id)
        if key not in names:
            name, n = rating.rater, 2
            while name in series:
                name, n = f"{rating.rater} ({n})", n + 1
            names[key] = name
            series[name] = []
        series[names[key]].append((rating.rated_on, float(rating.score)))
    return series


def safety_page(actor, case_id, trajectory_id) -> SafetyPage:
    """Everything the Signs of Safety page shows, from the plan's read (visibility, access log); the safety
    records and the persons they name are logged too."""
    view = plan_view(actor, case_id, trajectory_id)
    page = SafetyPage(view=view, case=view.case, trajectory=view.trajectory, plan=view.plan)
    if view.plan is None or not view.is_safety_plan:
        return page
    by_column: dict[str, list] = {}
    for entry in view.map_entries:
        by_column.setdefault(entry.column, []).append(entry)
    page.groups = [
        MapGroupView(str(title), [MapColumnView(c.value, c.label, by_column.get(c.value, [])) for c in columns])
        for title, columns in MAP_GROUPS
    ]
    page.statements = view.danger_statements
    page.ratings = sorted(view.ratings, key=lambda r: (r.rated_on, r.pk))
    # The axis label stays short to fit beside the chart; the page explains 0 and 10 above it.
    page.chart = line_chart_svg(
        rating_series(page.ratings), SCORE_MIN, SCORE_MAX, _("Safety scale over time"), _("score (0-10)")
    )
    page.rules = [a for a in view.agreements if a.is_safety]
    page.network = view.safety_network
    consent = {sharing: has_consent(view.case, purpose) for sharing, purpose in SHARING_CONSENT.items()}
    page.attachments = [AttachmentRow(a, consent.get(a.sharing, True)) for a in view.attachments]
    page.unsafe_ids = unsafe_person_ids(view.case)
    persons = {
        p.pk: p
        for p in (
            [r.person for r in view.ratings]
            + [m.person for m in view.safety_network]
            + [a.child for a in view.attachments]
        )
        if p is not None
    }
    accesses = (
        [entry_access(e) for e in view.map_entries]
        + [statement_access(s) for s in view.danger_statements]
        + [rating_access(r) for r in view.ratings]
        + [network_member_access(m) for m in view.safety_network]
        + [child_tool_access(a) for a in view.attachments]
        + [person_access(p) for p in persons.values()]
    )
    log_access(actor, Action.VIEW, accesses)
    return page


@dataclass
class SafetyFormContext:
    """What a Signs of Safety form page needs: the plan, and for the forms that name people their choices."""

    case: object
    trajectory: object
    plan: Plan
    persons: list = field(default_factory=list)
    team: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    unsafe_ids: set = field(default_factory=set)


def safety_plan_for(actor, case_id, trajectory_id, with_persons: bool = False) -> SafetyFormContext:
    """The trajectory's safety plan for a form page; NotFound when it has none. With ``with_persons`` also the
    persons of the case (logged), the case team and the plan's reviews, for the form's choices."""
    case, trajectory = get_trajectory(actor, case_id, trajectory_id)
    plan = Plan.objects.filter(trajectory=trajectory, plan_type=PlanType.SAFETY_PLAN).first()
    if plan is None:
        raise NotFound()
    context = SafetyFormContext(case=case, trajectory=trajectory, plan=plan)
    if with_persons:
        context.persons = case_persons(case)
        context.team = list(CaseTeamMember.objects.filter(case=case).select_related("user"))
        context.reviews = list(plan.reviews.all())
        context.unsafe_ids = unsafe_person_ids(case)
    log_access(actor, Action.VIEW, [plan_access(plan)] + [person_access(p) for p in context.persons])
    return context


def safety_record(actor, case_id, trajectory_id, model, record_id):
    """(form context, record) for an edit form: the record must belong to this trajectory's safety plan."""
    context = safety_plan_for(actor, case_id, trajectory_id)
    record = model.objects.filter(case=context.case, plan=context.plan, pk=record_id).first()
    if record is None:
        raise NotFound()
    access = {SafetyMapEntry: entry_access, DangerStatement: statement_access}[model]
    log_access(actor, Action.VIEW, [access(record)])
    return context, record


def require_record(context, model, record_id) -> None:
    """NotFound unless the record belongs to the context's safety plan: checked before a posted form is read, so a
    record of another plan is refused (and logged as refused) whatever the form holds."""
    if not model.objects.filter(case=context.case, plan=context.plan, pk=record_id).exists():
        raise NotFound()


def case_persons(case):
    """The persons of a case, central persons first (the caller logs them)."""
    return list(Person.objects.filter(case=case).order_by("-is_central", "last_name", "first_name"))


def unsafe_person_ids(case) -> set:
    return set(NetworkMember.objects.filter(case=case, safety=Safety.UNSAFE).values_list("person_id", flat=True))
