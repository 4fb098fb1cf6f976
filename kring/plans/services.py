"""Writes that make the plan: the bottom lines, the plan's text and agreements, its submission, the decision on
it and a new version. The follow-up of an accepted plan (reports, alerts, reviews) is in ``follow_up``, the Signs
of Safety records in ``safety``, the personal links in ``links``. Like the other stages: permission, validation
and one transaction, the access log, and version checks so a concurrent edit is refused rather than lost (what
all of them share is in ``editing``).

Who may do what:
- bottom lines and the decision on the plan: the case worker (or a team lead), never the coordinator alone:
  the professional who carries the responsibility for safety sets the conditions and checks the plan;
- the plan text, its agreements, personal links and reviews: whoever may change the case, and the
  trajectory's coordinator (who writes the plan down after the family presents it).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kring.audit.services import Action, log_access
from kring.cases.editing import check_can_work_on, lock_case, logs_refusal, refuse_if_stale, validate
from kring.core.history import set_history_user
from kring.core.public_holidays import public_holidays
from kring.meetings.models import Meeting
from kring.network import unsafe
from kring.trajectories.models import Trajectory
from kring.trajectories.services import definition_for

from . import core, handoffs
from .choices import AgreementStatus, BottomLineKind, DecisionOutcome, PlanStatus
from .editing import (
    WORK_REFUSAL,
    agreement_access,
    bottom_line_access,
    check_can_decide,
    lock_record,
    lock_trajectory,
    open_plan,
    person_of_case,
    plan_access,
    refuse_during_private_time,
    refuse_ended,
    refuse_not_editable,
    refuse_unknown,
    save_new_version,
    team_user,
)
from .models import Agreement, BottomLine, BottomLineCheck, Plan, PlanDecision, Review

BOTTOM_LINE_FIELDS = ["order", "text", "reason", "legal_basis", "kind"]
PLAN_FIELDS = [
    "concerns",
    "if_it_goes_wrong",
    "emergency_contact_name",
    "emergency_contact_phone",
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
    "unsafe_reason",
]
# The fields a stale plan form is explained by; the notes of private time are not in the history (decision 41).
PLAN_HISTORY_FIELDS = [f for f in PLAN_FIELDS if f != "deliberation_notes"]


# ---- bottom lines ------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def add_bottom_line(actor, case_id, trajectory_id, data: dict) -> BottomLine:
    """Record a condition any plan of this trajectory must meet."""
    case = lock_case(case_id, actor.user)
    trajectory = lock_trajectory(case, trajectory_id)
    check_can_decide(actor.user, case)
    refuse_ended(trajectory)
    refuse_unknown(data, BOTTOM_LINE_FIELDS)
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
    set_history_user(line, actor.user)
    line.save()
    log_access(actor, Action.CREATE, [bottom_line_access(line)])
    return line


@logs_refusal
@transaction.atomic
def update_bottom_line(actor, case_id, bottom_line_id, changes: dict, expected_version) -> BottomLine:
    """Change a bottom line; each change is a new version, kept in its history."""
    case = lock_case(case_id, actor.user)
    line = lock_record(BottomLine, case, bottom_line_id, related=("trajectory",))
    check_can_decide(actor.user, case)
    refuse_ended(line.trajectory)
    refuse_if_stale(line, expected_version, BOTTOM_LINE_FIELDS)
    refuse_unknown(changes, BOTTOM_LINE_FIELDS)
    if line.withdrawn_on:
        raise ValidationError({"__all__": [_("This bottom line was withdrawn.")]})
    for name, value in changes.items():
        setattr(line, name, "" if value is None and name != "order" else value)
    validate(line, exclude=["trajectory", "case", "organisation", "set_by"])
    save_new_version(line, actor)
    log_access(actor, Action.UPDATE, [bottom_line_access(line)])
    return line


@logs_refusal
@transaction.atomic
def withdraw_bottom_line(actor, case_id, bottom_line_id, reason: str, expected_version) -> BottomLine:
    """A bottom line no longer applies. It stays on record with its checks; new decisions skip it."""
    case = lock_case(case_id, actor.user)
    line = lock_record(BottomLine, case, bottom_line_id, related=("trajectory",))
    check_can_decide(actor.user, case)
    refuse_if_stale(line, expected_version, BOTTOM_LINE_FIELDS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"withdrawal_reason": [_("Say why the bottom line no longer applies.")]})
    if line.withdrawn_on:
        raise ValidationError({"__all__": [_("This bottom line was withdrawn.")]})
    line.withdrawn_on = timezone.localdate()
    line.withdrawal_reason = reason[:300]
    save_new_version(line, actor)
    log_access(actor, Action.UPDATE, [bottom_line_access(line)])
    return line


def lines_in_force(trajectory_id):
    return BottomLine.objects.filter(trajectory_id=trajectory_id, withdrawn_on__isnull=True)


# ---- the plan ----------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def start_plan(actor, case_id, trajectory_id) -> Plan:
    """Open the trajectory's plan, of the kind its method makes. One plan per trajectory."""
    case = lock_case(case_id, actor.user)
    trajectory = lock_trajectory(case, trajectory_id)
    check_can_work_on(actor.user, case, trajectory, refusal=WORK_REFUSAL)
    refuse_ended(trajectory)
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
    set_history_user(plan, actor.user)
    plan.save()
    log_access(actor, Action.CREATE, [plan_access(plan)])
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
def update_plan(actor, case_id, plan_id, changes: dict, expected_version) -> Plan:
    """Change the plan's text while it is a draft (or was sent back)."""
    case, plan = open_plan(actor, case_id, plan_id)
    refuse_ended(plan.trajectory)
    refuse_not_editable(plan)
    refuse_if_stale(plan, expected_version, PLAN_HISTORY_FIELDS)
    refuse_unknown(changes, PLAN_FIELDS)
    refuse_during_private_time(plan)
    for name, value in changes.items():
        if name in ("deliberation_kept",):
            value = bool(value)
        elif name != "presented_on" and value is None:
            value = ""
        setattr(plan, name, value)
    _clean_plan(plan)
    save_new_version(plan, actor)
    log_access(actor, Action.UPDATE, [plan_access(plan)])
    return plan


def _touch_plan(plan, actor):
    """Adding, changing or removing an agreement changes the plan: its version moves on, so a form opened on the
    old plan is refused and nothing is silently overwritten."""
    save_new_version(plan, actor)


def _apply_agreement(case, plan, agreement, data):
    lines = None
    for name, value in data.items():
        if name in ("owner_person", "backup_person", "checker_person"):
            setattr(agreement, name, person_of_case(case, value, name))
        elif name == "checker_user":
            agreement.checker_user = team_user(case, value, name)
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
    errors: dict[str, list[str]] = {}
    for code in problems.values():
        text, field = messages[code]
        errors.setdefault(field, []).append(text)
    if agreement.backup_person_id and agreement.backup_person_id == agreement.owner_person_id:
        errors.setdefault("backup_person", []).append(_("The backup person must be someone else than the owner."))
    if errors:
        raise ValidationError(errors)
    _confirm_unsafe(agreement)
    return lines


def _confirm_unsafe(agreement) -> None:
    """A person marked unsafe on the network map carries, stands in for or checks this agreement only with a
    reason (the network's one rule, ``kring.network.unsafe``); the reason stays with the agreement and its
    history. A reason given before for this agreement still counts."""
    persons = [agreement.owner_person, agreement.backup_person, agreement.checker_person]
    marked = unsafe.unsafe_ids(p.pk for p in persons if p is not None)
    names = [p.full_name for p in persons if p is not None and p.pk in marked]
    agreement.unsafe_reason = unsafe.require_reason(
        names,
        agreement.unsafe_reason,
        "unsafe_reason",
        _("%(name)s is marked unsafe on the network map. Say why they take part in this agreement nonetheless."),
    )


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
def add_agreement(actor, case_id, plan_id, data: dict, expected_plan_version=None) -> Agreement:
    case, plan = open_plan(actor, case_id, plan_id)
    refuse_ended(plan.trajectory)
    refuse_not_editable(plan)
    refuse_if_stale(plan, expected_plan_version, PLAN_HISTORY_FIELDS)
    refuse_unknown(data, AGREEMENT_FIELDS)
    refuse_during_private_time(plan)
    last = plan.agreements.order_by("-order").values_list("order", flat=True).first()
    agreement = Agreement(plan=plan, case=case, organisation=case.organisation, order=(last or 0) + 1)
    lines = _apply_agreement(case, plan, agreement, data)
    set_history_user(agreement, actor.user)
    agreement.save()
    if lines is not None:
        agreement.bottom_lines.set(lines)
    _touch_plan(plan, actor)
    log_access(actor, Action.CREATE, [agreement_access(agreement)])
    return agreement


@logs_refusal
@transaction.atomic
def update_agreement(actor, case_id, agreement_id, changes: dict, expected_version) -> Agreement:
    case = lock_case(case_id, actor.user)
    agreement = lock_record(Agreement, case, agreement_id)
    case, plan = open_plan(actor, case_id, agreement.plan_id)
    refuse_ended(plan.trajectory)
    refuse_not_editable(plan)
    refuse_if_stale(agreement, expected_version, [f for f in AGREEMENT_FIELDS if f != "bottom_lines"])
    refuse_unknown(changes, AGREEMENT_FIELDS)
    refuse_during_private_time(plan)
    lines = _apply_agreement(case, plan, agreement, changes)
    save_new_version(agreement, actor)
    if lines is not None:
        agreement.bottom_lines.set(lines)
    _touch_plan(plan, actor)
    log_access(actor, Action.UPDATE, [agreement_access(agreement)])
    return agreement


@logs_refusal
@transaction.atomic
def remove_agreement(actor, case_id, agreement_id, expected_version) -> None:
    """Take an agreement out of the draft. One that was ever in force is stopped, not deleted: the follow-up
    keeps its history."""
    case = lock_case(case_id, actor.user)
    agreement = lock_record(Agreement, case, agreement_id)
    case, plan = open_plan(actor, case_id, agreement.plan_id)
    refuse_not_editable(plan)
    refuse_if_stale(agreement, expected_version, [f for f in AGREEMENT_FIELDS if f != "bottom_lines"])
    if agreement.in_force or agreement.reports.exists():
        agreement.status = AgreementStatus.STOPPED
        save_new_version(agreement, actor)
        log_access(actor, Action.UPDATE, [agreement_access(agreement)])
    else:
        log_access(actor, Action.DELETE, [agreement_access(agreement)])
        agreement.delete()
    _touch_plan(plan, actor)


@logs_refusal
@transaction.atomic
def submit_plan(actor, case_id, plan_id, expected_version) -> Plan:
    """The coordinator hands the written plan to the case worker for the check against the bottom lines."""
    case, plan = open_plan(actor, case_id, plan_id)
    refuse_ended(plan.trajectory)
    refuse_not_editable(plan)
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
    handoffs.submitted(case, plan)
    save_new_version(plan, actor)
    log_access(actor, Action.UPDATE, [plan_access(plan)])
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
    from kring.trajectories.services import plan_is_family_plan

    counts = plan_is_family_plan(plan.trajectory.method_code, presented_with_network=bool(plan.presented_on))
    if plan.organisation.jurisdiction == "NL" and counts:
        return _("familiegroepsplan (Jeugdwet art. 4.1.2): the formal plan of this trajectory")
    return _("the formal plan of this trajectory")


@logs_refusal
@transaction.atomic
def decide_plan(actor, case_id, plan_id, outcome: str, reason: str, checks: dict, expected_version) -> PlanDecision:
    """Check the submitted plan against every bottom line in force (met or not, and why) and accept it or send it
    back. A plan that fails a non-negotiable bottom line cannot be accepted. ``checks``: bottom line id ->
    (met, explanation)."""
    case, plan = open_plan(actor, case_id, plan_id, deciding=True)
    refuse_ended(plan.trajectory)
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
    handoffs.decided(plan)
    if outcome == DecisionOutcome.ACCEPTED:
        plan.status = PlanStatus.ACCEPTED
        plan.accepted_on = today
        plan.agreements.exclude(status=AgreementStatus.STOPPED).update(in_force=True)
        plan.agreements.filter(status=AgreementStatus.STOPPED).update(in_force=False)
        _schedule_reviews(plan, today)
        _mark_plan_made(actor, case, plan, today)
    else:
        # The decided version stays with the decision (its snapshot); the changes asked for make the next one.
        plan.status = PlanStatus.SENT_BACK
        handoffs.sent_back(case, plan)
        plan.edition += 1
    save_new_version(plan, actor)
    log_access(actor, Action.UPDATE, [plan_access(plan)], detail=f"decision: {outcome}")
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


def _mark_plan_made(actor, case, plan, today):
    """Acceptance is the moment the trajectory has its plan: the method's table moves the trajectory on (after a
    held meeting: plan made, and its phase), the plan date is kept, and a plan that counts as the family group plan
    (the method definition says which) is noted on the Jeugdwet record."""
    from kring.trajectories import services as trajectory_services
    from kring.trajectories.core import flow

    trajectory = plan.trajectory
    trajectory_services.advance_on(flow.PLAN_ACCEPTED, trajectory, actor, on=today)
    if trajectory.plan_made_on is None:
        Trajectory.objects.filter(pk=trajectory.pk).update(plan_made_on=today)
    # The family made its plan the day it presented it; the acceptance after is the professional's part. A term
    # that ends between those days was kept.
    made_on = min(plan.presented_on, today) if plan.presented_on else today
    trajectory_services.record_family_plan(actor, trajectory, made_on, presented_with_network=bool(plan.presented_on))
    plan.trajectory.refresh_from_db()


def _schedule_reviews(plan, accepted_on):
    """The method's follow-up moments, from the day this version of the plan was accepted, on working days of
    the case's jurisdiction. Reviews still open from an earlier version are moved, not doubled."""
    definition = definition_for(plan.organisation_id, plan.trajectory.method_code)
    moments = [core.Moment(r.code, r.after_weeks) for r in definition.reviews]
    names = {r.code: getattr(r.name, translation.get_language() or "nl", None) or r.name.nl for r in definition.reviews}
    holidays = public_holidays(plan.organisation.jurisdiction, core.review_years(accepted_on, moments))
    for code, planned_on in core.review_dates(accepted_on, moments, holidays):
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
def start_new_edition(actor, case_id, plan_id, expected_version) -> Plan:
    """Adjust an accepted plan: the next version starts as a draft from the accepted one. The agreements in force
    stay in force until the new version is accepted."""
    case, plan = open_plan(actor, case_id, plan_id)
    refuse_ended(plan.trajectory)
    refuse_if_stale(plan, expected_version, PLAN_HISTORY_FIELDS)
    if plan.status != PlanStatus.ACCEPTED:
        raise ValidationError({"__all__": [_("Only an accepted plan gets a new version.")]})
    plan.edition += 1
    plan.status = PlanStatus.DRAFT
    plan.submitted_on = None
    save_new_version(plan, actor)
    log_access(actor, Action.UPDATE, [plan_access(plan)], detail=f"new version {plan.edition}")
    return plan
