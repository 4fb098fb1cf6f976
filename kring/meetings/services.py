"""Writes of the meeting stage. Like the case services: permission, validation and one transaction, the
access log, and version checks so a concurrent edit is refused rather than lost.

Who may change a meeting: whoever may change the case (case worker, coordinator and team lead on the case
team, the lead of the owning team) and the trajectory's coordinator.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases import confidentiality
from kring.cases.editing import check_can_work_on, lock_case, logs_refusal, refuse_if_stale, validate
from kring.cases.models import CaseTeamMember, Person
from kring.core.errors import NotFound, StaleEdit, form_version
from kring.core.history import set_history_user
from kring.journal import services as journal_services
from kring.network import unsafe
from kring.network.core import stats
from kring.network.core.kinship import read_relation
from kring.network.queries import load_records
from kring.trajectories import consents
from kring.trajectories.core import flow
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.models import Trajectory
from kring.trajectories.services import advance_on

from . import core, handoffs
from .choices import AgreedBy, Answer, InvitationRole, MeetingStatus, Mode, PartKind, Presence
from .models import (
    Attendance,
    ConferenceQuestion,
    InformationContribution,
    InterpreterBooking,
    Invitation,
    Meeting,
    MeetingCost,
    MeetingLogistics,
    MeetingPart,
    PreparationVisit,
)

MEETING_FIELDS = [
    "kind",
    "starts_at",
    "ends_at",
    "place",
    "language",
    "interpreter_needed",
    "interpreter_language",
    "note",
    "video_link",
]
INVITATION_FIELDS = [
    "role",
    "answer",
    "mode",
    "represented_by_person",
    "represented_by_name",
    "preparation_contact_on",
    "preparation_note",
    "not_coming_reason",
]
CONTRIBUTION_FIELDS = ["author_user", "author_name", "author_organisation", "text", "shared_with_all", "shared_on"]

# Refused work on a meeting of a trajectory (the rule is ``check_can_work_on``).
WORK_REFUSAL = gettext_lazy("Only the case worker, the coordinator or the team lead can change this meeting.")


# ---- access log records ------------------------------------------------------------------------------------


def meeting_access(meeting) -> Access:
    return Access("meeting", meeting.pk, meeting.case_id, meeting.organisation_id)


def invitation_access(invitation) -> Access:
    return Access("invitation", invitation.pk, invitation.case_id, invitation.organisation_id)


def contribution_access(contribution, case_id) -> Access:
    return Access("meeting_information", contribution.pk, case_id, contribution.organisation_id)


# ---- helpers -----------------------------------------------------------------------------------------------


def can_work_on(user, case, trajectory) -> bool:
    """Whether the user may change this trajectory's meetings (pages use it to offer or hide the forms)."""
    try:
        check_can_work_on(user, case, trajectory, refusal=WORK_REFUSAL)
    except PermissionDenied:
        return False
    return True


def _lock_trajectory(case, trajectory_id) -> Trajectory:
    trajectory = Trajectory.objects.select_for_update().filter(pk=trajectory_id, case=case).first()
    if trajectory is None:
        raise NotFound()
    return trajectory


def _lock_meeting(case, meeting_id) -> Meeting:
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("trajectory", "organisation")
        .filter(pk=meeting_id, case=case)
        .first()
    )
    if meeting is None:
        raise NotFound()
    return meeting


def _open_meeting(actor, case_id, meeting_id):
    """Lock case and meeting, check the permission; (case, meeting)."""
    case = lock_case(case_id, actor.user)
    meeting = _lock_meeting(case, meeting_id)
    check_can_work_on(actor.user, case, meeting.trajectory, refusal=WORK_REFUSAL)
    return case, meeting


def _refuse_cancelled(meeting):
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"__all__": [_("This meeting was cancelled; it cannot be changed.")]})


def _refuse_unknown(data, allowed):
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})


def local_zone(organisation) -> ZoneInfo:
    from django.conf import settings

    from .models import TIMEZONES

    return ZoneInfo(TIMEZONES.get(organisation.jurisdiction, settings.TIME_ZONE))


def _aware(value, zone):
    """A date-time as given by a form (naive: the organisation's local time) or by the API (with offset)."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value  # full_clean reports it
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value, zone)
    return value


def _default_role(person, parents_of_central: frozenset[str] = frozenset()) -> str:
    """The role an invitation proposes: child or parent for a central person by age; a parent of the central
    person (by the relation typed at intake, or a parent link on the map) as parent; then by life domain."""
    if person.is_central:
        today = timezone.localdate()
        if person.birth_date and (today - person.birth_date).days < 18 * 365.25:
            return InvitationRole.CHILD
        return InvitationRole.PARENT
    kin = read_relation(person.relation)
    if (kin is not None and kin.kind == "parent") or str(person.pk) in parents_of_central:
        return InvitationRole.PARENT
    member = getattr(person, "member", None)
    if member is not None and member.domain == "professional":
        return InvitationRole.INFORMATION_GIVER
    if member is not None and member.domain in ("household", "family"):
        return InvitationRole.FAMILY
    return InvitationRole.NETWORK_MEMBER


def _create_parts(meeting, trajectory, kinds=None):
    if kinds is None:
        parts = core.default_parts(meeting.kind, trajectory.method_code, trajectory.variant_code)
    else:
        valid = set(PartKind.values)
        if not kinds or any(k not in valid for k in kinds):
            raise ValidationError({"parts": [_("Choose the parts from the list.")]})
        parts = [(k, k in core.PRIVATE_PARTS) for k in kinds]
    MeetingPart.objects.bulk_create(
        [
            MeetingPart(
                meeting=meeting, organisation_id=meeting.organisation_id, kind=kind, order=i + 1, private=private
            )
            for i, (kind, private) in enumerate(parts)
        ]
    )


# ---- meetings ----------------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def schedule_meeting(actor, case_id, trajectory_id, data: dict) -> Meeting:
    """Plan a meeting of a trajectory; its parts follow from the kind of meeting and the method."""
    case = lock_case(case_id, actor.user)
    trajectory = _lock_trajectory(case, trajectory_id)
    check_can_work_on(actor.user, case, trajectory, refusal=WORK_REFUSAL)
    data = dict(data)
    part_kinds = data.pop("parts", None)
    _refuse_unknown(data, MEETING_FIELDS)
    if trajectory.status not in ACTIVE:
        raise ValidationError({"__all__": [_("This trajectory has ended; it gets no new meetings.")]})
    meeting = Meeting(trajectory=trajectory, case=case, organisation=case.organisation, created_by=actor.user)
    zone = local_zone(case.organisation)
    for name, value in data.items():
        if name in ("starts_at", "ends_at"):
            value = _aware(value, zone)
        elif name == "video_link":
            value = (value or "").strip()
        setattr(meeting, name, "" if value is None and name not in ("starts_at", "ends_at") else value)
    validate(meeting, exclude=["trajectory", "case", "organisation", "created_by"])
    _check_not_before_referral(meeting, case)
    set_history_user(meeting, actor.user)
    meeting.save()
    _create_parts(meeting, trajectory, part_kinds)
    log_access(actor, Action.CREATE, [meeting_access(meeting)])
    # The method's table may start the preparation when the first meeting is planned.
    advance_on(flow.MEETING_SCHEDULED, trajectory, actor)
    return meeting


def _check_not_before_referral(meeting, case):
    if meeting.starts_at and meeting.starts_at.date() < case.referral_date:
        raise ValidationError({"starts_at": [_("A meeting cannot be before the referral date.")]})


@logs_refusal
@transaction.atomic
def update_meeting(actor, case_id, meeting_id, changes: dict, expected_version) -> Meeting:
    """Change date, place, language or interpreter. A new kind brings its own parts, until attendance exists."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    refuse_if_stale(meeting, expected_version, MEETING_FIELDS)
    _refuse_unknown(changes, MEETING_FIELDS)
    old_kind, old_start = meeting.kind, meeting.starts_at
    zone = local_zone(case.organisation)
    for name, value in changes.items():
        if name in ("starts_at", "ends_at"):
            value = _aware(value, zone)
        elif name == "video_link":
            value = (value or "").strip()
        setattr(meeting, name, value)
    validate(meeting, exclude=["trajectory", "case", "organisation", "created_by"])
    _check_not_before_referral(meeting, case)
    if meeting.kind != old_kind:
        if Attendance.objects.filter(part__meeting=meeting).exists():
            raise ValidationError({"kind": [_("Attendance was recorded; the kind of meeting cannot change any more.")]})
        meeting.parts.all().delete()
        _create_parts(meeting, meeting.trajectory)
    meeting.version += 1
    set_history_user(meeting, actor.user)
    meeting.save()
    if meeting.starts_at != old_start and meeting.status == MeetingStatus.PLANNED:
        handoffs.rescheduled(actor, case, meeting)
    log_access(actor, Action.UPDATE, [meeting_access(meeting)])
    return meeting


@logs_refusal
@transaction.atomic
def cancel_meeting(actor, case_id, meeting_id, reason: str, expected_version) -> Meeting:
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    refuse_if_stale(meeting, expected_version, MEETING_FIELDS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancel_reason": [_("Say why the meeting is cancelled.")]})
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError({"__all__": [_("This meeting was held; it cannot be cancelled.")]})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason[:300]
    meeting.version += 1
    set_history_user(meeting, actor.user)
    meeting.save()
    log_access(actor, Action.UPDATE, [meeting_access(meeting)])
    return meeting


@logs_refusal
@transaction.atomic
def reinvite(actor, case_id, meeting_id) -> int:
    """The re-invite step after the meeting moved: each superseded invitation becomes a new one for the new time
    (invited today by this user, the answer asked again); its letter and calendar file then name the new time.
    Returns how many were made new."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    rows = list(meeting.invitations.select_for_update().filter(superseded_at__isnull=False))
    today = timezone.localdate()
    for invitation in rows:
        invitation.superseded_at = None
        invitation.invited_on = today
        invitation.invited_by = actor.user
        invitation.answer = Answer.NONE
        invitation.version += 1
        set_history_user(invitation, actor.user)
        invitation.save()
    if rows:
        log_access(actor, Action.UPDATE, [invitation_access(invitation) for invitation in rows])
    return len(rows)


@logs_refusal
@transaction.atomic
def add_part(
    actor,
    case_id,
    meeting_id,
    kind: str,
    label: str = "",
    private: bool | None = None,
    expected_version=None,
) -> MeetingPart:
    """Add a part at the end, e.g. the method's own part."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    refuse_if_stale(meeting, expected_version, MEETING_FIELDS)
    if kind not in PartKind.values:
        raise ValidationError({"kind": [_("Choose a part from the list.")]})
    if kind == PartKind.OTHER and not (label or "").strip():
        raise ValidationError({"label": [_("Give the part a name.")]})
    last = meeting.parts.order_by("-order").values_list("order", flat=True).first() or 0
    part = MeetingPart(
        meeting=meeting,
        organisation_id=meeting.organisation_id,
        kind=kind,
        label=(label or "")[:120],
        order=last + 1,
        private=(kind in core.PRIVATE_PARTS) if private is None else bool(private),
    )
    validate(part, exclude=["meeting", "organisation"])
    part.save()
    meeting.version += 1
    set_history_user(meeting, actor.user)
    meeting.save()
    log_access(actor, Action.UPDATE, [meeting_access(meeting)])
    return part


# ---- invitations -------------------------------------------------------------------------------------------


def invitability(person, invitable_ids) -> str:
    """'safe' when the map says the person may be invited (or they are a central person not marked unsafe),
    'unsafe' when marked unsafe, 'deceased', or 'not_cleared' (safety unknown, not to be invited, unreachable)."""
    member = person.member
    if member.deceased or member.death_date:
        return "deceased"
    if member.safety == "unsafe":
        return "unsafe"
    if str(person.pk) in invitable_ids or person.is_central:
        return "safe"
    return "not_cleared"


def map_candidates(case):
    """The case's persons with their map details, each with ``invitability`` and a proposed ``role``."""
    records = load_records(case)
    invitable_ids = {m.id for m in stats.invitable(records.network)}
    central = {m.id for m in records.network.members if m.central}
    parents = frozenset(link.parent for link in records.network.parents if link.child in central)
    for person in records.persons:
        person.invitability = invitability(person, invitable_ids)
        person.proposed_role = _default_role(person, parents)
    return records.persons


def _check_consents(actor, trajectory, reason: str, chosen) -> None:
    """Before the trajectory's first invitation: the consents its method needs are in force, or a reason is given
    (recorded once in the timeline, then later invitations go out without asking again)."""
    if not chosen or Invitation.objects.filter(meeting__trajectory=trajectory).exists():
        return
    missing = consents.missing_consents(trajectory)
    if not missing or consents.invited_without_consent(trajectory) is not None:
        return
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "consent_reason": [
                    _(
                        "The method needs the family's consent before the first invitation goes out, and these are "
                        "missing: %(missing)s. Record the consent first, or give a reason to invite without it."
                    )
                    % {"missing": ", ".join(need.text for need in missing)}
                ]
            }
        )
    consents.record_invited_without_consent(actor, trajectory, [need.purpose for need in missing], reason[:1000])


@logs_refusal
@transaction.atomic
def invite_from_map(
    actor,
    case_id,
    meeting_id,
    person_ids=None,
    roles: dict | None = None,
    overrides: dict | None = None,
    consent_reason: str = "",
) -> list[Invitation]:
    """Invite persons from the network map. Without ``person_ids``: every safe, invitable person and the central
    persons not yet invited. A person marked unsafe, or not cleared on the map, is invited only with a reason
    in ``overrides`` (person id -> reason); a deceased person never. The trajectory's first invitation needs the
    consents its method names, or ``consent_reason`` (kept in the trajectory's timeline)."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    roles = {str(k): v for k, v in (roles or {}).items()}
    overrides = {str(k): (v or "").strip() for k, v in (overrides or {}).items()}
    persons = {str(p.pk): p for p in map_candidates(case)}
    already = set(Invitation.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    if person_ids is None:
        chosen = [p for p in persons.values() if p.invitability == "safe" and p.pk not in already]
    else:
        chosen, errors = [], []
        for raw in person_ids:
            person = persons.get(str(raw))
            if person is None:
                errors.append(_("Person %(id)s does not belong to this case.") % {"id": raw})
                continue
            if person.pk in already:
                continue
            reason = overrides.get(str(person.pk), "")
            if person.invitability == "deceased":
                errors.append(_("%(name)s has died and cannot be invited.") % {"name": person.full_name})
            elif person.invitability == "unsafe":
                # The network's one rule for a person marked unsafe, as everywhere a person is involved.
                try:
                    unsafe.require_reason(
                        [person.full_name],
                        reason,
                        "persons",
                        _("%(name)s is marked unsafe on the network map. Invite them only with a reason."),
                    )
                except ValidationError as error:
                    errors.extend(error.messages)
            elif person.invitability == "not_cleared" and not reason:
                errors.append(
                    _("%(name)s is not marked safe and invitable on the network map. Invite them only with a reason.")
                    % {"name": person.full_name}
                )
            chosen.append(person)
        if errors:
            raise ValidationError({"persons": errors})
    chosen = _no_contact_guard(case, chosen, already, overrides, automatic=person_ids is None)
    _check_consents(actor, meeting.trajectory, consent_reason, chosen)
    guarded = set(confidentiality.kept_from_ids(case, [p.pk for p in chosen]))
    today = timezone.localdate()
    created = []
    for person in chosen:
        role = roles.get(str(person.pk)) or person.proposed_role
        if role not in InvitationRole.values:
            raise ValidationError({"role": [_("Choose a role from the list.")]})
        reason = overrides.get(str(person.pk), "") if person.invitability != "safe" or person.pk in guarded else ""
        invitation = Invitation(
            meeting=meeting,
            case=case,
            organisation=case.organisation,
            person=person,
            role=role,
            unsafe_override_reason=reason[:500],
            invited_on=today,
            invited_by=actor.user,
        )
        set_history_user(invitation, actor.user)
        invitation.save()
        created.append(invitation)
    if created:
        log_access(
            actor,
            Action.CREATE,
            [invitation_access(i) for i in created] + [person_access(i.person) for i in created],
        )
    return created


def _no_contact_guard(case, chosen, already, overrides, automatic: bool) -> list:
    """Decision 188: a person under a no-contact mark meets the person they are kept from only after a
    confirmation with a reason (as for a person marked unsafe). Inviting everyone at once leaves them out."""
    present = set(already) | {p.pk for p in chosen}
    marks = confidentiality.marks_between(case, present)
    if not marks:
        return chosen
    if automatic:
        return [p for p in chosen if p.pk not in marks]
    errors = []
    for person in chosen:
        if person.pk in marks and not overrides.get(str(person.pk), ""):
            errors.append(
                _("%(name)s has a no contact mark with %(other)s, who is invited too. Invite them only with a reason.")
                % {"name": person.full_name, "other": ", ".join(marks[person.pk])}
            )
    if errors:
        raise ValidationError({"persons": errors})
    return chosen


@logs_refusal
@transaction.atomic
def update_invitation(actor, case_id, meeting_id, invitation_id, changes: dict, expected_version) -> Invitation:
    """Record the answer, how the person takes part, who represents them, the preparation contact, the role."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("person")
        .filter(pk=invitation_id, meeting=meeting)
        .first()
    )
    if invitation is None:
        raise NotFound()
    refuse_if_stale(invitation, expected_version, INVITATION_FIELDS)
    _refuse_unknown(changes, INVITATION_FIELDS)
    for name, value in changes.items():
        if name == "represented_by_person" and value not in (None, "") and not isinstance(value, Person):
            found = Person.objects.filter(pk=value, case=case).first()
            if found is None:
                raise ValidationError({name: [_("Choose a person of this case.")]})
            value = found
        if value is None and name not in ("represented_by_person", "preparation_contact_on"):
            value = ""
        if value == "" and name in ("represented_by_person", "preparation_contact_on"):
            value = None
        setattr(invitation, name, value)
    validate(invitation, exclude=["meeting", "case", "organisation", "person", "invited_by"])
    errors = {}
    if invitation.represented_by_person is not None:
        if invitation.represented_by_person.case_id != case.pk:
            errors["represented_by_person"] = [_("Choose a person of this case.")]
        elif invitation.represented_by_person_id == invitation.person_id:
            errors["represented_by_person"] = [_("A person cannot represent themselves.")]
    if invitation.mode == Mode.REPRESENTED and not (
        invitation.represented_by_person_id or invitation.represented_by_name.strip()
    ):
        errors["represented_by_name"] = [_("Say who represents this person.")]
    if invitation.mode and invitation.answer in (Answer.NONE, Answer.NO) and invitation.mode != Mode.REPRESENTED:
        errors["mode"] = [_("How someone takes part follows from a yes or maybe.")]
    if invitation.preparation_contact_on and invitation.preparation_contact_on > timezone.localdate():
        errors["preparation_contact_on"] = [_("This date cannot be in the future.")]
    if invitation.preparation_note.strip() and not invitation.preparation_contact_on:
        errors["preparation_contact_on"] = [_("Give the date of the preparation contact.")]
    if invitation.not_coming_reason.strip() and invitation.answer != Answer.NO:
        errors["not_coming_reason"] = [_("Why someone will not come goes with the answer no.")]
    if (
        invitation.is_professional
        and Attendance.objects.filter(invitation=invitation, present=True, part__private=True).exists()
    ):
        errors["role"] = [
            _("This person was present during private family time, so they cannot be a professional at this meeting.")
        ]
    if errors:
        raise ValidationError(errors)
    invitation.version += 1
    set_history_user(invitation, actor.user)
    invitation.save()
    log_access(actor, Action.UPDATE, [invitation_access(invitation), person_access(invitation.person)])
    return invitation


@logs_refusal
@transaction.atomic
def withdraw_invitation(actor, case_id, meeting_id, invitation_id) -> None:
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id, meeting=meeting).first()
    if invitation is None:
        raise NotFound()
    if Attendance.objects.filter(invitation=invitation, present=True).exists():
        raise ValidationError({"__all__": [_("This person's attendance was recorded; the invitation stays.")]})
    access = invitation_access(invitation)
    set_history_user(invitation, actor.user)
    invitation.delete()
    log_access(actor, Action.DELETE, [access])


# ---- attendance --------------------------------------------------------------------------------------------


def attendees_of(case, meeting, invitations=None, team=None) -> dict[str, core.Attendee]:
    """The rows of the attendance grid: every invitee, then the professionals of the case team and the
    trajectory's coordinator. Keys: "i<invitation id>", "u<user id>"."""
    invitations = list(meeting.invitations.select_related("person")) if invitations is None else invitations
    rows = {}
    for invitation in invitations:
        rows[f"i{invitation.pk}"] = core.Attendee(
            f"i{invitation.pk}", invitation.person.full_name, professional=invitation.is_professional
        )
    coordinator_id = meeting.trajectory.coordinator_id
    team = list(CaseTeamMember.objects.filter(case=case).select_related("user")) if team is None else team
    users = {m.user_id: m.user for m in team}
    if coordinator_id and coordinator_id not in users:
        users[coordinator_id] = meeting.trajectory.coordinator
    for user_id, user in users.items():
        rows[f"u{user_id}"] = core.Attendee(
            f"u{user_id}", str(user), professional=True, coordinator=user_id == coordinator_id
        )
    return rows


def _private_time_refusal(attendee, part) -> str:
    """Why this professional or coordinator cannot be ticked present in a part that is the family's own."""
    if attendee.coordinator:
        message = _(
            "%(name)s is the coordinator and cannot be present during %(part)s: the family "
            "and its network are on their own."
        )
    else:
        message = _(
            "%(name)s is a professional and cannot be present during %(part)s: the family "
            "and its network are on their own."
        )
    return message % {"name": attendee.name, "part": part.name}


def _present_cells(present, parts, attendees) -> tuple[set, list]:
    """The ticked boxes that may be ticked, as (part id, attendee key), and why the others may not."""
    cells, errors = set(), []
    for part_id, key in present:
        try:
            part_id = int(part_id)
        except (TypeError, ValueError):
            part_id = None
        part = parts.get(part_id)
        if part is None:
            errors.append(_("This part does not belong to the meeting."))
            continue
        attendee = attendees.get(str(key))
        if attendee is None:
            errors.append(_("Only invited persons and the case's professionals can be recorded as present."))
            continue
        if part.private and core.refused_in_private(attendee):
            errors.append(_private_time_refusal(attendee, part))
            continue
        cells.add((part.pk, attendee.key))
    return cells, errors


def _set_part_times(part_times, parts, zone) -> list:
    """Put each part's start and end (local times of the organisation's zone) on the part; the errors found."""
    errors = []
    for raw_id, (started, ended) in (part_times or {}).items():
        try:
            part = parts.get(int(raw_id))
        except (TypeError, ValueError):
            part = None
        if part is None:
            errors.append(_("This part does not belong to the meeting."))
            continue
        part.started_at = _aware(started, zone) if started not in (None, "") else None
        part.ended_at = _aware(ended, zone) if ended not in (None, "") else None
        if not all(v is None or isinstance(v, datetime.datetime) for v in (part.started_at, part.ended_at)):
            errors.append(_("Enter a valid date and time."))
        elif part.started_at and part.ended_at and part.ended_at <= part.started_at:
            errors.append(_("%(part)s must end after it starts.") % {"part": part.name})
    return errors


def _check_modes(modes, cells) -> tuple[dict, list]:
    """How each present attendee took part (in person, by video, by phone): (part id, key) -> mode, and the
    errors found. A mode is recorded only for someone ticked present."""
    checked, errors = {}, []
    for (part_id, key), mode in (modes or {}).items():
        if mode in (None, ""):
            continue
        try:
            cell = (int(part_id), str(key))
        except (TypeError, ValueError):
            errors.append(_("This part does not belong to the meeting."))
            continue
        if mode not in Presence.values:
            errors.append(_("Choose in person, by video or by phone."))
        elif cell not in cells:
            errors.append(_("How someone took part is recorded only for who was present."))
        else:
            checked[cell] = mode
    return checked, errors


def _store_grid(meeting, parts, attendees, invitations, cells, modes=None):
    """The whole grid anew: every part's times, and per part a row for every attendee, present or not, with
    how each one present took part."""
    modes = modes or {}
    MeetingPart.objects.bulk_update(parts.values(), ["started_at", "ended_at"])
    Attendance.objects.filter(part__meeting=meeting).delete()
    by_key = {f"i{i.pk}": i for i in invitations}
    Attendance.objects.bulk_create(
        [
            Attendance(
                part=part,
                organisation_id=meeting.organisation_id,
                invitation=by_key.get(key),
                user_id=int(key[1:]) if key.startswith("u") else None,
                present=(part.pk, key) in cells,
                mode=modes.get((part.pk, key), ""),
            )
            for part in parts.values()
            for key in attendees
        ]
    )


@logs_refusal
@transaction.atomic
def record_attendance(
    actor,
    case_id,
    meeting_id,
    present,
    part_times: dict | None = None,
    expected_version=None,
    modes: dict | None = None,
) -> Meeting:
    """Save the whole attendance grid at once. ``present``: (part id, attendee key) pairs of who was there;
    every other cell of the grid is stored as absent. ``part_times``: part id -> (started_at, ended_at).
    ``modes``: (part id, attendee key) -> how someone present took part ("in_person", "video", "phone").

    Refused when a professional or the coordinator is marked present in a private part."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    refuse_if_stale(meeting, expected_version, MEETING_FIELDS)
    if meeting.starts_at > timezone.now():
        raise ValidationError({"__all__": [_("Attendance can be recorded once the meeting has begun.")]})
    parts = {p.pk: p for p in MeetingPart.objects.select_for_update().filter(meeting=meeting)}
    invitations = list(meeting.invitations.select_related("person"))
    attendees = attendees_of(case, meeting, invitations)
    cells, errors = _present_cells(present, parts, attendees)
    errors += _set_part_times(part_times, parts, local_zone(case.organisation))
    checked_modes, mode_errors = _check_modes(modes, cells)
    errors += mode_errors
    if errors:
        # Each reason once, in the order found.
        raise ValidationError({"attendance": sorted(set(errors), key=errors.index)})
    _store_grid(meeting, parts, attendees, invitations, cells, checked_modes)
    held = bool(cells) and meeting.status == MeetingStatus.PLANNED
    if held:
        meeting.status = MeetingStatus.HELD
    meeting.version += 1
    set_history_user(meeting, actor.user)
    meeting.save()
    log_access(
        actor,
        Action.UPDATE,
        [meeting_access(meeting), Access("attendance", meeting.pk, case.pk, case.organisation_id)]
        + [person_access(i.person) for i in invitations],
    )
    if held:
        # The method's table moves the trajectory on, as of the day the meeting began.
        day = timezone.localtime(meeting.starts_at, local_zone(case.organisation)).date()
        advance_on(flow.MEETING_HELD, meeting.trajectory, actor, on=day)
    return meeting


# ---- information from professionals ------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def add_contribution(actor, case_id, meeting_id, data: dict) -> InformationContribution:
    """Information from a professional for the meeting; it shows only once shared equally with everyone."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    _refuse_unknown(data, CONTRIBUTION_FIELDS)
    contribution = InformationContribution(meeting=meeting, organisation=case.organisation, created_by=actor.user)
    for name, value in data.items():
        if name == "author_user" and value not in (None, "") and not hasattr(value, "pk"):
            member = CaseTeamMember.objects.filter(case=case, user_id=value).select_related("user").first()
            if member is None:
                raise ValidationError({"author_user": [_("Choose a member of the case team.")]})
            value = member.user
        if value is None and name not in ("author_user", "shared_on"):
            value = ""
        if value == "" and name in ("author_user", "shared_on"):
            value = None
        setattr(contribution, name, value)
    _check_contribution(case, contribution)
    contribution.save()
    log_access(actor, Action.CREATE, [contribution_access(contribution, case.pk)])
    return contribution


def _check_contribution(case, contribution):
    validate(contribution, exclude=["meeting", "organisation", "created_by"])
    if (
        contribution.author_user_id
        and not CaseTeamMember.objects.filter(case=case, user_id=contribution.author_user_id).exists()
    ):
        raise ValidationError({"author_user": [_("Choose a member of the case team.")]})
    if contribution.shared_on and contribution.shared_on > timezone.localdate():
        raise ValidationError({"shared_on": [_("This date cannot be in the future.")]})


@logs_refusal
@transaction.atomic
def share_contribution(
    actor, case_id, meeting_id, contribution_id, shared_on: datetime.date
) -> InformationContribution:
    """Record that the information went to all participants alike; from then on it is shown."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    contribution = (
        InformationContribution.objects.select_for_update().filter(pk=contribution_id, meeting=meeting).first()
    )
    if contribution is None:
        raise NotFound()
    contribution.shared_with_all = True
    contribution.shared_on = shared_on
    _check_contribution(case, contribution)
    contribution.save()
    log_access(actor, Action.UPDATE, [contribution_access(contribution, case.pk)])
    return contribution


# ---- a document for someone a no-contact mark keeps something from (decision 201) ----------------------------

REASON_LENGTH = 500


def confirm_despite_no_contact(actor, case, recipient, protected, document: str, reason, field: str, warning: str):
    """The rule before a document goes to ``recipient`` while a no-contact mark keeps ``protected`` (persons the
    document names or brings them together with) from them: without a reason a ValidationError on ``field`` with
    ``warning``; with one, a journal entry for the case team (hidden from the recipient) records who confirmed
    which document for whom, and why. Returns the reason ("" when nothing was needed)."""
    if not protected:
        return ""
    reason = str(reason or "").strip()[:REASON_LENGTH]
    if not reason:
        raise ValidationError({field: [warning]})
    text = _(
        "%(document)s made for %(recipient)s despite the no contact mark with %(names)s, confirmed with this "
        "reason: %(reason)s"
    ) % {
        "document": document,
        "recipient": recipient.full_name,
        "names": ", ".join(p.full_name for p in protected),
        "reason": reason,
    }
    journal_services.write_entry(
        actor,
        case.pk,
        {
            "occurred_at": timezone.now(),
            "category": "decision",
            "visibility": "team_only",
            "text": text[:4000],
            "persons": [recipient.pk, *(p.pk for p in protected)],
            "hidden_from": [recipient.pk],
        },
    )
    return reason


def letter_guard(actor, view, invitation, reason) -> str:
    """Decision 201: the letter to a person kept from someone who is invited to the same meeting tells them
    where and when that person will be; it is made only with a reason (recorded, see above)."""
    recipient = invitation.person
    protected = confidentiality.kept_from_among(view.meeting.case, recipient, [i.person_id for i in view.invitations])
    warning = _(
        "%(recipient)s has a no contact mark with %(names)s, who is invited to this meeting too: this letter tells "
        "%(recipient)s where and when they will be. Make the letter only with a reason."
    ) % {"recipient": recipient.full_name, "names": ", ".join(p.full_name for p in protected)}
    return confirm_despite_no_contact(
        actor, view.meeting.case, recipient, protected, _("The invitation letter"), reason, "reason", warning
    )


# ---- the preparation: the question, visits, logistics, costs, interpreters (decisions 230-239) ---------------

QUESTION_FIELDS = [
    "text",
    "family_agreed_by",
    "family_agreed_on",
    "case_worker_agreed_by",
    "case_worker_agreed_on",
    "coordinator_agreed_by",
    "coordinator_agreed_on",
]
VISIT_FIELDS = ["person", "visited_on", "how", "note"]
LOGISTICS_FIELDS = [
    "date_chosen_by_family",
    "food",
    "travel",
    "childcare",
    "budget",
    "plan_keeper",
    "plan_keeper_chosen_by",
    "plan_keeper_chosen_on",
]
COST_FIELDS = ["what", "amount", "paid_by"]
BOOKING_FIELDS = ["part", "language", "how", "arranged_by_user", "arranged_by_name", "note"]


def _case_person(case, value, field: str) -> Person | None:
    """A person of this case from an id (or the person itself); a ValidationError on ``field`` otherwise."""
    if value in (None, ""):
        return None
    person_id = value.pk if isinstance(value, Person) else value
    try:
        found = Person.objects.filter(pk=int(person_id), case=case).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationError({field: [_("Choose a person of this case.")]})
    return found


def _day(value, field: str, default=None) -> datetime.date | None:
    """A date from a form (a date) or the API (an ISO string); never in the future."""
    if value in (None, ""):
        return default
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({field: [_("Enter a valid date.")]}) from None
    if value > timezone.localdate():
        raise ValidationError({field: [_("This date cannot be in the future.")]})
    return value


def _lock_question(meeting, question_id) -> ConferenceQuestion:
    question = ConferenceQuestion.objects.select_for_update().filter(pk=question_id, meeting=meeting).first()
    if question is None:
        raise NotFound()
    return question


def _preparation_access(meeting, persons=()) -> list[Access]:
    """The preparation is part of the meeting's record in the access log, with every person it names."""
    return [meeting_access(meeting)] + [person_access(p) for p in persons if p is not None]


@logs_refusal
@transaction.atomic
def add_question(actor, case_id, meeting_id, text: str) -> ConferenceQuestion:
    """A central question of the meeting, not yet agreed by anyone."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    last = meeting.questions.order_by("-order").values_list("order", flat=True).first() or 0
    question = ConferenceQuestion(
        meeting=meeting,
        case=case,
        organisation=case.organisation,
        order=last + 1,
        text=(text or "").strip(),
        created_by=actor.user,
    )
    validate(question, exclude=["meeting", "case", "organisation", "created_by"])
    set_history_user(question, actor.user)
    question.save()
    log_access(actor, Action.CREATE, _preparation_access(meeting))
    return question


@logs_refusal
@transaction.atomic
def change_question(actor, case_id, meeting_id, question_id, text: str, expected_version) -> ConferenceQuestion:
    """A new text for the question: a new version, and the agreements given to the old text are cleared (the
    history keeps who agreed to which text)."""
    _case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    question = _lock_question(meeting, question_id)
    refuse_if_stale(question, expected_version, QUESTION_FIELDS)
    text = (text or "").strip()
    if text == question.text:
        return question
    question.text = text
    validate(question, exclude=["meeting", "case", "organisation", "created_by"])
    question.family_agreed_by = question.case_worker_agreed_by = question.coordinator_agreed_by = None
    question.family_agreed_on = question.case_worker_agreed_on = question.coordinator_agreed_on = None
    question.version += 1
    set_history_user(question, actor.user)
    question.save()
    log_access(actor, Action.UPDATE, _preparation_access(meeting))
    return question


def _agreeing_user(case, meeting, party: str, user_id):
    """The case worker or coordinator who agreed: a member of the case team in that role (the trajectory's
    coordinator counts as coordinator)."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        user_id = None
    if party == AgreedBy.COORDINATOR and user_id is not None and user_id == meeting.trajectory.coordinator_id:
        return meeting.trajectory.coordinator
    member = CaseTeamMember.objects.filter(case=case, user_id=user_id, role=party).select_related("user").first()
    if member is not None:
        return member.user
    if party == AgreedBy.COORDINATOR:
        raise ValidationError({"user": [_("Choose the coordinator of this meeting.")]})
    raise ValidationError({"user": [_("Choose the case worker of this case.")]})


@logs_refusal
@transaction.atomic
def agree_question(
    actor, case_id, meeting_id, question_id, party: str, expected_version, person=None, user=None, on=None
) -> ConferenceQuestion:
    """Record that the family (``person``: who agreed for it, a person of the case), the case worker or the
    coordinator (``user``, by default the one recording) agreed to the question's present text, on ``on``
    (default today). Refused on a version of the text other than the one agreed to."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    question = _lock_question(meeting, question_id)
    if form_version(expected_version) is None:
        # An agreement is to one text: the version of the text read is always needed.
        raise ValidationError({"version": [_("The form was damaged; open it again.")]})
    refuse_if_stale(question, expected_version, QUESTION_FIELDS)
    if party not in AgreedBy.values:
        raise ValidationError({"party": [_("Choose who agreed: the family, the case worker or the coordinator.")]})
    day = _day(on, "on", default=timezone.localdate())
    named = []
    if party == AgreedBy.FAMILY:
        found = _case_person(case, person, "person")
        if found is None:
            raise ValidationError({"person": [_("Say who agreed for the family.")]})
        question.family_agreed_by, question.family_agreed_on = found, day
        named.append(found)
    elif party == AgreedBy.CASE_WORKER:
        agreed = _agreeing_user(case, meeting, party, actor.user.pk if user in (None, "") else user)
        question.case_worker_agreed_by, question.case_worker_agreed_on = agreed, day
    else:
        agreed = _agreeing_user(case, meeting, party, actor.user.pk if user in (None, "") else user)
        question.coordinator_agreed_by, question.coordinator_agreed_on = agreed, day
    question.version += 1
    set_history_user(question, actor.user)
    question.save()
    log_access(actor, Action.UPDATE, _preparation_access(meeting, named))
    return question


@logs_refusal
@transaction.atomic
def record_visit(actor, case_id, meeting_id, data: dict) -> PreparationVisit:
    """A preparation visit, call or video call of the coordinator with a person of the case."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    _refuse_unknown(data, VISIT_FIELDS)
    person = _case_person(case, data.get("person"), "person")
    if person is None:
        raise ValidationError({"person": [_("Choose a person of this case.")]})
    visited_on = _day(data.get("visited_on"), "visited_on")
    if visited_on is None:
        raise ValidationError({"visited_on": [_("Enter a valid date.")]})
    visit = PreparationVisit(
        meeting=meeting,
        case=case,
        organisation=case.organisation,
        person=person,
        visited_on=visited_on,
        how=data.get("how") or Presence.IN_PERSON,
        note=(data.get("note") or "").strip(),
        created_by=actor.user,
    )
    validate(visit, exclude=["meeting", "case", "organisation", "created_by", "person"])
    set_history_user(visit, actor.user)
    visit.save()
    log_access(actor, Action.CREATE, _preparation_access(meeting, [person]))
    return visit


def logistics_of(meeting) -> MeetingLogistics:
    """The meeting's logistics, or an empty one at version 0 when nothing was recorded yet."""
    found = MeetingLogistics.objects.filter(meeting=meeting).select_related("plan_keeper").first()
    return found or MeetingLogistics(meeting=meeting, organisation_id=meeting.organisation_id, version=0)


@logs_refusal
@transaction.atomic
def save_logistics(actor, case_id, meeting_id, data: dict, expected_version) -> MeetingLogistics:
    """The logistics and the plan keeper as a whole (``expected_version`` 0 for the first save)."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    _refuse_unknown(data, LOGISTICS_FIELDS)
    logistics = MeetingLogistics.objects.select_for_update().filter(meeting=meeting).first()
    if logistics is None:
        logistics = MeetingLogistics(meeting=meeting, organisation=case.organisation, version=0)
        if form_version(expected_version) not in (None, 0):
            raise StaleEdit([])
    else:
        refuse_if_stale(logistics, expected_version, LOGISTICS_FIELDS)
    for name, value in data.items():
        if name == "plan_keeper":
            value = _case_person(case, value, "plan_keeper")
        elif name == "plan_keeper_chosen_on":
            value = _day(value, name)
        elif name == "budget":
            value = None if value in (None, "") else value
        elif name == "date_chosen_by_family":
            value = bool(value)
        else:
            value = (value or "").strip()
        setattr(logistics, name, value)
    validate(logistics, exclude=["meeting", "organisation"])
    if logistics.plan_keeper is None and (logistics.plan_keeper_chosen_by or logistics.plan_keeper_chosen_on):
        raise ValidationError({"plan_keeper": [_("Choose the plan keeper the family chose.")]})
    logistics.version += 1
    set_history_user(logistics, actor.user)
    logistics.save()
    log_access(actor, Action.UPDATE, _preparation_access(meeting, [logistics.plan_keeper]))
    return logistics


def budget_of(meeting) -> core.Budget:
    """The meeting's costs against its budget (read through a meeting the caller may see)."""
    budget = MeetingLogistics.objects.filter(meeting=meeting).values_list("budget", flat=True).first()
    return core.budget_of(meeting.costs.values_list("amount", flat=True), budget)


def budget_warning(budget: core.Budget) -> str:
    """The warning when the costs exceed the budget ("" when they do not): a warning, the cost is kept."""
    if not budget.over:
        return ""
    return _("The costs (EUR %(total)s) exceed the budget (EUR %(budget)s) by EUR %(over)s.") % {
        "total": budget.total,
        "budget": budget.budget,
        "over": budget.over,
    }


@logs_refusal
@transaction.atomic
def add_cost(actor, case_id, meeting_id, data: dict) -> tuple[MeetingCost, core.Budget]:
    """A cost line of the meeting; (cost, the costs against the budget). Over budget is warned, not refused."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    _refuse_unknown(data, COST_FIELDS)
    cost = MeetingCost(
        meeting=meeting,
        organisation=case.organisation,
        what=(data.get("what") or "").strip(),
        amount=data.get("amount"),  # type: ignore[misc]  # None or a bad value: validate() says so
        paid_by=(data.get("paid_by") or "").strip(),
        created_by=actor.user,
    )
    validate(cost, exclude=["meeting", "organisation", "created_by"])
    set_history_user(cost, actor.user)
    cost.save()
    cost.refresh_from_db(fields=["amount"])
    log_access(actor, Action.CREATE, _preparation_access(meeting))
    return cost, budget_of(meeting)


@logs_refusal
@transaction.atomic
def remove_cost(actor, case_id, meeting_id, cost_id) -> None:
    _case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    cost = MeetingCost.objects.select_for_update().filter(pk=cost_id, meeting=meeting).first()
    if cost is None:
        raise NotFound()
    set_history_user(cost, actor.user)
    cost.delete()
    log_access(actor, Action.UPDATE, _preparation_access(meeting))


@logs_refusal
@transaction.atomic
def book_interpreter(actor, case_id, meeting_id, data: dict) -> InterpreterBooking:
    """An interpreter for one part of the meeting: language, in person or by phone or video, who arranged it
    (a member of the case team, or a name; by default the one recording)."""
    case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    _refuse_unknown(data, BOOKING_FIELDS)
    part_id = data.get("part")
    part_id = part_id.pk if isinstance(part_id, MeetingPart) else part_id
    try:
        part = MeetingPart.objects.filter(pk=int(str(part_id)), meeting=meeting).first()
    except (TypeError, ValueError):
        part = None
    if part is None:
        raise ValidationError({"part": [_("This part does not belong to the meeting.")]})
    booking = InterpreterBooking(
        part=part,
        organisation=case.organisation,
        language=(data.get("language") or "").strip(),
        how=data.get("how") or Presence.IN_PERSON,
        arranged_by_name=(data.get("arranged_by_name") or "").strip(),
        note=(data.get("note") or "").strip(),
        created_by=actor.user,
    )
    arranged_by = data.get("arranged_by_user")
    if arranged_by not in (None, ""):
        arranged_id = getattr(arranged_by, "pk", arranged_by)
        try:
            arranged_id = int(str(arranged_id))
        except (TypeError, ValueError):
            raise ValidationError({"arranged_by_user": [_("Choose a member of the case team.")]}) from None
        if arranged_id == meeting.trajectory.coordinator_id:
            booking.arranged_by_user = meeting.trajectory.coordinator
        else:
            member = CaseTeamMember.objects.filter(case=case, user_id=arranged_id).select_related("user").first()
            if member is None:
                raise ValidationError({"arranged_by_user": [_("Choose a member of the case team.")]})
            booking.arranged_by_user = member.user
    elif not booking.arranged_by_name:
        booking.arranged_by_user = actor.user
    validate(booking, exclude=["part", "organisation", "created_by", "arranged_by_user"])
    set_history_user(booking, actor.user)
    booking.save()
    log_access(actor, Action.CREATE, _preparation_access(meeting))
    return booking


@logs_refusal
@transaction.atomic
def cancel_interpreter(actor, case_id, meeting_id, booking_id) -> None:
    _case, meeting = _open_meeting(actor, case_id, meeting_id)
    _refuse_cancelled(meeting)
    booking = InterpreterBooking.objects.select_for_update().filter(pk=booking_id, part__meeting=meeting).first()
    if booking is None:
        raise NotFound()
    set_history_user(booking, actor.user)
    booking.delete()
    log_access(actor, Action.UPDATE, _preparation_access(meeting))
