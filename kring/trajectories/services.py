"""Writes of the trajectory stage. Like the case services: permission, validation and one transaction, the
access log, and version checks so a concurrent edit is refused rather than lost."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kring.accounts.models import Jurisdiction, Role
from kring.audit.services import Access, Action, log_access
from kring.cases.choices import CaseRole
from kring.cases.coordination.queries import assigned_coordinator_ids
from kring.cases.editing import (
    check_can_edit,
    check_can_work_on,
    forget_scope,
    lock_case,
    logs_refusal,
    refuse_if_stale,
    validate,
)
from kring.cases.models import CaseTeamMember
from kring.core.errors import NotFound, StaleEdit, form_version
from kring.core.history import set_history_user
from kring.methods import selector
from kring.methods.catalogue import MethodDefinitionError, catalogue, with_duration_overrides

from . import deadlines, handoffs
from .choices import FlowEvent, Status
from .core import flow, jeugdwet, schedule, states
from .models import (
    DurationOverride,
    FamilyPlanRight,
    SelectorRun,
    StrengthsExploration,
    Trajectory,
    TrajectoryEvent,
    TrajectoryPhase,
)

FAMILY_PLAN_FIELDS = [
    "exemption",
    "offered_on",
    "offered_by_party",
    "reasonable_term_until",
    "support_offered",
    "parents_answer",
    "parents_answered_on",
    "dropped_on",
    "drop_ground",
    "drop_note",
    "family_plan_made_on",
    "professional_plan_adopted_on",
    "written_copy_requested_on",
    "written_copy_given_on",
]
STRENGTHS_FIELDS = ["explored_on", "how_explored", "strengths_found", "methods_used"]


def _status_label(code):
    return str(Status(code).label)


def _illegal_message(error: states.IllegalTransition) -> str:
    allowed = ", ".join(_status_label(s) for s in error.allowed) or _("nothing: the trajectory is closed")
    return _("A trajectory that is %(current)s cannot become %(target)s. Possible next steps: %(allowed)s.") % {
        "current": _status_label(error.current),
        "target": _status_label(error.target),
        "allowed": allowed,
    }


def _legal_messages():
    """The pure core's codes as sentences in the user's language."""
    return {
        "unknown_exemption": _("Choose an exemption from the list."),
        "exempt_case_has_no_offer": _(
            "In an exempt case no family group plan is offered; remove the offer or the exemption."
        ),
        "term_without_offer": _("A reasonable term needs the date of the offer."),
        "term_before_offer": _("The reasonable term must end after the offer."),
        "answer_without_offer": _("The parents can only answer an offer that was made."),
        "answer_before_offer": _("The answer cannot come before the offer."),
        "ground_required": _("Dropping the offer needs one of the three grounds of the law."),
        "dropped_before_offer": _("The offer cannot be dropped before it was made."),
        "parents_did_not_decline": _("This ground needs the parents' answer that they decline."),
        "dropped_but_plan_made": _("A family group plan was made, so the offer was not dropped."),
        "ground_without_date": _("Give the date on which the offer was dropped."),
        "professional_plan_without_drop": _(
            "A professional plan follows only when the family group plan route was dropped."
        ),
        "copy_without_request": _("Give the date on which the plan in writing was requested."),
        "copy_before_request": _("The plan in writing cannot be given before it was requested."),
    }


def _trajectory_access(trajectory) -> Access:
    return Access("trajectory", trajectory.pk, trajectory.case_id, trajectory.organisation_id)


def _is_team_lead(user, case) -> bool:
    if case.team.members.filter(user=user, is_lead=True).exists():
        return True
    return CaseTeamMember.objects.filter(case=case, user=user, role=CaseRole.TEAM_LEAD).exists()


def _lock_trajectory(case, trajectory_id) -> Trajectory:
    trajectory = Trajectory.objects.select_for_update().filter(pk=trajectory_id, case=case).first()
    if trajectory is None:
        raise NotFound()
    return trajectory


# ---- durations ---------------------------------------------------------------------------------------------


def overrides_for(organisation_id, method_code) -> dict[str, dict[str, float]]:
    result = {}
    for row in DurationOverride.objects.filter(organisation_id=organisation_id, method_code=method_code):
        values = {"default_weeks": float(row.default_weeks)}
        if row.max_weeks is not None:
            values["max_weeks"] = float(row.max_weeks)
        result[row.phase_code] = values
    return result


def definition_for(organisation_id, method_code):
    """The method's definition with the organisation's durations."""
    definition = catalogue().get(method_code)
    if definition is None:
        raise ValidationError({"method_code": [_("Choose a method from the list.")]})
    overrides = overrides_for(organisation_id, method_code)
    return with_duration_overrides(definition, overrides) if overrides else definition


@transaction.atomic
def save_duration_override(actor, organisation, method_code, phase_code, default_weeks, max_weeks=None):
    """An organisation's own durations for one phase. Team leads and administrators of the organisation."""
    if not actor.user.roles_in(organisation.pk) & {Role.TEAM_LEAD, Role.ADMINISTRATOR}:
        raise PermissionDenied(_("Only team leads and administrators set the organisation's durations."))
    definition = catalogue().get(method_code)
    if definition is None:
        raise ValidationError({"method_code": [_("Choose a method from the list.")]})
    if phase_code not in {p.code for p in definition.phases}:
        raise ValidationError({"phase_code": [_("This method has no such phase.")]})
    values = {"default_weeks": float(default_weeks)}
    if max_weeks not in (None, ""):
        values["max_weeks"] = float(max_weeks)
    merged = {**overrides_for(organisation.pk, method_code), phase_code: values}
    try:
        with_duration_overrides(definition, merged)
    except MethodDefinitionError:
        raise ValidationError({"default_weeks": [_("The default cannot be longer than the maximum.")]}) from None
    row = DurationOverride.objects.filter(
        organisation=organisation, method_code=method_code, phase_code=phase_code
    ).first() or DurationOverride(organisation=organisation, method_code=method_code, phase_code=phase_code)
    row.default_weeks = Decimal(str(default_weeks))
    row.max_weeks = Decimal(str(max_weeks)) if max_weeks not in (None, "") else None
    row.changed_by = actor.user
    set_history_user(row, actor.user)
    validate(row, exclude=["organisation", "changed_by"])
    row.save()
    return row


@transaction.atomic
def remove_duration_override(actor, organisation, method_code, phase_code) -> None:
    if not actor.user.roles_in(organisation.pk) & {Role.TEAM_LEAD, Role.ADMINISTRATOR}:
        raise PermissionDenied(_("Only team leads and administrators set the organisation's durations."))
    DurationOverride.objects.filter(organisation=organisation, method_code=method_code, phase_code=phase_code).delete()


# ---- the selector ------------------------------------------------------------------------------------------


def _suggestion_data(suggestions) -> list[dict]:
    def reasons(items):
        return [{"code": r.code, "text": dict(r.text), "source": r.source, "points": r.points} for r in items]

    return [
        {
            "method": s.method,
            "name": dict(s.name),
            "score": s.score,
            "excluded": s.excluded,
            "continua": dict(s.continua),
            "reasons_for": reasons(s.reasons_for),
            "reasons_against": reasons(s.reasons_against),
            "warnings": reasons(s.warnings),
        }
        for s in suggestions
    ]


def answer_words() -> dict[str, dict[str, str]]:
    """The answer codes the selector's texts mention (legal contexts, settings, requests, safety levels), as
    words in Dutch and English, so a stored ranking reads as sentences in either language."""
    from django.utils import translation

    from kring.cases.choices import LegalContext, SafetyConcern
    from kring.methods import labels

    words: dict[str, dict[str, str]] = {}
    for language in ("nl", "en"):
        with translation.override(language):
            for mapping in (
                dict(LegalContext.choices),
                dict(SafetyConcern.choices),
                labels.SETTINGS,
                labels.REQUEST_KINDS,
            ):
                for code, label in mapping.items():
                    words.setdefault(code, {})[language] = str(label).lower()
    return words


def answers_from(data: dict) -> selector.Answers:
    """The selector's answers from plain data; bad values become a ValidationError naming the field."""
    values = {k: v for k, v in data.items() if k in selector.ANSWER_FIELDS}
    unknown = set(data) - set(selector.ANSWER_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown question.")] for name in sorted(unknown)})
    for name in ("conflicts", "earlier_attempts"):
        if name in values:
            values[name] = frozenset(values[name] or ())
    methods = set(catalogue())
    bad_attempts = set(values.get("earlier_attempts", ())) - methods
    if bad_attempts:
        raise ValidationError({"earlier_attempts": [_("Choose methods from the list.")]})
    try:
        return selector.Answers(**values)
    except (TypeError, ValueError) as error:
        field = str(error).split(":", 1)[0].removeprefix("Answers.") if "Answers." in str(error) else None
        raise ValidationError({field or "answers": [_("Choose an answer from the list.")]}) from None


@logs_refusal
@transaction.atomic
def run_selector(actor, case_id, data: dict) -> SelectorRun:
    """Rank the methods for a case from the answers and keep answers and ranking on the case."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    answers = answers_from(data)
    methods = catalogue()
    ranking = selector.rank(answers, methods.values(), words=answer_words())
    stored_answers = {
        name: sorted(value) if isinstance(value, frozenset) else value
        for name, value in dataclasses.asdict(answers).items()
    }
    run = SelectorRun.objects.create(
        case=case,
        organisation=case.organisation,
        answers=stored_answers,
        suggestion=_suggestion_data(ranking),
        method_versions={code: d.version for code, d in methods.items()},
        created_by=actor.user,
    )
    log_access(actor, Action.CREATE, [Access("selector_run", run.pk, case.pk, case.organisation_id)])
    return run


@logs_refusal
@transaction.atomic
def choose_method(
    actor, case_id, run_id, method_code, variant_code="", reason="", expected_version=None
) -> SelectorRun:
    """Record the method chosen, by whom, and why when it is not the top suggestion."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    run = SelectorRun.objects.select_for_update().filter(pk=run_id, case=case).first()
    if run is None:
        raise NotFound()
    _check_version(run, expected_version)
    errors = {}
    definition = catalogue().get(method_code)
    if definition is None:
        errors["chosen_method"] = [_("Choose a method from the list.")]
    elif variant_code and variant_code not in {v.code for v in definition.variants}:
        errors["chosen_variant"] = [_("This method has no such variant.")]
    reason = (reason or "").strip()
    if definition is not None and method_code != run.top_method and not reason:
        errors["choice_reason"] = [_("Say why you choose another method than the top suggestion.")]
    if errors:
        raise ValidationError(errors)
    run.chosen_method = method_code
    run.chosen_variant = variant_code or ""
    run.choice_reason = reason
    run.chosen_by = actor.user
    run.chosen_at = timezone.now()
    run.version += 1
    run.save()
    log_access(actor, Action.UPDATE, [Access("selector_run", run.pk, case.pk, case.organisation_id)])
    return run


def _check_version(record, expected_version):
    """For records without field history: refuse a stale save, naming who saved in between is not possible."""
    expected_version = form_version(expected_version)
    if expected_version is not None and expected_version != record.version:
        raise StaleEdit([])


# ---- trajectories ------------------------------------------------------------------------------------------


def _save_phases_and_trajectory(actor, trajectory, phases) -> None:
    """After its status or phase moved: plan the phases again, store them and the trajectory (a new version)."""
    _plan(trajectory, phases)
    TrajectoryPhase.objects.bulk_update(
        phases, ["started_on", "ended_on", "planned_start", "planned_end", "latest_end"]
    )
    _refresh_next_due(trajectory, phases)
    trajectory.version += 1
    set_history_user(trajectory, actor.user)
    trajectory.save()


def _refresh_next_due(trajectory: Trajectory, phases=None) -> None:
    phases = list(trajectory.phases.all()) if phases is None else phases
    trajectory.next_due_on = deadlines.earliest_open(deadlines.phase_deadlines(trajectory, phases))


def _plan(trajectory: Trajectory, phases: list[TrajectoryPhase]) -> None:
    """Recompute planned dates from the acceptance date and the actual dates so far."""
    if trajectory.accepted_on is None:
        return
    actual = {p.code: (p.started_on, p.ended_on) for p in phases}
    planned = {
        p.code: p for p in schedule.plan_phases(deadlines.phase_specs(trajectory), trajectory.accepted_on, actual)
    }
    for phase in phases:
        plan = planned[phase.code]
        phase.planned_start, phase.planned_end, phase.latest_end = plan.planned_start, plan.planned_end, plan.latest_end


def _event(actor, trajectory, kind, from_value, to_value, on, reason="", note="", cause=""):
    TrajectoryEvent.objects.create(
        trajectory=trajectory,
        organisation_id=trajectory.organisation_id,
        kind=kind,
        from_value=from_value or "",
        to_value=to_value,
        on=on,
        reason=reason,
        note=note,
        cause=cause,
        by=actor.user,
    )


def _check_date(on: date, field="on", not_before: date | None = None):
    if on > timezone.localdate():
        raise ValidationError({field: [_("This date cannot be in the future.")]})
    if not_before and on < not_before:
        raise ValidationError(
            {
                field: [
                    _("This date cannot be before %(date)s.") % {"date": date_format(not_before, "SHORT_DATE_FORMAT")}
                ]
            }
        )


@logs_refusal
@transaction.atomic
def offer_trajectory(
    actor, case_id, method_code, offered_on: date, variant_code="", selector_run_id=None, note=""
) -> Trajectory:
    """Offer a method to the family: a new trajectory that keeps the method version and the organisation's
    durations as they are today."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    if case.status == "closed":
        raise ValidationError({"method_code": [_("A closed case cannot get a new trajectory.")]})
    try:
        definition = definition_for(case.organisation_id, method_code)
    except MethodDefinitionError:
        raise ValidationError(
            {"method_code": [_("The organisation's durations for this method are invalid.")]}
        ) from None
    if variant_code and variant_code not in {v.code for v in definition.variants}:
        raise ValidationError({"variant_code": [_("This method has no such variant.")]})
    _check_date(offered_on, "offered_on", case.referral_date)
    run = None
    if selector_run_id:
        run = SelectorRun.objects.filter(pk=selector_run_id, case=case).first()
        if run is None:
            raise ValidationError({"selector_run": [_("This selection does not belong to the case.")]})
    busy = Trajectory.objects.filter(case=case, method_code=method_code, status__in=states.ACTIVE).exists()
    if busy:
        raise ValidationError({"method_code": [_("This case already has an active trajectory with this method.")]})
    trajectory = Trajectory(
        case=case,
        organisation=case.organisation,
        team=case.team,
        method_code=definition.code,
        method_version=definition.version,
        variant_code=variant_code or "",
        selector_run=run,
        phases_followed=[
            {"code": p.code, "name": p.name.model_dump(), "default_weeks": p.default_weeks, "max_weeks": p.max_weeks}
            for p in definition.phases
        ],
        status=Status.OFFERED,
        offered_on=offered_on,
        offered_by=actor.user,
    )
    set_history_user(trajectory, actor.user)
    trajectory.save()
    TrajectoryPhase.objects.bulk_create(
        [
            TrajectoryPhase(trajectory=trajectory, organisation=case.organisation, code=p.code, position=i)
            for i, p in enumerate(definition.phases)
        ]
    )
    _event(actor, trajectory, "status", "", Status.OFFERED, offered_on, note=note)
    log_access(actor, Action.CREATE, [_trajectory_access(trajectory)])
    if _needs_coordinator(trajectory):
        handoffs.without_coordinator(case, trajectory)
    return trajectory


DATE_FIELD = {
    Status.ACCEPTED: "accepted_on",
    Status.DECLINED: "declined_on",
    Status.MEETING_HELD: "meeting_held_on",
    Status.PLAN_MADE: "plan_made_on",
    Status.ABANDONED: "abandoned_on",
    Status.CLOSED: "closed_on",
}
# A manual step to one of these statuses is the normal way (the family's answer, or ending with a reason code);
# a manual step to any other status the method's table reaches by an event needs a note saying why.
MANUAL_STEPS = frozenset({Status.ACCEPTED, Status.DECLINED, Status.ABANDONED, Status.CLOSED})


def _last_status_on(trajectory) -> date:
    last = (
        TrajectoryEvent.objects.filter(trajectory=trajectory, kind="status")
        .order_by("-on")
        .values_list("on", flat=True)
        .first()
    )
    return last or trajectory.offered_on


def _set_status(trajectory, phases, target, on, reason) -> None:
    """The status with its date and reason; accepting starts the first phase, ending ends the phases."""
    trajectory.status = target
    if target in DATE_FIELD:
        setattr(trajectory, DATE_FIELD[target], on)
    if target == Status.ABANDONED:
        trajectory.abandonment_reason = reason
    if target == Status.CLOSED:
        trajectory.closure_reason = reason
    if target == Status.ACCEPTED and phases and not trajectory.current_phase:
        phases[0].started_on = on
        trajectory.current_phase = phases[0].code
    if target in flow.ENDED:
        for phase in phases:
            if phase.started_on and not phase.ended_on:
                phase.ended_on = on
        trajectory.current_phase = ""


def _set_phase(trajectory, phases, move: flow.Move, on) -> None:
    """End the current phase and those passed over; start the move's phase."""
    by_code = {p.code: p for p in phases}
    current = by_code.get(trajectory.current_phase)
    if current is not None and not current.ended_on:
        current.ended_on = on
    for code in move.passed:
        passed = by_code[code]
        passed.started_on = passed.started_on or on
        passed.ended_on = passed.ended_on or on
    if move.phase:
        by_code[move.phase].started_on = on
    trajectory.current_phase = move.phase or ""


def _apply_move(actor, case, trajectory, move: flow.Move, on: date, note="") -> None:
    """Apply a move (from an event, or a step by hand when ``move.event`` is empty) to the locked trajectory and
    case: each change is an event in the trajectory's history with who, the cause and why; logged."""
    phases = list(trajectory.phases.all())
    cause = move.event
    previous_status, previous_phase = trajectory.status, trajectory.current_phase
    if move.status:
        _set_status(trajectory, phases, move.status, on, move.reason)
    if move.phase is not None and move.status not in flow.ENDED:
        _set_phase(trajectory, phases, move, on)
    if move.status or move.phase is not None:
        _save_phases_and_trajectory(actor, trajectory, phases)
        log_access(actor, Action.UPDATE, [_trajectory_access(trajectory)])
    if move.status:
        _event(actor, trajectory, "status", previous_status, move.status, on, move.reason, note, cause)
    if move.phase is not None and move.status not in flow.ENDED and trajectory.current_phase != previous_phase:
        _event(actor, trajectory, "phase", previous_phase, trajectory.current_phase or "-", on, note=note, cause=cause)
    if move.case_status and case.status != move.case_status:
        _event(actor, trajectory, "case", case.status, move.case_status, on, note=note, cause=cause)
        case.status = move.case_status
        case.version += 1
        set_history_user(case, actor.user)
        case.save()
        log_access(actor, Action.UPDATE, [Access("case", case.pk, case.pk, case.organisation_id)])


def _event_refused(error: flow.EventRefused) -> ValidationError:
    allowed = ", ".join(_status_label(s) for s in error.allowed) or _("nothing: the trajectory has ended")
    return ValidationError(
        {
            "__all__": [
                _(
                    "This cannot be recorded: %(event)s, and that would take the trajectory from %(current)s to "
                    "%(target)s, which skips a step. Possible next steps now: %(allowed)s."
                )
                % {
                    "event": FlowEvent(error.event).label,
                    "current": _status_label(error.current),
                    "target": _status_label(error.target),
                    "allowed": allowed,
                }
            ]
        }
    )


def flow_steps(method_code: str) -> tuple[flow.Step, ...]:
    """The method's table of events as the pure core's rows; empty for an unknown method."""
    definition = catalogue().get(method_code)
    if definition is None:
        return ()
    return tuple(
        flow.Step(s.on, s.status or "", s.phase or "", s.case_status or "", s.reason or "")
        for s in definition.flow.steps
    )


def expected_next(trajectory) -> tuple[flow.Step, ...]:
    """What the method expects next for this trajectory: the rows of its table whose event would move it on now,
    in journey order (e.g. ``meeting_held`` for a trajectory in preparation). Reads no database."""
    return flow.expected(trajectory.status, flow_steps(trajectory.method_code))


def _advance_locked(actor, case, trajectory, event, reason="", on=None, note="") -> flow.Move:
    phases = [p["code"] for p in trajectory.phases_followed]
    try:
        move = flow.move_on(
            event,
            trajectory.status,
            trajectory.current_phase,
            phases,
            flow_steps(trajectory.method_code),
            case.status,
            reason,
        )
    except flow.EventRefused as error:
        raise _event_refused(error) from None
    except states.MissingReason:
        raise ValidationError({"reason": [_("Choose a reason from the list.")]}) from None
    if move.changes:
        # The day of the event, but never before the last status change (the history stays in order).
        on = max(on or timezone.localdate(), _last_status_on(trajectory))
        _apply_move(actor, case, trajectory, move, on, note)
    return move


def advance_on(event: str, trajectory, actor, reason: str = "", *, on: date | None = None, note: str = "") -> flow.Move:
    """Move the trajectory (status, phase) and its case as the method's table says for ``event`` (one of
    ``core.flow.EVENTS``). Called by the stage where the event happens, inside its own transaction after its own
    permission check. Idempotent: an event whose target is reached or passed changes nothing (never backwards).
    A step the status machine forbids raises ValidationError naming the possible steps, so the caller's write is
    refused with it. ``reason``: the abandonment or closure reason code; ``on``: the day of the event (today when
    not given); ``note``: why, in words. Returns the move made (``move.changes`` False: nothing changed)."""
    case = lock_case(trajectory.case_id, actor.user)
    locked = _lock_trajectory(case, trajectory.pk)
    move = _advance_locked(actor, case, locked, event, reason, on, note)
    if move.changes:
        trajectory.refresh_from_db()
    return move


@logs_refusal
@transaction.atomic
def change_status(
    actor, case_id, trajectory_id, target, on: date, reason="", note="", expected_version=None
) -> Trajectory:
    """Move the trajectory one step through its status machine by hand; illegal steps are refused with the
    options. A step the method's table takes on an event (a meeting held, a plan accepted) needs a note saying why
    it is taken by hand; a step to the status the trajectory already has changes nothing."""
    case = lock_case(case_id, actor.user)
    trajectory = _lock_trajectory(case, trajectory_id)
    check_can_work_on(actor.user, case, trajectory)
    refuse_if_stale(trajectory, expected_version, ["status", "current_phase", "coordinator"])
    if target == trajectory.status:
        return trajectory
    try:
        states.check_transition(trajectory.status, target, reason)
    except states.IllegalTransition as error:
        raise ValidationError({"status": [_illegal_message(error)]}) from None
    except states.MissingReason:
        raise ValidationError({"reason": [_("Choose a reason from the list.")]}) from None
    except ValueError:
        raise ValidationError({"status": [_("Choose a status from the list.")]}) from None
    _check_date(on, "on", _last_status_on(trajectory))
    if target == Status.PREPARING and trajectory.coordinator_id is None and _needs_coordinator(trajectory):
        raise ValidationError({"status": [_("Allocate a coordinator before the preparation starts.")]})
    note = (note or "").strip()
    steps = flow_steps(trajectory.method_code)
    if target not in MANUAL_STEPS and target in flow.event_targets(steps) and not note:
        raise ValidationError(
            {"note": [_("This step normally follows from the work itself; say in the note why you take it by hand.")]}
        )
    event = {Status.ABANDONED: flow.ABANDONED, Status.DECLINED: flow.DECLINED}.get(target)
    if event and flow.step_for(event, steps):
        _advance_locked(actor, case, trajectory, event, reason, on, note)
    else:
        _apply_move(actor, case, trajectory, flow.Move("", target, reason=reason), on, note)
    if target == Status.ACCEPTED:
        _advance_locked(actor, case, trajectory, flow.OFFER_ACCEPTED, on=on)
        if trajectory.coordinator_id:
            # Allocated before the family said yes: the allocation now starts the preparation.
            _advance_locked(actor, case, trajectory, flow.COORDINATOR_ALLOCATED, on=on)
    return trajectory


def _needs_coordinator(trajectory) -> bool:
    definition = catalogue().get(trajectory.method_code)
    return definition is not None and definition.leader == "independent_coordinator"


@logs_refusal
@transaction.atomic
def advance_phase(actor, case_id, trajectory_id, on: date, expected_version=None, note="") -> Trajectory:
    """End the current phase and start the next, in the order of the method; later phases are re-planned."""
    case = lock_case(case_id, actor.user)
    trajectory = _lock_trajectory(case, trajectory_id)
    check_can_work_on(actor.user, case, trajectory)
    refuse_if_stale(trajectory, expected_version, ["status", "current_phase", "coordinator"])
    if trajectory.status in (Status.OFFERED, *[s for s in Status if s not in states.ACTIVE]):
        raise ValidationError({"current_phase": [_("Phases move only while the trajectory is under way.")]})
    phases = list(trajectory.phases.all())
    current = next((p for p in phases if p.code == trajectory.current_phase), None)
    if current is None:
        raise ValidationError({"current_phase": [_("This trajectory has no current phase.")]})
    _check_date(on, "on", current.started_on)
    current.ended_on = on
    following = next((p for p in phases if p.position == current.position + 1), None)
    if following is not None:
        following.started_on = on
        trajectory.current_phase = following.code
    else:
        trajectory.current_phase = ""
    _save_phases_and_trajectory(actor, trajectory, phases)
    _event(actor, trajectory, "phase", current.code, trajectory.current_phase or "-", on, note=(note or "").strip())
    log_access(actor, Action.UPDATE, [_trajectory_access(trajectory)])
    return trajectory


def coordinator_is_case_worker(case, user_id) -> bool:
    return CaseTeamMember.objects.filter(case=case, user_id=user_id, role=CaseRole.CASE_WORKER).exists()


@logs_refusal
@transaction.atomic
def allocate_coordinator(
    actor, case_id, trajectory_id, user_id, accept_case_worker=False, expected_version=None, on: date | None = None
) -> Trajectory:
    """The team lead allocates a coordinator. The family's own case worker may be chosen only after the
    warning was seen (``accept_case_worker``): the methods want an independent coordinator. The allocation is an
    event of the method's table (``coordinator_allocated``: for the coordinated methods the preparation starts).
    ``on``: the day of the allocation, today when not given."""
    from kring.accounts.models import User

    on = on or timezone.localdate()
    case = lock_case(case_id, actor.user)
    trajectory = _lock_trajectory(case, trajectory_id)
    if not _is_team_lead(actor.user, case):
        raise PermissionDenied(_("Only the team lead allocates a coordinator."))
    refuse_if_stale(trajectory, expected_version, ["status", "current_phase", "coordinator"])
    if trajectory.status not in states.ACTIVE:
        raise ValidationError({"coordinator": [_("This trajectory has ended.")]})
    coordinator = User.objects.filter(pk=user_id, is_active=True).first()
    # A coordinator of the case's organisation, or an independent one assigned to this case (decision 247).
    if coordinator is None or (
        Role.COORDINATOR not in coordinator.roles_in(case.organisation_id)
        and coordinator.pk not in assigned_coordinator_ids(case, on)
    ):
        raise ValidationError({"coordinator": [_("Choose a coordinator of this organisation.")]})
    is_worker = coordinator_is_case_worker(case, coordinator.pk)
    if is_worker and not accept_case_worker:
        warning = ValidationError(
            _(
                "%(name)s is the family's case worker. The method asks for an independent "
                "coordinator; confirm if you allocate them anyway."
            )
            % {"name": coordinator},
            code="coordinator_is_case_worker",
        )
        raise ValidationError({"coordinator": [warning]})
    _check_date(on, "on", trajectory.offered_on)
    previous = trajectory.coordinator
    trajectory.coordinator = coordinator
    trajectory.coordinator_is_case_worker = is_worker
    trajectory.coordinator_allocated_by = actor.user
    trajectory.coordinator_allocated_on = on
    trajectory.version += 1
    set_history_user(trajectory, actor.user)
    trajectory.save()
    if not CaseTeamMember.objects.filter(case=case, user=coordinator).exists():
        member = CaseTeamMember(case=case, organisation=case.organisation, user=coordinator, role=CaseRole.COORDINATOR)
        set_history_user(member, actor.user)
        member.save()

        forget_scope(coordinator)
    handoffs.coordinator_allocated(case, trajectory)
    _event(
        actor,
        trajectory,
        "coordinator",
        str(previous.pk) if previous else "",
        str(coordinator.pk),
        on,
    )
    log_access(actor, Action.UPDATE, [_trajectory_access(trajectory)])
    _advance_locked(actor, case, trajectory, flow.COORDINATOR_ALLOCATED, on=on)
    return trajectory


# ---- the law -----------------------------------------------------------------------------------------------


def _open_case_record(actor, case_id, model, jurisdiction, message, expected_version, fields, data, **new):
    """Lock the case and its one record of ``model`` (or start one), for an editor in the right jurisdiction;
    refuse a stale form and unknown fields. Returns (case, record, creating)."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    if case.organisation.jurisdiction != jurisdiction:
        raise ValidationError({"__all__": [message]})
    record = model.objects.select_for_update().filter(case=case).first()
    creating = record is None
    if creating:
        record = model(case=case, organisation=case.organisation, **new)
    else:
        # A form opened before the record existed carries no version: someone else created it meanwhile.
        refuse_if_stale(record, 0 if expected_version is None else expected_version, fields)
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    return case, record, creating


@logs_refusal
@transaction.atomic
def save_family_plan_right(actor, case_id, data: dict, expected_version=None) -> FamilyPlanRight:
    """Record the Jeugdwet art. 4.1.2 offer and what followed; the law's rules are checked as a whole."""
    case, record, creating = _open_case_record(
        actor,
        case_id,
        FamilyPlanRight,
        Jurisdiction.NETHERLANDS,
        _("The family group plan of the Jeugdwet applies to Dutch organisations only."),
        expected_version,
        FAMILY_PLAN_FIELDS,
        data,
    )
    for name, value in data.items():
        text_field = not (name.endswith("_on") or name.endswith("_until"))
        setattr(record, name, "" if value is None and text_field else value)
    if "offered_on" in data and record.offered_on and not record.offered_by_id:
        record.offered_by = actor.user
    validate(record, exclude=["case", "organisation", "offered_by"])
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    for name in FAMILY_PLAN_FIELDS:
        value = getattr(record, name)
        if isinstance(value, date) and name != "reasonable_term_until" and value > today:
            errors.setdefault(name, []).append(_("This date cannot be in the future."))
    if not (record.offered_on or record.exemption):
        errors.setdefault("offered_on", []).append(
            _("Record when the family group plan was offered, or the exemption that applies.")
        )
    messages = _legal_messages()
    for problem in jeugdwet.problems(deadlines.as_core(record)):
        errors.setdefault(problem.field, []).append(messages[problem.code])
    if errors:
        raise ValidationError(errors)
    record.next_due_on = deadlines.earliest_open(deadlines.legal_deadlines(record))
    if not creating:
        record.version += 1
    set_history_user(record, actor.user)
    record.save()
    log_access(
        actor,
        Action.CREATE if creating else Action.UPDATE,
        [Access("family_plan_right", record.pk, case.pk, case.organisation_id)],
    )
    return record


def plan_is_family_plan(method_code: str, presented_with_network: bool) -> bool:
    """Whether an accepted plan of this method fulfils the family group plan of Jeugdwet art. 4.1.2, as its
    definition says (``[jeugdwet] family_plan``): every accepted plan, or only one the family presented with its
    network. Reads no database."""
    definition = catalogue().get(method_code)
    rule = definition.jeugdwet.family_plan if definition is not None and definition.jeugdwet else None
    return rule == "accepted_plan" or (rule == "presented_with_network" and presented_with_network)


def record_family_plan(actor, trajectory, on: date, presented_with_network: bool) -> FamilyPlanRight | None:
    """An accepted plan of the trajectory: when it counts as the family group plan (``plan_is_family_plan``), note
    it on the case's Jeugdwet record, which closes the reasonable term (and its "overdue" step on my work).
    Called inside the plan stage's transaction after its own checks; returns the record changed, or None."""
    if not plan_is_family_plan(trajectory.method_code, presented_with_network):
        return None
    record = (
        FamilyPlanRight.objects.select_for_update()
        .filter(case_id=trajectory.case_id, family_plan_made_on__isnull=True)
        .first()
    )
    if record is None:
        return None
    record.family_plan_made_on = on
    record.next_due_on = deadlines.earliest_open(deadlines.legal_deadlines(record))
    record.version += 1
    set_history_user(record, actor.user)
    record.save()
    log_access(
        actor, Action.UPDATE, [Access("family_plan_right", record.pk, trajectory.case_id, record.organisation_id)]
    )
    return record


@logs_refusal
@transaction.atomic
def save_strengths_exploration(actor, case_id, data: dict, expected_version=None) -> StrengthsExploration:
    """Flanders: how the family's own strengths were explored, as the intersectoral access gate asks."""
    case, record, creating = _open_case_record(
        actor,
        case_id,
        StrengthsExploration,
        Jurisdiction.FLANDERS,
        _(
            "The exploration of own strengths is asked by the Flemish access gate; it applies to Flemish "
            "organisations only."
        ),
        expected_version,
        STRENGTHS_FIELDS,
        data,
        recorded_by=actor.user,
    )
    for name, value in data.items():
        setattr(record, name, value)
    methods = set(catalogue())
    if not isinstance(record.methods_used, list) or set(record.methods_used) - methods:
        raise ValidationError({"methods_used": [_("Choose methods from the list.")]})
    validate(record, exclude=["case", "organisation", "recorded_by"])
    if record.explored_on and record.explored_on > timezone.localdate():
        raise ValidationError({"explored_on": [_("This date cannot be in the future.")]})
    if not creating:
        record.version += 1
    record.recorded_by = actor.user
    set_history_user(record, actor.user)
    record.save()
    log_access(
        actor,
        Action.CREATE if creating else Action.UPDATE,
        [Access("strengths_exploration", record.pk, case.pk, case.organisation_id)],
    )
    return record
