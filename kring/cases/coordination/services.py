"""Writes of the independent coordinators' work (decisions 240-249): the office's pool, a case referred to an office,
the family's choice, the assignment confirmed and ended, hours and costs.

The case side (a request, the family's choice, ending) goes through ``lock_case``: only who sees the case and holds
a case role at its organisation (its case worker or team lead) refers it. The office side (pool, confirmation,
ending) is for the office's team leads and administrators, who never see the case itself: they read what the
request carries (the case number, languages, region), nothing of the family's file. Every write is logged with
the case and its organisation, so that organisation's privacy officer sees it.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import CoordinatorProfile, Membership, Organisation, Role, User
from kring.audit.services import Access, Action, log_access
from kring.core.errors import NotFound, StaleEdit, form_version
from kring.core.history import set_history_user

from ..choices import CaseRole
from ..editing import forget_scope, lock_case, logs_refusal, validate
from ..models import (
    Assignment,
    AssignmentRequest,
    AssignmentRequestStatus,
    AssignmentTimeEntry,
    CaseTeamMember,
)
from . import matching

# Who at an office confirms assignments and keeps the pool.
OFFICE_STAFF_ROLES = frozenset({Role.TEAM_LEAD, Role.ADMINISTRATOR})
# Who at the case's organisation refers a case to an office and records the family's choice.
REFERRING_ROLES = frozenset({Role.CASE_WORKER, Role.TEAM_LEAD})
MAX_HOURS_A_DAY = Decimal(24)
MAX_KM_A_DAY = Decimal(2000)
MAX_COSTS_A_DAY = Decimal(10000)


def request_access(request) -> Access:
    return Access("assignment_request", request.pk, request.case_id, request.organisation_id)


def assignment_access(assignment) -> Access:
    return Access("coordinator_assignment", assignment.pk, assignment.case_id, assignment.organisation_id)


def time_entry_access(entry) -> Access:
    return Access("assignment_time_entry", entry.pk, entry.case_id, entry.organisation_id)


def staffed_offices(user) -> list[Organisation]:
    """The coordinating offices where the user is a team lead or administrator."""
    found = {
        m.organisation_id: m.organisation
        for m in user.active_memberships()
        if m.role in OFFICE_STAFF_ROLES and m.organisation.is_coordinating_office
    }
    return sorted(found.values(), key=lambda o: o.name)


def staffed_office_ids(user) -> set[int]:
    return {o.pk for o in staffed_offices(user)}


def may_refer(user, case) -> bool:
    """Whether the user refers this case to an office: its case worker or team lead, at the case's organisation."""
    from ..editing import can_edit_case

    return bool(user.roles_in(case.organisation_id) & REFERRING_ROLES) and can_edit_case(user, case)


def check_may_refer(user, case):
    if not may_refer(user, case):
        raise PermissionDenied(_("Only the case worker or the team lead of the case's organisation refers a case."))


def refuse_referral(actor, case):
    """Refuse a change of the case's referral by someone who may not refer it: logged as denied, nothing changed."""
    from ..queries import refused_case_access

    log_access(actor, Action.DENIED, [refused_case_access(case.pk)])
    raise PermissionDenied(_("Only the case worker or the team lead of the case's organisation refers a case."))


def case_request(case, request_id) -> AssignmentRequest:
    """One request of this case (the case read through the visibility query already), or NotFound."""
    return _case_request(case, request_id, lock=False)


def assignment_of_case(assignment_id, case) -> bool:
    return Assignment.objects.filter(pk=assignment_id, case=case).exists()


def profile_of(office_id, user_id) -> CoordinatorProfile | None:
    return CoordinatorProfile.objects.filter(office_id=office_id, user_id=user_id).first()


def check_not_stale(record, expected_version):
    expected = form_version(expected_version)
    if expected is not None and expected != record.version:
        raise StaleEdit([])


def pool_members(office) -> list[User]:
    """The active members of the office with the coordinator role."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=office,
            memberships__role=Role.COORDINATOR,
            memberships__active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def active_profile(office_id, user_id) -> CoordinatorProfile | None:
    """The coordinator's active profile in the office's pool, if they are still a coordinator there."""
    if not Membership.objects.filter(
        user_id=user_id, organisation_id=office_id, role=Role.COORDINATOR, active=True, user__is_active=True
    ).exists():
        return None
    return CoordinatorProfile.objects.filter(office_id=office_id, user_id=user_id, active=True).first()


def case_languages(case) -> list[str]:
    """The languages the case's persons speak at home and read their letters in, Dutch left out, each once."""
    texts: list[str] = []
    for language, document_language in case.persons.values_list("language", "document_language"):
        texts += [language, document_language]
    return [matching.language_label(key) for key in matching.needed_languages(texts)]


def case_region(case) -> str:
    return case.team.region or case.organisation.region


# ---- the office's pool ---------------------------------------------------------------------------------------


PROFILE_FIELDS = (
    "languages",
    "cultural_background",
    "regions",
    "available_from",
    "available_until",
    "max_assignments",
    "active",
)


def save_profile(actor, office_id, user_id, data: dict, expected_version=None) -> CoordinatorProfile:
    """Make or change a coordinator's profile in the office's pool (office staff only)."""
    if int(office_id) not in staffed_office_ids(actor.user):
        log_access(actor, Action.DENIED, [Access("coordinator_profile", user_id, None, int(office_id))])
        raise PermissionDenied(_("Only the office's team lead or administrator keeps its pool."))
    with transaction.atomic():
        return _save_profile(actor, office_id, user_id, data, expected_version)


def _save_profile(actor, office_id, user_id, data, expected_version) -> CoordinatorProfile:
    if (
        user_id is None
        or not Membership.objects.filter(
            user_id=user_id, organisation_id=office_id, role=Role.COORDINATOR, active=True
        ).exists()
    ):
        raise ValidationError({"user": [_("Choose a coordinator of this office.")]})
    profile = CoordinatorProfile.objects.select_for_update().filter(office_id=office_id, user_id=user_id).first()
    created = profile is None
    if profile is None:
        profile = CoordinatorProfile(office_id=office_id, user_id=user_id)
    else:
        check_not_stale(profile, expected_version)
        profile.version += 1
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(profile, name, data[name])
    validate(profile)
    profile.save()
    log_access(
        actor,
        Action.CREATE if created else Action.UPDATE,
        [Access("coordinator_profile", profile.pk, None, int(office_id))],
    )
    return profile


# ---- the case side: referral and the family's choice ---------------------------------------------------------


@logs_refusal
@transaction.atomic
def request_coordinator(actor, case_id, data: dict) -> AssignmentRequest:
    """Refer the case to a coordinating office. The languages and region default to what the case says."""
    case = lock_case(case_id, actor.user)
    check_may_refer(actor.user, case)
    office = data.get("office")
    if not isinstance(office, Organisation) or not office.is_coordinating_office:
        raise ValidationError({"office": [_("Choose a coordinating office.")]})
    trajectory = data.get("trajectory")
    if trajectory is not None and trajectory.case_id != case.pk:
        raise ValidationError({"trajectory": [_("Choose a trajectory of this case.")]})
    wished_start = data.get("wished_start") or timezone.localdate()
    if wished_start < timezone.localdate():
        raise ValidationError({"wished_start": [_("The wished start cannot lie in the past.")]})
    if AssignmentRequest.objects.filter(case=case, office=office, status=AssignmentRequestStatus.OPEN).exists():
        raise ValidationError({"office": [_("This case already has an open request at this office.")]})
    languages = data.get("languages")
    request = AssignmentRequest(
        case=case,
        organisation=case.organisation,
        office=office,
        trajectory=trajectory,
        languages=(", ".join(case_languages(case)) if languages is None else str(languages)).strip()[:300],
        region=(case_region(case) if data.get("region") is None else str(data["region"])).strip()[:120],
        culture=str(data.get("culture") or "").strip()[:200],
        wished_start=wished_start,
        note=str(data.get("note") or "").strip()[:1000],
        requested_by=actor.user,
    )
    validate(request)
    request.save()
    log_access(actor, Action.CREATE, [request_access(request)])
    return request


def _case_request(case, request_id, lock=True) -> AssignmentRequest:
    rows = AssignmentRequest.objects.filter(case=case, pk=request_id)
    request = (rows.select_for_update() if lock else rows).first()
    if request is None:
        raise NotFound()
    return request


@logs_refusal
@transaction.atomic
def record_family_choice(
    actor, case_id, request_id, coordinator_id, chosen_on: datetime.date | None = None, expected_version=None
) -> AssignmentRequest:
    """The family's choice among the offered coordinators, or no preference (``coordinator_id`` None)."""
    case = lock_case(case_id, actor.user)
    check_may_refer(actor.user, case)
    request = _case_request(case, request_id)
    check_not_stale(request, expected_version)
    if request.status != AssignmentRequestStatus.OPEN:
        raise ValidationError({"coordinator": [_("This request is no longer open.")]})
    chosen_on = chosen_on or timezone.localdate()
    if chosen_on > timezone.localdate():
        raise ValidationError({"chosen_on": [_("The day of the choice cannot lie in the future.")]})
    if chosen_on < request.requested_at.date():
        raise ValidationError({"chosen_on": [_("The family chose after the request was made.")]})
    if coordinator_id is not None and active_profile(request.office_id, coordinator_id) is None:
        raise ValidationError({"coordinator": [_("Choose a coordinator of the office's pool.")]})
    request.family_choice_id = coordinator_id
    request.family_no_preference = coordinator_id is None
    request.family_choice_on = chosen_on
    request.family_choice_recorded_by = actor.user
    request.version += 1
    request.save()
    log_access(actor, Action.UPDATE, [request_access(request)])
    return request


@logs_refusal
@transaction.atomic
def withdraw_request(actor, case_id, request_id, expected_version=None) -> AssignmentRequest:
    case = lock_case(case_id, actor.user)
    check_may_refer(actor.user, case)
    request = _case_request(case, request_id)
    check_not_stale(request, expected_version)
    if request.status != AssignmentRequestStatus.OPEN:
        raise ValidationError(_("This request is no longer open."))
    request.status = AssignmentRequestStatus.WITHDRAWN
    request.version += 1
    request.save()
    log_access(actor, Action.UPDATE, [request_access(request)])
    return request


# ---- the office side: confirming and ending --------------------------------------------------------------------


class Refused(NotFound):
    """A refused office or coordinator action on a record: logged by ``logs_office_refusal`` after the rollback,
    against the record's case and organisation (or without, if it does not exist)."""

    def __init__(self, access: Access):
        self.access = access
        super().__init__()


def _refused(record_type, record_id, found) -> Refused:
    if found is None:
        return Refused(Access(record_type, record_id))
    return Refused(Access(record_type, found.pk, found.case_id, found.organisation_id))


def logs_office_refusal(service):
    """Log a refused action as 'denied' once its transaction rolled back (as ``editing.logs_refusal`` does)."""
    import functools

    @functools.wraps(service)
    def wrapper(actor, *args, **kwargs):
        try:
            return service(actor, *args, **kwargs)
        except Refused as refusal:
            log_access(actor, Action.DENIED, [refusal.access])
            raise

    return wrapper


@logs_office_refusal
@transaction.atomic
def confirm_assignment(
    actor, request_id, coordinator_id, starts_on: datetime.date | None = None, expected_version=None
) -> Assignment:
    """The office confirms a coordinator for a request: from ``starts_on`` the coordinator sees the case."""
    request = AssignmentRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or request.office_id not in staffed_office_ids(actor.user):
        raise _refused("assignment_request", request_id, request)
    check_not_stale(request, expected_version)
    if request.status != AssignmentRequestStatus.OPEN:
        raise ValidationError({"coordinator": [_("This request is no longer open.")]})
    if coordinator_id is None or active_profile(request.office_id, coordinator_id) is None:
        raise ValidationError({"coordinator": [_("Choose a coordinator of the office's pool.")]})
    starts_on = starts_on or max(request.wished_start, timezone.localdate())
    if starts_on < timezone.localdate():
        raise ValidationError({"starts_on": [_("The assignment cannot start in the past.")]})
    # Any assignment of this coordinator to this case not ended by the start would double it.
    if Assignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on), case_id=request.case_id, coordinator_id=coordinator_id
    ).exists():
        raise ValidationError({"coordinator": [_("This coordinator is already assigned to this case.")]})
    assignment = Assignment(
        case_id=request.case_id,
        organisation_id=request.organisation_id,
        office_id=request.office_id,
        coordinator_id=coordinator_id,
        request=request,
        trajectory_id=request.trajectory_id,
        starts_on=starts_on,
        confirmed_by=actor.user,
    )
    validate(assignment)
    assignment.save()
    request.status = AssignmentRequestStatus.CONFIRMED
    request.version += 1
    request.save()
    log_access(actor, Action.CREATE, [assignment_access(assignment), request_access(request)])
    return assignment


def may_end_from_the_case(user, assignment) -> bool:
    from ..queries import visible_cases

    case = visible_cases(user).filter(pk=assignment.case_id).first()
    return case is not None and may_refer(user, case)


@logs_office_refusal
@transaction.atomic
def end_assignment(actor, assignment_id, ends_on: datetime.date | None = None, expected_version=None) -> Assignment:
    """End an assignment: from ``ends_on`` (today when not given) the coordinator no longer sees the case. The
    office's staff end it, or the case worker or team lead of the case. The coordinator leaves the case team."""
    assignment = Assignment.objects.select_for_update().filter(pk=assignment_id).first()
    if assignment is None or not (
        assignment.office_id in staffed_office_ids(actor.user) or may_end_from_the_case(actor.user, assignment)
    ):
        raise _refused("coordinator_assignment", assignment_id, assignment)
    check_not_stale(assignment, expected_version)
    today = timezone.localdate()
    if assignment.ends_on is not None and assignment.ends_on <= today:
        raise ValidationError({"ends_on": [_("This assignment has ended already.")]})
    ends_on = ends_on or today
    if ends_on < today:
        raise ValidationError({"ends_on": [_("An assignment cannot end in the past.")]})
    assignment.ends_on = max(ends_on, assignment.starts_on)
    assignment.ended_by = actor.user
    assignment.version += 1
    validate(assignment)
    assignment.save()
    touched = [assignment_access(assignment)]
    if assignment.ends_on <= today:
        touched += _leave_case_team(assignment, actor.user)
    log_access(actor, Action.UPDATE, touched)
    return assignment


def _leave_case_team(assignment, ended_by) -> list[Access]:
    """The ended coordinator's place on the case team (a trajectory's allocation made one), unless they also work
    at the case's organisation."""
    coordinator = assignment.coordinator
    if coordinator.roles_in(assignment.organisation_id):
        return []
    rows = list(CaseTeamMember.objects.filter(case_id=assignment.case_id, user=coordinator, role=CaseRole.COORDINATOR))
    ids = [row.pk for row in rows]
    for row in rows:
        set_history_user(row, ended_by)
        row.delete()
    forget_scope(coordinator)
    return [Access("case_team", pk, assignment.case_id, assignment.organisation_id) for pk in ids]


# ---- hours and costs ---------------------------------------------------------------------------------------------


def _amount(data, name, maximum, required=False) -> Decimal:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise ValidationError({name: [_("Give a number.")]})
        return Decimal(0)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: [_("Give a number.")]}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({name: [_("Give a number of zero or more.")]})
    if amount > maximum:
        raise ValidationError({name: [_("At most %(maximum)s a day.") % {"maximum": maximum}]})
    return amount


@logs_office_refusal
@transaction.atomic
def record_time(actor, assignment_id, data: dict) -> AssignmentTimeEntry:
    """The coordinator records hours, kilometres and costs of a day of their own assignment, within its period."""
    assignment = Assignment.objects.select_for_update().filter(pk=assignment_id).first()
    if assignment is None or assignment.coordinator_id != actor.user.pk:
        raise _refused("coordinator_assignment", assignment_id, assignment)
    worked_on = data.get("worked_on")
    if not isinstance(worked_on, datetime.date):
        raise ValidationError({"worked_on": [_("Give the date.")]})
    today = timezone.localdate()
    last = min(today, assignment.ends_on - datetime.timedelta(days=1)) if assignment.ends_on else today
    if worked_on < assignment.starts_on or worked_on > last:
        raise ValidationError(
            {
                "worked_on": [
                    _("Give a date within the assignment, from %(first)s to %(last)s.")
                    % {"first": assignment.starts_on.strftime("%d-%m-%Y"), "last": last.strftime("%d-%m-%Y")}
                ]
            }
        )
    hours = _amount(data, "hours", MAX_HOURS_A_DAY, required=True)
    travel_km = _amount(data, "travel_km", MAX_KM_A_DAY)
    costs = _amount(data, "costs", MAX_COSTS_A_DAY)
    if not (hours or travel_km or costs):
        raise ValidationError({"hours": [_("Record hours, kilometres or costs.")]})
    entry = AssignmentTimeEntry(
        assignment=assignment,
        case_id=assignment.case_id,
        organisation_id=assignment.organisation_id,
        worked_on=worked_on,
        hours=hours,
        travel_km=travel_km,
        costs=costs,
        note=str(data.get("note") or "").strip()[:300],
        recorded_by=actor.user,
    )
    validate(entry)
    entry.save()
    log_access(actor, Action.CREATE, [time_entry_access(entry)])
    return entry
