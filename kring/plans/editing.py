"""What every write of the plan stage shares: the plan's services, the Signs of Safety records (``safety``) and the
personal links (``links``) all build on it.

- the access log records of the plan's own records;
- who may do what: bottom lines and the decision on the plan belong to the case worker (or a team lead), never
  the coordinator alone: the professional who carries the responsibility for safety sets the conditions and
  checks the plan; the rest of the plan to whoever may work on the trajectory (``check_can_work_on``);
- locking the case and a record of it, and ``open_plan``, which locks the plan and checks the permission;
- the refusals every write of a plan makes (an ended trajectory, a plan that is not editable, private time);
- persons and team members of the case named in a write, refused alike when they belong to another case.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.audit.services import Access
from kring.cases.choices import CaseRole
from kring.cases.editing import case_standing, check_can_work_on, lock_case
from kring.cases.models import CaseTeamMember, Person
from kring.core.errors import NotFound
from kring.core.history import set_history_user
from kring.meetings.models import MeetingPart
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.models import Trajectory

from .choices import PlanStatus
from .models import Plan

EDITABLE_PLAN = (PlanStatus.DRAFT, PlanStatus.SENT_BACK)
DECIDING_ROLES = {CaseRole.CASE_WORKER, CaseRole.TEAM_LEAD}

# Refused work on the plan of a trajectory (the rule is ``check_can_work_on``).
WORK_REFUSAL = gettext_lazy("Only the case worker, the coordinator or the team lead can change this plan.")


# ---- access log records ------------------------------------------------------------------------------------


def plan_access(plan) -> Access:
    return Access("plan", plan.pk, plan.case_id, plan.organisation_id)


def bottom_line_access(line) -> Access:
    return Access("bottom_line", line.pk, line.case_id, line.organisation_id)


def agreement_access(agreement) -> Access:
    return Access("agreement", agreement.pk, agreement.case_id, agreement.organisation_id)


def review_access(review) -> Access:
    return Access("plan_review", review.pk, review.case_id, review.organisation_id)


def child_tool_access(attachment) -> Access:
    """A child's own tool, as the plan's reads, the Signs of Safety records and the link pages all name it."""
    return Access("child_tool", attachment.pk, attachment.case_id, attachment.organisation_id)


# ---- permissions -------------------------------------------------------------------------------------------


def check_can_decide(user, case):
    """Bottom lines and the decision on the plan belong to the responsible professional."""
    role, leads = case_standing(user, case)
    if role in DECIDING_ROLES or leads:
        return
    raise PermissionDenied(_("Only the case worker or the team lead sets the bottom lines and decides on the plan."))


def can_decide(user, case) -> bool:
    try:
        check_can_decide(user, case)
    except PermissionDenied:
        return False
    return True


def can_work_on(user, case, trajectory) -> bool:
    try:
        check_can_work_on(user, case, trajectory, refusal=WORK_REFUSAL)
    except PermissionDenied:
        return False
    return True


# ---- locking -----------------------------------------------------------------------------------------------


def lock_trajectory(case, trajectory_id) -> Trajectory:
    trajectory = Trajectory.objects.select_for_update().filter(pk=trajectory_id, case=case).first()
    if trajectory is None:
        raise NotFound()
    return trajectory


def lock_record(model, case, record_id, related=()):
    """One record of the case, locked for the write; NotFound for a record of another case."""
    record = model.objects.select_for_update().select_related(*related).filter(pk=record_id, case=case).first()
    if record is None:
        raise NotFound()
    return record


def open_plan(actor, case_id, plan_id, *, deciding=False):
    """Lock case and plan and check the permission; (case, plan). Every write to a plan starts here."""
    case = lock_case(case_id, actor.user)
    plan = lock_record(Plan, case, plan_id, related=("trajectory", "organisation"))
    if deciding:
        check_can_decide(actor.user, case)
    else:
        check_can_work_on(actor.user, case, plan.trajectory, refusal=WORK_REFUSAL)
    return case, plan


def save_new_version(record, actor):
    """Save a versioned record as its next version, kept in its history with who changed it."""
    record.version += 1
    set_history_user(record, actor.user)
    record.save()


# ---- refusals ----------------------------------------------------------------------------------------------


def refuse_unknown(data, allowed):
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})


def refuse_ended(trajectory):
    if trajectory.status not in ACTIVE:
        raise ValidationError({"__all__": [_("This trajectory has ended; its plan cannot change any more.")]})


def refuse_not_editable(plan):
    if plan.status not in EDITABLE_PLAN:
        message = (
            _("The plan was submitted for approval; it can change again once it is sent back.")
            if plan.status == PlanStatus.SUBMITTED
            else _("This version of the plan was accepted. Start a new version to change it.")
        )
        raise ValidationError({"__all__": [message]})


def refuse_during_private_time(plan):
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


# ---- persons and team members named in a write -------------------------------------------------------------


def person_of_case(case, value, field, *, required=False):
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


def team_user(case, value, field):
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
