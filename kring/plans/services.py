"""Writes of the plan stage. Like the other stages: permission, validation and one transaction, the access log,
and version checks so a concurrent edit is refused rather than lost.

Who may do what:
- bottom lines and the decision on the plan: the case worker (or a team lead), never the coordinator alone:
  the professional who carries the responsibility for safety sets the conditions and checks the plan;
- the plan text, its agreements, personal links and reviews: whoever may change the case, and the
  trajectory's coordinator (who writes the plan down after the family presents it).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.audit.services import Access, Action, log_access
from kring.cases.choices import CaseRole
from kring.cases.editing import (
    case_standing,
    check_can_work_on,
    lock_case,
    logs_refusal,
    refuse_if_stale,
    validate,
)
from kring.cases.models import CaseTeamMember, Person
from kring.core.actor import Actor
from kring.core.errors import NotFound, form_version
from kring.meetings.models import Meeting, MeetingPart
from kring.trajectories.choices import DeadlineKind, Status
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.models import Reminder, Trajectory
from kring.trajectories.services import definition_for

from . import core
from .choices import (
    RUNNING_AGREEMENT,
    AgreementStatus,
    BottomLineKind,
    DecisionOutcome,
    PlanPart,
    PlanStatus,
    ReportOutcome,
    ReviewDecision,
    ReviewKeeping,
)
from .models import (
    Agreement,
    AgreementReport,
    BottomLine,
    BottomLineCheck,
    MemberReminder,
    PersonalLink,
    Plan,
    PlanDecision,
    Review,
    ReviewItem,
    SafetyScaleRating,
)

BOTTOM_LINE_FIELDS = ["order", "text", "reason", "legal_basis", "kind"]
PLAN_FIELDS = [
    "concerns",
    "if_it_goes_wrong",
    "child_view",
    "presented_on",
    "deliberation_kept",
    "deliberation_notes",
    "deliberation_chosen_by",
]
AGREEMENT_FIELDS = [
    "order",
    "what",
    "owner_person",
    "owner_professional",
    "starts_on",
    "ends_on",
    "frequency",
    "backup_person",
    "checker_person",
    "checker_user",
    "due_on",
    "is_safety",
    "bottom_lines",
]
# The fields a stale plan form is explained by; the notes of private time are not in the history (decision 41).
PLAN_HISTORY_FIELDS = [f for f in PLAN_FIELDS if f != "deliberation_notes"]
REVIEW_FIELDS = ["name", "planned_on"]
EDITABLE_PLAN = (PlanStatus.DRAFT, PlanStatus.SENT_BACK)
DECIDING_ROLES = {CaseRole.CASE_WORKER, CaseRole.TEAM_LEAD}

# Personal links: how long one stays valid unless the coordinator says otherwise, and how many wrong tries one
# address gets in a window before it is refused for a while.
LINK_DAYS_DEFAULT = 90
LINK_DAYS_MAX = 400
LINK_TRIES = 10
LINK_TRY_WINDOW = 15 * 60

# Refused work on the plan of a trajectory (the rule is ``check_can_work_on``).
WORK_REFUSAL = gettext_lazy("Only the case worker, the coordinator or the team lead can change this plan.")


class LinkThrottled(Exception):
    """Too many wrong links from one address: refused for a while."""


# ---- access log records ------------------------------------------------------------------------------------


def plan_access(plan) -> Access:
    return Access("plan", plan.pk, plan.case_id, plan.organisation_id)


def bottom_line_access(line) -> Access:
    return Access("bottom_line", line.pk, line.case_id, line.organisation_id)


def agreement_access(agreement) -> Access:
    return Access("agreement", agreement.pk, agreement.case_id, agreement.organisation_id)


def review_access(review) -> Access:
    return Access("plan_review", review.pk, review.case_id, review.organisation_id)


def link_access(link) -> Access:
    return Access("personal_link", link.pk, link.case_id, link.organisation_id)


# ---- permissions -------------------------------------------------------------------------------------------


def _check_can_decide(user, case):
    """Bottom lines and the decision on the plan belong to the responsible professional."""
    role, leads = case_standing(user, case)
    if role in DECIDING_ROLES or leads:
        return
    raise PermissionDenied(_("Only the case worker or the team lead sets the bottom lines and decides on the plan."))


def can_decide(user, case) -> bool:
    try:
        _check_can_decide(user, case)
    except PermissionDenied:
        return False
    return True


def can_work_on(user, case, trajectory) -> bool:
    try:
        check_can_work_on(user, case, trajectory, refusal=WORK_REFUSAL)
    except PermissionDenied:
        return False
    return True


# ---- helpers -----------------------------------------------------------------------------------------------


def _lock_trajectory(case, trajectory_id) -> Trajectory:
    trajectory = Trajectory.objects.select_for_update().filter(pk=trajectory_id, case=case).first()
    if trajectory is None:
        raise NotFound()
    return trajectory


def _lock(model, case, record_id, related=()):
    record = model.objects.select_for_update().select_related(*related).filter(pk=record_id, case=case).first()
    if record is None:
        raise NotFound()
    return record


def open_plan(actor, case_id, plan_id, *, deciding=False):
    """Lock case and plan and check the permission; (case, plan). Other plan modules build on it."""
    case = lock_case(case_id, actor.user)
    plan = _lock(Plan, case, plan_id, related=("trajectory", "organisation"))
    if deciding:
        _check_can_decide(actor.user, case)
    else:
        check_can_work_on(actor.user, case, plan.trajectory, refusal=WORK_REFUSAL)
    return case, plan


def _refuse_unknown(data, allowed):
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})


def _refuse_ended(trajectory):
    if trajectory.status not in ACTIVE:
        raise ValidationError({"__all__": [_("This trajectory has ended; its plan cannot change any more.")]})


def _refuse_not_editable(plan):
    if plan.status not in EDITABLE_PLAN:
        message = (
            _("The plan was submitted for approval; it can change again once it is sent back.")
            if plan.status == PlanStatus.SUBMITTED
            else _("This version of the plan was accepted. Start a new version to change it.")
        )
        raise ValidationError({"__all__": [message]})


def _refuse_during_private_time(plan):
    """Nothing is written into the plan while the family deliberates in private: professionals record the plan
    the family presents, not the deliberation."""
    running = MeetingPart.objects.filter(
        meeting__trajectory_id=plan.trajectory_id,
        private=True,
        started_at__isnull=False,
        ended_at__isnull=True,
    ).exists()
    if running:
        raise ValidationError(
            {
                "__all__": [
                    _("Private family time is still going on. The plan is written down once the family presents it.")
                ]
            }
        )


def _save(record, actor):
    record.version += 1
    record._history_user = actor.user
    record.save()


def _person_of_case(case, value, field, *, required=False):
    """The person of this case with this id, or a message under ``field`` (also for ids of other cases)."""
    if value in (None, ""):
        if required:
            raise ValidationError({field: [_("Choose a person of this case.")]})
        return None
    if isinstance(value, Person):
        value = value.pk
    try:
        person = Person.objects.filter(case=case, pk=int(value)).first()
    except (TypeError, ValueError):
        person = None
    if person is None:
        raise ValidationError({field: [_("Choose a person of this case.")]})
    return person


def _team_user(case, value, field):
    """The case-team member with this user id, or a message under ``field``."""
    if value in (None, ""):
        return None
    user_id = getattr(value, "pk", value)
    try:
        member = CaseTeamMember.objects.filter(case=case, user_id=int(user_id)).select_related("user").first()
    except (TypeError, ValueError):
        member = None
    if member is None:
        raise ValidationError({field: [_("Choose a member of the case team.")]})
    return member.user


# ---- bottom lines ------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def add_bottom_line(actor, case_id, trajectory_id, data: dict, path: str = "") -> BottomLine:
    """Record a condition any plan of this trajectory must meet."""
    case = lock_case(case_id, actor.user)
    trajectory = _lock_trajectory(case, trajectory_id)
    _check_can_decide(actor.user, case)
    _refuse_ended(trajectory)
    _refuse_unknown(data, BOTTOM_LINE_FIELDS)
    last = BottomLine.objects.filter(trajectory=trajectory).order_by("-order").values_list("order", flat=True).first()
    line = BottomLine(
        trajectory=trajectory,
        case=case,
        organisation=case.organisation,
        set_by=actor.user,
        set_on=timezone.localdate(),
        order=(last or 0) + 1,
    )
    for name, value in data.items():
        setattr(line, name, "" if value is None and name != "order" else value)
    if line.order is None:
        line.order = (last or 0) + 1
    validate(line, exclude=["trajectory", "case", "organisation", "set_by"])
    line._history_user = actor.user
    line.save()
    log_access(actor, Action.CREATE, [bottom_line_access(line)], path=path)
    return line


@logs_refusal
@transaction.atomic
def update_bottom_line(actor, case_id, bottom_line_id, changes: dict, expected_version, path: str = "") -> BottomLine:
    """Change a bottom line; each change is a new version, kept in its history."""
    case = lock_case(case_id, actor.user)
    line = _lock(BottomLine, case, bottom_line_id, related=("trajectory",))
    _check_can_decide(actor.user, case)
    _refuse_ended(line.trajectory)
    refuse_if_stale(line, expected_version, BOTTOM_LINE_FIELDS)
    _refuse_unknown(changes, BOTTOM_LINE_FIELDS)
    if line.withdrawn_on:
        raise ValidationError({"__all__": [_("This bottom line was withdrawn.")]})
    for name, value in changes.items():
        setattr(line, name, "" if value is None and name != "order" else value)
    validate(line, exclude=["trajectory", "case", "organisation", "set_by"])
    _save(line, actor)
    log_access(actor, Action.UPDATE, [bottom_line_access(line)], path=path)
    return line


@logs_refusal
@transaction.atomic
def withdraw_bottom_line(actor, case_id, bottom_line_id, reason: str, expected_version, path: str = "") -> BottomLine:
    """A bottom line no longer applies. It stays on record with its checks; new decisions skip it."""
    case = lock_case(case_id, actor.user)
    line = _lock(BottomLine, case, bottom_line_id, related=("trajectory",))
    _check_can_decide(actor.user, case)
    refuse_if_stale(line, expected_version, BOTTOM_LINE_FIELDS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"withdrawal_reason": [_("Say why the bottom line no longer applies.")]})
    if line.withdrawn_on:
        raise ValidationError({"__all__": [_("This bottom line was withdrawn.")]})
    line.withdrawn_on = timezone.localdate()
    line.withdrawal_reason = reason[:300]
    _save(line, actor)
    log_access(actor, Action.UPDATE, [bottom_line_access(line)], path=path)
    return line


def lines_in_force(trajectory_id):
    return BottomLine.objects.filter(trajectory_id=trajectory_id, withdrawn_on__isnull=True)


# ---- the plan ----------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def start_plan(actor, case_id, trajectory_id, path: str = "") -> Plan:
    """Open the trajectory's plan, of the kind its method makes. One plan per trajectory."""
    case = lock_case(case_id, actor.user)
    trajectory = _lock_trajectory(case, trajectory_id)
    check_can_work_on(actor.user, case, trajectory, refusal=WORK_REFUSAL)
    _refuse_ended(trajectory)
    if Plan.objects.filter(trajectory=trajectory).exists():
        raise ValidationError({"__all__": [_("This trajectory already has a plan.")]})
    definition = definition_for(case.organisation_id, trajectory.method_code)
    meeting = Meeting.objects.filter(trajectory=trajectory).exclude(status="cancelled").order_by("-starts_at").first()
    plan = Plan(
        trajectory=trajectory,
        case=case,
        organisation=case.organisation,
        plan_type=definition.plan_type,
        meeting=meeting,
        written_by=actor.user,
    )
    plan._history_user = actor.user
    plan.save()
    log_access(actor, Action.CREATE, [plan_access(plan)], path=path)
    return plan


def _clean_plan(plan):
    validate(plan, exclude=["trajectory", "case", "organisation", "meeting", "written_by"])
    errors = {}
    if plan.deliberation_kept and not plan.deliberation_chosen_by.strip():
        errors["deliberation_chosen_by"] = [_("Say who in the family chose to keep these notes.")]
    if not plan.deliberation_kept and (plan.deliberation_notes.strip() or plan.deliberation_chosen_by.strip()):
        errors["deliberation_kept"] = [_("Notes of the private family time are kept only when the family chooses so.")]
    if plan.presented_on and plan.presented_on > timezone.localdate():
        errors["presented_on"] = [_("This date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)


@logs_refusal
@transaction.atomic
def update_plan(actor, case_id, plan_id, changes: dict, expected_version, path: str = "") -> Plan:
    """Change the plan's text while it is a draft (or was sent back)."""
    case, plan = open_plan(actor, case_id, plan_id)
    _refuse_ended(plan.trajectory)
    _refuse_not_editable(plan)
    refuse_if_stale(plan, expected_version, PLAN_HISTORY_FIELDS)
    _refuse_unknown(changes, PLAN_FIELDS)
    _refuse_during_private_time(plan)
    for name, value in changes.items():
        if name in ("deliberation_kept",):
            value = bool(value)
        elif name != "presented_on" and value is None:
            value = ""
        setattr(plan, name, value)
    _clean_plan(plan)
    _save(plan, actor)
    log_access(actor, Action.UPDATE, [plan_access(plan)], path=path)
    return plan


def _touch_plan(plan, actor):
    """Adding, changing or removing an agreement changes the plan: its version moves on, so a form opened on the
    old plan is refused and nothing is silently overwritten."""
    _save(plan, actor)


def _apply_agreement(case, plan, agreement, data):
    lines = None
    for name, value in data.items():
        if name in ("owner_person", "backup_person", "checker_person"):
            setattr(agreement, name, _person_of_case(case, value, name))
        elif name == "checker_user":
            agreement.checker_user = _team_user(case, value, name)
        elif name == "bottom_lines":
            lines = _lines_of_plan(plan, value or [])
        elif name == "is_safety":
            agreement.is_safety = bool(value)
        elif name in ("starts_on", "ends_on", "due_on", "order"):
            setattr(agreement, name, value if value not in ("",) else None)
        else:
            setattr(agreement, name, "" if value is None else value)
    if agreement.order is None:
        agreement.order = 1
    validate(
        agreement,
        exclude=["plan", "case", "organisation", "owner_person", "backup_person", "checker_person", "checker_user"],
    )
    problems = core.agreement_problems(_draft(agreement))
    messages = {
        "what_missing": (_("Say what is agreed."), "what"),
        "owner_missing": (
            _("Say who carries out this agreement: a person of the network or a professional."),
            "owner_person",
        ),
        "checker_missing": (_("Say who checks that this agreement is kept."), "checker_person"),
        "ends_before_start": (_("The end cannot be before the start."), "ends_on"),
        "due_before_start": (_("The due date cannot be before the start."), "due_on"),
    }
    errors = {}
    for code in problems.values():
        text, field = messages[code]
        errors.setdefault(field, []).append(text)
    if agreement.backup_person_id and agreement.backup_person_id == agreement.owner_person_id:
        errors.setdefault("backup_person", []).append(_("The backup person must be someone else than the owner."))
    if errors:
        raise ValidationError(errors)
    return lines


def _draft(agreement) -> core.AgreementDraft:
    return core.AgreementDraft(
        what=agreement.what or "",
        has_owner=bool(agreement.owner_person_id or agreement.owner_professional.strip()),
        has_checker=bool(agreement.checker_person_id or agreement.checker_user_id),
        starts_on=agreement.starts_on,
        ends_on=agreement.ends_on,
        due_on=agreement.due_on,
    )


def _lines_of_plan(plan, ids):
    try:
        wanted = {int(getattr(i, "pk", i)) for i in ids}
    except (TypeError, ValueError):
        raise ValidationError({"bottom_lines": [_("Choose bottom lines of this trajectory.")]}) from None
    lines = list(lines_in_force(plan.trajectory_id).filter(pk__in=wanted))
    if len(lines) != len(wanted):
        raise ValidationError({"bottom_lines": [_("Choose bottom lines of this trajectory.")]})
    return lines


@logs_refusal
@transaction.atomic
def add_agreement(actor, case_id, plan_id, data: dict, expected_plan_version=None, path: str = "") -> Agreement:
    case, plan = open_plan(actor, case_id, plan_id)
    _refuse_ended(plan.trajectory)
    _refuse_not_editable(plan)
    refuse_if_stale(plan, expected_plan_version, PLAN_HISTORY_FIELDS)
    _refuse_unknown(data, AGREEMENT_FIELDS)
    _refuse_during_private_time(plan)
    last = plan.agreements.order_by("-order").values_list("order", flat=True).first()
    agreement = Agreement(plan=plan, case=case, organisation=case.organisation, order=(last or 0) + 1)
    lines = _apply_agreement(case, plan, agreement, data)
    agreement._history_user = actor.user
    agreement.save()
    if lines is not None:
        agreement.bottom_lines.set(lines)
    _touch_plan(plan, actor)
    log_access(actor, Action.CREATE, [agreement_access(agreement)], path=path)
    return agreement


@logs_refusal
@transaction.atomic
def update_agreement(actor, case_id, agreement_id, changes: dict, expected_version, path: str = "") -> Agreement:
    case = lock_case(case_id, actor.user)
    agreement = _lock(Agreement, case, agreement_id)
    case, plan = open_plan(actor, case_id, agreement.plan_id)
    _refuse_ended(plan.trajectory)
    _refuse_not_editable(plan)
    refuse_if_stale(agreement, expected_version, [f for f in AGREEMENT_FIELDS if f != "bottom_lines"])
    _refuse_unknown(changes, AGREEMENT_FIELDS)
    _refuse_during_private_time(plan)
    lines = _apply_agreement(case, plan, agreement, changes)
    _save(agreement, actor)
    if lines is not None:
        agreement.bottom_lines.set(lines)
    _touch_plan(plan, actor)
    log_access(actor, Action.UPDATE, [agreement_access(agreement)], path=path)
    return agreement


@logs_refusal
@transaction.atomic
def remove_agreement(actor, case_id, agreement_id, expected_version, path: str = "") -> None:
    """Take an agreement out of the draft. One that was ever in force is stopped, not deleted: the follow-up
    keeps its history."""
    case = lock_case(case_id, actor.user)
    agreement = _lock(Agreement, case, agreement_id)
    case, plan = open_plan(actor, case_id, agreement.plan_id)
    _refuse_not_editable(plan)
    refuse_if_stale(agreement, expected_version, [f for f in AGREEMENT_FIELDS if f != "bottom_lines"])
    if agreement.in_force or agreement.reports.exists():
        agreement.status = AgreementStatus.STOPPED
        _save(agreement, actor)
        log_access(actor, Action.UPDATE, [agreement_access(agreement)], path=path)
    else:
        log_access(actor, Action.DELETE, [agreement_access(agreement)], path=path)
        agreement.delete()
    _touch_plan(plan, actor)


@logs_refusal
@transaction.atomic
def submit_plan(actor, case_id, plan_id, expected_version, path: str = "") -> Plan:
    """The coordinator hands the written plan to the case worker for the check against the bottom lines."""
    case, plan = open_plan(actor, case_id, plan_id)
    _refuse_ended(plan.trajectory)
    _refuse_not_editable(plan)
    refuse_if_stale(plan, expected_version, PLAN_HISTORY_FIELDS)
    agreements = [a for a in plan.agreements.all() if a.status != AgreementStatus.STOPPED]
    problems = core.submission_problems(plan.concerns, [_draft(a) for a in agreements])
    messages = {
        "concerns_missing": _("Write down the concerns or goals, in the family's own words."),
        "no_agreements": _("A plan needs at least one agreement."),
        "agreement_incomplete": _("Every agreement needs what, who carries it out and who checks it."),
    }
    if problems:
        raise ValidationError({"__all__": [messages[p] for p in problems]})
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_on = timezone.localdate()
    _save(plan, actor)
    log_access(actor, Action.UPDATE, [plan_access(plan)], path=path)
    return plan


def snapshot(plan) -> dict:
    """The plan as decided on, kept with the decision so later versions never change what was accepted."""
    return {
        "edition": plan.edition,
        "plan_type": plan.plan_type,
        "concerns": plan.concerns,
        "if_it_goes_wrong": plan.if_it_goes_wrong,
        "child_view": plan.child_view,
        "presented_on": plan.presented_on.isoformat() if plan.presented_on else None,
        "agreements": [
            {
                "id": a.pk,
                "what": a.what,
                "owner": a.owner,
                "starts_on": _iso(a.starts_on),
                "ends_on": _iso(a.ends_on),
                "frequency": a.frequency,
                "backup": str(a.backup_person or ""),
                "checker": a.checker,
                "due_on": _iso(a.due_on),
                "is_safety": a.is_safety,
                "status": a.status,
            }
            for a in plan.agreements.select_related(
                "owner_person", "backup_person", "checker_person", "checker_user"
            ).order_by("order", "id")
        ],
    }


def _iso(value):
    return value.isoformat() if value else None


def formal_basis(plan) -> str:
    """What acceptance makes of the plan in law (shown on the decision)."""
    if plan.organisation.jurisdiction == "NL" and plan.plan_type == "family_group_plan":
        return _("familiegroepsplan (Jeugdwet art. 4.1.2): the formal plan of this trajectory")
    return _("the formal plan of this trajectory")


@logs_refusal
@transaction.atomic
def decide_plan(
    actor, case_id, plan_id, outcome: str, reason: str, checks: dict, expected_version, path: str = ""
) -> PlanDecision:
    """Check the submitted plan against every bottom line in force (met or not, and why) and accept it or send it
    back. A plan that fails a non-negotiable bottom line cannot be accepted. ``checks``: bottom line id ->
    (met, explanation)."""
    case, plan = open_plan(actor, case_id, plan_id, deciding=True)
    _refuse_ended(plan.trajectory)
    refuse_if_stale(plan, expected_version, PLAN_HISTORY_FIELDS)
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError({"__all__": [_("Only a plan submitted for approval can be decided on.")]})
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": [_("Choose accept or send back.")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you decide so.")]})
    lines = list(lines_in_force(plan.trajectory_id))
    parsed = _parse_checks(checks, {line.pk for line in lines})
    result = core.check_plan([core.Line(line.pk, line.kind == BottomLineKind.NON_NEGOTIABLE) for line in lines], parsed)
    errors = {}
    if result.unchecked:
        errors["checks"] = [_("Judge every bottom line: met or not met.")]
    if result.unexplained:
        errors.setdefault("checks", []).append(_("Say for every bottom line why it is met or not."))
    if outcome == DecisionOutcome.ACCEPTED and result.failed_non_negotiable:
        texts = ", ".join(f"“{line.text[:60]}”" for line in lines if line.pk in result.failed_non_negotiable)
        errors.setdefault("outcome", []).append(
            _(
                "The plan does not meet the non-negotiable bottom line %(lines)s; it cannot be accepted. Send it "
                "back with your reasons."
            )
            % {"lines": texts}
        )
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    decision = PlanDecision.objects.create(
        plan=plan,
        case=case,
        organisation=case.organisation,
        edition=plan.edition,
        outcome=outcome,
        reason=reason,
        formal_basis=formal_basis(plan) if outcome == DecisionOutcome.ACCEPTED else "",
        snapshot=snapshot(plan),
        decided_by=actor.user,
        decided_at=timezone.now(),
    )
    BottomLineCheck.objects.bulk_create(
        [
            BottomLineCheck(
                decision=decision,
                bottom_line=line,
                bottom_line_version=line.version,
                met=parsed[line.pk].met,
                explanation=parsed[line.pk].explanation[:4000],
            )
            for line in lines
        ]
    )
    if outcome == DecisionOutcome.ACCEPTED:
        plan.status = PlanStatus.ACCEPTED
        plan.accepted_on = today
        plan.agreements.exclude(status=AgreementStatus.STOPPED).update(in_force=True)
        plan.agreements.filter(status=AgreementStatus.STOPPED).update(in_force=False)
        _schedule_reviews(plan, today)
        _mark_plan_made(actor, case, plan, today, path)
    else:
        plan.status = PlanStatus.SENT_BACK
    _save(plan, actor)
    log_access(actor, Action.UPDATE, [plan_access(plan)], path=path, detail=f"decision: {outcome}")
    return decision


def _parse_checks(checks, known_ids) -> dict[int, core.Check]:
    parsed = {}
    for key, value in (checks or {}).items():
        try:
            line_id = int(key)
        except (TypeError, ValueError):
            raise ValidationError({"checks": [_("Unknown bottom line.")]}) from None
        if line_id not in known_ids:
            raise ValidationError({"checks": [_("Unknown bottom line.")]})
        if isinstance(value, dict):
            met, explanation = value.get("met"), value.get("explanation", "")
        else:
            met, explanation = value
        if met is None or met == "":
            continue
        if isinstance(met, str):
            if met not in ("true", "false", "met", "not_met", "1", "0"):
                raise ValidationError({"checks": [_("Choose met or not met.")]})
            met = met in ("true", "met", "1")
        parsed[line_id] = core.Check(bool(met), str(explanation or ""))
    return parsed


def _mark_plan_made(actor, case, plan, today, path):
    """Acceptance is the moment the trajectory has its plan: the status moves on after a held meeting, the plan
    date is kept, and a Dutch family group plan is noted on the Jeugdwet record."""
    from kring.trajectories import services as trajectory_services
    from kring.trajectories.models import FamilyPlanRight

    trajectory = plan.trajectory
    if trajectory.status == Status.MEETING_HELD:
        trajectory_services.change_status(actor, case.pk, trajectory.pk, Status.PLAN_MADE, today, path=path)
    elif trajectory.plan_made_on is None:
        Trajectory.objects.filter(pk=trajectory.pk).update(plan_made_on=today)
    if plan.plan_type == "family_group_plan":
        FamilyPlanRight.objects.filter(case=case, family_plan_made_on__isnull=True).update(family_plan_made_on=today)
    plan.trajectory.refresh_from_db()


@logs_refusal
@transaction.atomic
def start_new_edition(actor, case_id, plan_id, expected_version, path: str = "") -> Plan:
    """Adjust an accepted plan: the next version starts as a draft from the accepted one. The agreements in force
    stay in force until the new version is accepted."""
    case, plan = open_plan(actor, case_id, plan_id)
    _refuse_ended(plan.trajectory)
    refuse_if_stale(plan, expected_version, PLAN_HISTORY_FIELDS)
    if plan.status != PlanStatus.ACCEPTED:
        raise ValidationError({"__all__": [_("Only an accepted plan gets a new version.")]})
    plan.edition += 1
    plan.status = PlanStatus.DRAFT
    plan.submitted_on = None
    _save(plan, actor)
    log_access(actor, Action.UPDATE, [plan_access(plan)], path=path, detail=f"new version {plan.edition}")
    return plan


# ---- reports on agreements ---------------------------------------------------------------------------------


OUTCOME_STATUS = {
    ReportOutcome.DONE: AgreementStatus.DONE,
    ReportOutcome.NOT_DONE: AgreementStatus.NOT_DONE,
    ReportOutcome.HELP_NEEDED: AgreementStatus.HELP_NEEDED,
}


def _apply_report(agreement, outcome, note, *, link=None, user=None) -> AgreementReport:
    if outcome not in ReportOutcome.values:
        raise ValidationError({"outcome": [_("Choose done, not done or I need help.")]})
    if not agreement.in_force:
        raise ValidationError({"__all__": [_("This agreement is not in force.")]})
    if agreement.status == AgreementStatus.STOPPED:
        raise ValidationError({"__all__": [_("This agreement was stopped.")]})
    if Trajectory.objects.filter(plan__pk=agreement.plan_id).exclude(status__in=ACTIVE).exists():
        raise ValidationError({"__all__": [_("This plan's trajectory has ended; reports are no longer taken.")]})
    note = str(note or "").strip()
    if "\x00" in note:  # no database keeps it in text
        raise ValidationError({"note": [_("The note contains a character that cannot be saved.")]})
    if len(note) > 4000:
        raise ValidationError({"note": [_("Keep the note under 4000 characters.")]})
    now = timezone.now()
    report = AgreementReport.objects.create(
        agreement=agreement,
        case_id=agreement.case_id,
        organisation_id=agreement.organisation_id,
        outcome=outcome,
        note=note,
        link=link,
        reported_by=user,
        reported_at=now,
    )
    agreement.status = OUTCOME_STATUS[outcome]
    agreement.last_reported_on = timezone.localdate()
    agreement.version += 1
    agreement._history_user = user
    agreement.save()
    if outcome != ReportOutcome.DONE:
        alert_case_team(agreement, timezone.localdate(), outcome)
    return report


def alert_case_team(agreement, today: date, outcome: str | None = None) -> int:
    """Tell the case worker (and whoever checks) at once: a safety agreement not done or overdue is a safety
    alert, by e-mail too; a request for help on another agreement appears in their work list. Once per
    agreement, day and kind (the reminder's unique key)."""
    from django.db.models import OuterRef, Q

    from kring.accounts.models import CASE_ROLES, Membership

    kind = DeadlineKind.SAFETY_ALERT if agreement.is_safety else DeadlineKind.AGREEMENT
    if not agreement.is_safety and outcome != ReportOutcome.HELP_NEEDED:
        return 0
    # A request for help has its own subject: it must not coincide with the scan's reminder of the due date (the
    # same row would hide the request from whoever read that reminder already).
    subject = agreement_subject(agreement.pk) if agreement.is_safety else f"{HELP_SUBJECT}{agreement.pk}"
    # Need-to-know, as in the reminder scan: the case workers and the checker, while on the case team with an
    # active case role at the organisation.
    has_role = Membership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"), active=True, role__in=CASE_ROLES
    )
    whom = Q(role=CaseRole.CASE_WORKER)
    if agreement.checker_user_id:
        whom |= Q(user_id=agreement.checker_user_id)
    users = set(
        CaseTeamMember.objects.filter(whom, case_id=agreement.case_id, user__is_active=True)
        .filter(Exists(has_role))
        .values_list("user_id", flat=True)
    )
    trajectory_id = Plan.objects.filter(pk=agreement.plan_id).values_list("trajectory_id", flat=True).first()
    made = []
    for user_id in sorted(users):
        reminder, created = Reminder.objects.get_or_create(
            user_id=user_id,
            case_id=agreement.case_id,
            kind=kind,
            subject=subject,
            due_on=agreement.due_on or today,
            lead_days=0 if outcome else -1,
            defaults={"organisation_id": agreement.organisation_id, "trajectory_id": trajectory_id},
        )
        if created:
            made.append(reminder)
    if made and kind == DeadlineKind.SAFETY_ALERT:
        _email_alerts(made)
    return len(made)


AGREEMENT_SUBJECT = "agreement:"
HELP_SUBJECT = "help:"  # a request for help with an (ordinary) agreement


def agreement_subject(agreement_id) -> str:
    return f"{AGREEMENT_SUBJECT}{agreement_id}"


def _email_alerts(reminders):
    """A safety alert goes out by e-mail straight away (through the worker), naming only the case number."""
    rows = Reminder.objects.filter(pk__in=[r.pk for r in reminders]).select_related("user", "case")
    for reminder in rows:
        with translation.override(getattr(reminder.user, "language", "") or settings.LANGUAGE_CODE):
            subject = _("Kring: safety agreement needs attention")
            body = _(
                "Case %(number)s: a safety agreement was not kept or is overdue. Open the case in Kring to "
                "see what happened."
            ) % {"number": reminder.case.number}
        send_mail(subject, body, None, [reminder.user.email])
    Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(emailed_at=timezone.now())


@logs_refusal
@transaction.atomic
def record_report(actor, case_id, agreement_id, outcome: str, note: str = "", path: str = "") -> AgreementReport:
    """A professional records how an agreement went (e.g. after a phone call with the owner)."""
    case = lock_case(case_id, actor.user)
    agreement = _lock(Agreement, case, agreement_id)
    case, plan = open_plan(actor, case_id, agreement.plan_id)
    report = _apply_report(agreement, outcome, note, user=actor.user)
    log_access(actor, Action.UPDATE, [agreement_access(agreement)], path=path, detail=f"report: {outcome}")
    return report


def remind_members(today: date, upcoming, stage_for) -> int:
    """E-mail network members before their agreements are due, once per agreement, date and lead time.

    ``upcoming``: (agreement id, organisation id, due date) of agreements in force; ``stage_for(org, due_on)``
    gives the lead time reached today (the organisation's reminder settings) or None. Only owners with an e-mail
    address and a personal link in force are written to: they agreed to hear from Kring that way. The e-mail
    names no case, family or agreement, only the date, and points to their own link."""
    due = {row[0]: row for row in upcoming}
    if not due:
        return 0
    now = timezone.now()
    holders = PersonalLink.objects.filter(revoked_at__isnull=True, expires_on__gte=today).values("person_id")
    owners = Agreement.objects.filter(
        pk__in=list(due), owner_person__email__gt="", owner_person_id__in=holders
    ).values_list("id", "owner_person_id")
    candidates = []
    for agreement_id, person_id in owners:
        _id, organisation_id, due_on = due[agreement_id]
        lead = stage_for(organisation_id, due_on)
        if lead is None or lead < 0:
            continue
        candidates.append(
            MemberReminder(
                agreement_id=agreement_id,
                organisation_id=organisation_id,
                person_id=person_id,
                due_on=due_on,
                lead_days=lead,
            )
        )
    if not candidates:
        return 0
    with transaction.atomic():
        MemberReminder.objects.bulk_create(candidates, ignore_conflicts=True)
        new = list(
            MemberReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(agreement_id__in=[c.agreement_id for c in candidates], created_at__gte=now, emailed_at__isnull=True)
            .select_related("person")
        )
        for reminder in new:
            # Members have no language setting; Dutch unless their stated home language is English.
            language = "en" if reminder.person.language.strip().lower() in ("en", "english", "engels") else "nl"
            with translation.override(language):
                subject = _("Reminder: an agreement of yours")
                body = _(
                    "You have an agreement that is to be done by %(date)s. Open the personal link you received "
                    "to see which one, and to let us know how it went."
                ) % {"date": reminder.due_on.isoformat()}
            send_mail(subject, body, None, [reminder.person.email])
        MemberReminder.objects.filter(pk__in=[r.pk for r in new]).update(emailed_at=timezone.now())
    return len(new)


# ---- personal links ----------------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@logs_refusal
@transaction.atomic
def create_link(
    actor, case_id, plan_id, person_id, shared_parts=(), valid_days: int | None = None, path: str = ""
) -> tuple[PersonalLink, str]:
    """Make a personal link for a network member; returns the link and its secret, which is shown once and
    stored only as a digest. Sharing plan parts beyond the member's own agreements needs the consent to share
    the plan."""
    from kring.cases.choices import ConsentPurpose
    from kring.cases.services import has_consent

    case, plan = open_plan(actor, case_id, plan_id)
    _refuse_ended(plan.trajectory)
    person = _person_of_case(case, person_id, "person")
    if person is None:
        raise ValidationError({"person": [_("Choose a person of this case.")]})
    parts = list(dict.fromkeys(shared_parts or []))
    if any(p not in PlanPart.values for p in parts):
        raise ValidationError({"shared_parts": [_("Choose the parts from the list.")]})
    if parts and not has_consent(case, ConsentPurpose.SHARE_PLAN):
        raise ValidationError(
            {
                "shared_parts": [
                    _(
                        "The family has not consented to sharing the plan; only the "
                        "person's own agreements can be shown."
                    )
                ]
            }
        )
    try:
        days = LINK_DAYS_DEFAULT if valid_days in (None, "") else int(valid_days)
    except (TypeError, ValueError):
        raise ValidationError({"valid_days": [_("Give a number of days.")]}) from None
    if not 1 <= days <= LINK_DAYS_MAX:
        raise ValidationError({"valid_days": [_("A link is valid for 1 to %(max)s days.") % {"max": LINK_DAYS_MAX}]})
    token = secrets.token_urlsafe(32)
    link = PersonalLink.objects.create(
        plan=plan,
        case=case,
        organisation=case.organisation,
        person=person,
        token_digest=_digest(token),
        shared_parts=parts,
        expires_on=timezone.localdate() + timedelta(days=days),
        created_by=actor.user,
    )
    log_access(actor, Action.CREATE, [link_access(link)], path=path)
    return link, token


@logs_refusal
@transaction.atomic
def revoke_link(actor, case_id, link_id, path: str = "") -> PersonalLink:
    case = lock_case(case_id, actor.user)
    link = _lock(PersonalLink, case, link_id, related=("plan__trajectory",))
    check_can_work_on(actor.user, case, link.plan.trajectory, refusal=WORK_REFUSAL)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor.user
        link.save(update_fields=["revoked_at", "revoked_by"])
    log_access(actor, Action.UPDATE, [link_access(link)], path=path, detail="revoked")
    return link


def _throttle_key(ip_address) -> str:
    return f"kring:link-tries:{ip_address or 'unknown'}"


def open_link(token: str, ip_address: str | None, path: str = "") -> PersonalLink:
    """The link for this secret, if it is valid. Wrong, expired and revoked links are refused alike (NotFound)
    and logged; an address that keeps trying is refused for a while (LinkThrottled).

    A valid link opens even from a throttled address: the throttle is there against guessing, and a family
    member on the same home or school network as the guesser holds their own secret (256 random bits, which no
    number of tries finds). While throttled, every secret that does not open a link gets the same 429, so the
    answer tells a guesser nothing it would not have told them before."""
    key = _throttle_key(ip_address)
    actor = Actor(user=None, ip_address=ip_address)
    link = None
    if isinstance(token, str) and 20 <= len(token) <= 100:
        link = (
            PersonalLink.objects.select_related("person", "plan", "plan__trajectory", "case", "organisation")
            .filter(token_digest=_digest(token))
            .first()
        )
    today = timezone.localdate()
    if link is not None and link.revoked_at is None and link.expires_on >= today and link.case.status != "closed":
        PersonalLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        return link
    named = Access(
        "personal_link", link.pk if link else "", link.case_id if link else None, link.organisation_id if link else None
    )
    if cache.get(key, 0) >= LINK_TRIES:
        log_access(actor, Action.DENIED, [named], path=path, detail="throttled")
        raise LinkThrottled()
    # Count the wrong try. incr() on the database cache stores the new count with the cache's default timeout,
    # so the window is set again explicitly: it runs from the latest wrong try.
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, LINK_TRY_WINDOW)
    else:
        cache.touch(key, LINK_TRY_WINDOW)
    reason = (
        "unknown"
        if link is None
        else "revoked"
        if link.revoked_at
        else "expired"
        if link.expires_on < today
        else "case closed"
    )
    log_access(actor, Action.DENIED, [named], path=path, detail=f"link {reason}")
    raise NotFound()


def _link_agreement(link, agreement_id, *, owner_only=False) -> Agreement:
    """Only the link holder's own agreements in force, as the link's page shows them (they carry them out or, unless
    ``owner_only``, stand in for them); stopped ones are gone from the page and so out of reach."""
    try:
        agreement_id = int(agreement_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < agreement_id < 2**63:  # beyond the database's integers: no such record
        raise NotFound()
    from django.db.models import Q

    whose = Q(owner_person_id=link.person_id)
    if not owner_only:
        whose |= Q(backup_person_id=link.person_id)
    agreement = (
        Agreement.objects.select_for_update()
        .filter(whose, pk=agreement_id, plan_id=link.plan_id, in_force=True)
        .exclude(status=AgreementStatus.STOPPED)
        .first()
    )
    if agreement is None:
        raise NotFound()
    return agreement


def _link_actor(link, ip_address):
    return Actor(user=None, ip_address=ip_address)


def _refused_via_link(link, agreement_id, ip_address, path):
    """Log a link holder's try at an agreement that is not theirs (after the transaction rolled back)."""
    log_access(
        _link_actor(link, ip_address),
        Action.DENIED,
        [Access("agreement", str(agreement_id)[:64], link.case_id, link.organisation_id)],
        path=path,
        detail=f"not an agreement of personal link {link.pk}",
    )


def confirm_via_link(link, agreement_id, ip_address=None, path: str = "") -> Agreement:
    """The network member confirms they take this agreement on. Only its owner: ``confirmed_on`` says the owner
    took it on, which the backup person cannot say for them. Confirming again changes nothing."""
    try:
        with transaction.atomic():
            agreement = _link_agreement(link, agreement_id, owner_only=True)
            if agreement.confirmed_on is None:
                agreement.confirmed_on = timezone.localdate()
                agreement.version += 1
                agreement.save(update_fields=["confirmed_on", "version"])
            log_access(
                _link_actor(link, ip_address),
                Action.UPDATE,
                [agreement_access(agreement)],
                path=path,
                detail=f"confirmed via personal link {link.pk}",
            )
            return agreement
    except NotFound:
        _refused_via_link(link, agreement_id, ip_address, path)
        raise


def report_via_link(link, agreement_id, outcome, note="", ip_address=None, path: str = "") -> AgreementReport:
    """The network member reports back: done, not done, or I need help."""
    try:
        with transaction.atomic():
            agreement = _link_agreement(link, agreement_id)
            report = _apply_report(agreement, outcome, note, link=link)
            log_access(
                _link_actor(link, ip_address),
                Action.UPDATE,
                [agreement_access(agreement)],
                path=path,
                detail=f"report {outcome} via personal link {link.pk}"[:300],
            )
            return report
    except NotFound:
        _refused_via_link(link, agreement_id, ip_address, path)
        raise


# ---- reviews -----------------------------------------------------------------------------------------------


def _schedule_reviews(plan, accepted_on):
    """The method's follow-up moments, from the day this version of the plan was accepted. Reviews still open
    from an earlier version are moved, not doubled."""
    definition = definition_for(plan.organisation_id, plan.trajectory.method_code)
    moments = [core.Moment(r.code, r.after_weeks) for r in definition.reviews]
    names = {r.code: getattr(r.name, translation.get_language() or "nl", None) or r.name.nl for r in definition.reviews}
    for code, planned_on in core.review_dates(accepted_on, moments):
        review = Review.objects.filter(plan=plan, code=code, held_on__isnull=True).first()
        if review is None:
            Review.objects.create(
                plan=plan,
                case_id=plan.case_id,
                organisation_id=plan.organisation_id,
                code=code,
                name=names[code],
                planned_on=planned_on,
                plan_edition=plan.edition,
            )
        else:
            review.planned_on, review.plan_edition = planned_on, plan.edition
            review.save(update_fields=["planned_on", "plan_edition"])


@logs_refusal
@transaction.atomic
def add_review(actor, case_id, plan_id, data: dict, path: str = "") -> Review:
    """An extra review moment, e.g. one the family put in its plan."""
    case, plan = open_plan(actor, case_id, plan_id)
    _refuse_ended(plan.trajectory)
    _refuse_unknown(data, REVIEW_FIELDS)
    review = Review(
        plan=plan,
        case=case,
        organisation=case.organisation,
        code="extra",
        name=(data.get("name") or "").strip(),
        planned_on=data.get("planned_on"),
        plan_edition=plan.edition,
    )
    validate(review, exclude=["plan", "case", "organisation", "held_by"])
    review._history_user = actor.user
    review.save()
    log_access(actor, Action.CREATE, [review_access(review)], path=path)
    return review


@logs_refusal
@transaction.atomic
def hold_review(
    actor,
    case_id,
    review_id,
    items: dict,
    decision: str,
    note: str = "",
    held_on=None,
    expected_version=None,
    path: str = "",
    ratings=(),
) -> Review:
    """Record a review: per agreement in force how it was kept, the safety scale again, and the decision.
    Adjusting starts a new version of the plan. ``items``: agreement id -> (keeping, note); ``ratings``: dicts
    with a ``person`` (of the case) or a ``rater_user`` (of the case team) and a ``score`` from 0 to 10."""
    case = lock_case(case_id, actor.user)
    review = _lock(Review, case, review_id)
    case, plan = open_plan(actor, case_id, review.plan_id)
    refuse_if_stale(review, expected_version, REVIEW_FIELDS + ["held_on", "decision", "note"])
    if review.held_on:
        raise ValidationError({"__all__": [_("This review was already recorded.")]})
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": [_("Choose a decision from the list.")]})
    held_on = held_on or timezone.localdate()
    if isinstance(held_on, str):
        try:
            held_on = date.fromisoformat(held_on)
        except ValueError:
            raise ValidationError({"held_on": [_("Enter a valid date.")]}) from None
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": [_("This date cannot be in the future.")]})
    if plan.accepted_on and held_on < plan.accepted_on:
        raise ValidationError({"held_on": [_("A review cannot be before the plan was accepted.")]})
    agreements = {a.pk: a for a in plan.agreements.filter(in_force=True).exclude(status=AgreementStatus.STOPPED)}
    rows, errors = [], []
    items = {str(k): v for k, v in (items or {}).items()}
    for key in items:
        try:
            known = int(key) in agreements
        except ValueError:
            known = False
        if not known:
            errors.append(_("Unknown agreement."))
    for agreement_id, agreement in agreements.items():
        value = items.get(str(agreement_id))
        if value is None:
            errors.append(_("Say for every agreement how it was kept."))
            break
        keeping, item_note = (value.get("keeping"), value.get("note", "")) if isinstance(value, dict) else value
        if keeping not in ReviewKeeping.values:
            errors.append(_("Choose for every agreement how it was kept."))
            break
        rows.append(ReviewItem(review=review, agreement=agreement, keeping=keeping, note=(item_note or "")[:1000]))
    if errors:
        raise ValidationError({"items": sorted(set(errors))})
    scale = _review_ratings(case, plan, ratings, held_on, actor.user)
    ReviewItem.objects.bulk_create(rows)
    for rating in scale:
        rating.review = review
    SafetyScaleRating.objects.bulk_create(scale)
    stopped = [row.agreement_id for row in rows if row.keeping == ReviewKeeping.STOPPED]
    if stopped:
        Agreement.objects.filter(pk__in=stopped).update(status=AgreementStatus.STOPPED)
    review.held_on, review.held_by, review.decision = held_on, actor.user, decision
    review.note = (note or "").strip()[:4000]
    review.plan_edition = plan.edition
    validate(review, exclude=["plan", "case", "organisation", "held_by"])
    _save(review, actor)
    log_access(actor, Action.UPDATE, [review_access(review)], path=path, detail=f"review: {decision}")
    if decision == ReviewDecision.ADJUST and plan.status == PlanStatus.ACCEPTED:
        start_new_edition(actor, case_id, plan.pk, plan.version, path=path)
    return review


def _review_ratings(case, plan, ratings, rated_on, user) -> list:
    """The safety scale as given at a review, checked like any rating (the Signs of Safety rules)."""
    from .safety import _score

    made = []
    for rating in ratings or ():
        if not isinstance(rating, dict):
            raise ValidationError({"ratings": [_("Give each rating as a person or professional and a score.")]})
        person = _person_of_case(case, rating.get("person"), "ratings")
        professional = _team_user(case, rating.get("rater_user"), "ratings")
        if (person is None) == (professional is None):
            raise ValidationError(
                {"ratings": [_("Each rating is given by one person of the case or one professional of the case team.")]}
            )
        try:
            score = _score(rating.get("score"))
        except ValidationError as error:
            raise ValidationError({"ratings": error.message_dict["score"]}) from None
        made.append(
            SafetyScaleRating(
                plan=plan,
                case=case,
                organisation=case.organisation,
                rated_on=rated_on,
                person=person,
                rater_user=professional,
                score=score,
                recorded_by=user,
                note=str(rating.get("note") or "")[:1000],
            )
        )
    return made


def running_statuses():
    return [s.value for s in RUNNING_AGREEMENT]


__all__ = [
    "LinkThrottled",
    "add_agreement",
    "add_bottom_line",
    "add_review",
    "alert_case_team",
    "can_decide",
    "can_work_on",
    "confirm_via_link",
    "create_link",
    "decide_plan",
    "form_version",
    "hold_review",
    "open_link",
    "open_plan",
    "record_report",
    "remove_agreement",
    "report_via_link",
    "revoke_link",
    "start_new_edition",
    "start_plan",
    "submit_plan",
    "update_agreement",
    "update_bottom_line",
    "update_plan",
    "withdraw_bottom_line",
]
