"""Writes to the case file. Each checks permission, changes state in one transaction, and logs the access.

Views and API endpoints call these and nothing else to change case data.
"""

import functools
import inspect

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import CASE_ROLES, Organisation, Role, Team
from kring.audit.services import Access, Action, case_access, log_access, person_access
from kring.core.errors import NotFound, StaleEdit, form_version

from .choices import CaseRole, CaseStatus
from .models import Case, CaseNumberSequence, CaseTeamMember, Consent, Person

CASE_FIELDS = [
    "family_name",
    "team",
    "legal_context",
    "safety_concern",
    "central_reason",
    "referral_date",
    "referrer_name",
    "referral_route",
    "question",
    "concerns",
    "status",
    "closure_reason",
]
PERSON_FIELDS = [
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "gender_description",
    "relation",
    "is_central",
    "in_household",
    "phone",
    "email",
    "address",
    "language",
    "interpreter_needed",
]
CONSENT_FIELDS = ["person", "purpose", "given_on", "withdrawn_on", "note"]

# Who may change a case: its case worker(s), coordinator(s), team lead(s) on the case team, and the lead of the
# owning team. Co-workers may read only.
EDITING_CASE_ROLES = {CaseRole.CASE_WORKER, CaseRole.COORDINATOR, CaseRole.TEAM_LEAD}


def _check_can_refer(user, organisation):
    if not user.roles_in(organisation.pk) & set(CASE_ROLES):
        raise PermissionDenied(_("You cannot record referrals for this organisation."))


def _check_can_edit(user, case):
    membership = CaseTeamMember.objects.filter(case=case, user=user).first()
    if membership and membership.role in EDITING_CASE_ROLES:
        return
    if case.team.members.filter(user=user, is_lead=True).exists():
        return
    raise PermissionDenied(_("Only the case worker, the coordinator or the team lead can change this case."))


def _logs_refusal(service):
    """Log a refused change as 'denied'. The entry is written after the service's transaction rolled back,
    so the refusal stays on record while nothing of the change does."""
    signature = inspect.signature(service)

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except PermissionDenied:
            from .queries import refused_case_access

            arguments = signature.bind(*args, **kwargs).arguments
            log_access(
                arguments["actor"],
                Action.DENIED,
                [refused_case_access(arguments["case_id"])],
                path=arguments.get("path", ""),
            )
            raise

    return wrapper


def can_edit_case(user, case) -> bool:
    """Whether the user may change this case (pages use it to offer or hide the editing tools)."""
    try:
        _check_can_edit(user, case)
    except PermissionDenied:
        return False
    return True


def _lock_case(case_id, user):
    """Re-read the case inside the transaction, locked, and only if the user may still see it."""
    from .queries import visible_cases

    case = visible_cases(user).select_for_update().select_related("organisation", "team").filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def _next_case_number(organisation: Organisation, year: int) -> str:
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{organisation.code.upper()}-{year}-{sequence.last:04d}"


def _refuse_if_stale(instance, expected_version, fields):
    """Compare the form's starting version with the stored one; explain what changed in between."""
    expected_version = form_version(expected_version)
    if expected_version is None or expected_version == instance.version:
        return
    changes = []
    base = instance.history.filter(version=expected_version).order_by("-history_date").first()
    latest = instance.history.order_by("-history_date").select_related("history_user").first()
    who = str(latest.history_user) if latest and latest.history_user else _("someone else")
    from .queries import field_display

    for name in fields:
        field = instance._meta.get_field(name)
        old = getattr(base, field.attname) if base else None
        new = getattr(instance, field.attname)
        if old != new:
            changes.append((field.verbose_name, field_display(field, old), field_display(field, new), who))
    raise StaleEdit(changes)


def _full_clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


@transaction.atomic
def create_referral(actor, organisation, data: dict, persons: list[dict], path: str = "") -> Case:
    """Record a referral: the case, its persons (at least one central person), and the referrer on the team."""
    user = actor.user
    _check_can_refer(user, organisation)
    if not any(p.get("is_central") for p in persons):
        raise ValidationError({"persons": [_("A referral needs at least one central person.")]})
    team = data.get("team")
    if isinstance(team, int | str):
        team = Team.objects.filter(pk=team, organisation=organisation).first()
    case = Case(organisation=organisation, **{k: v for k, v in data.items() if k in CASE_FIELDS and k != "team"})
    case.team = team
    if not case.status:
        case.status = CaseStatus.REFERRED
    case.number = "pending"
    _full_clean(case, exclude=["number"])
    person_objects = []
    person_errors = []
    for index, person_data in enumerate(persons):
        person = Person(organisation=organisation, **{k: v for k, v in person_data.items() if k in PERSON_FIELDS})
        try:
            person.full_clean(exclude=["case", "organisation"])
        except ValidationError as error:
            person_errors.append((index, error.message_dict))
        person_objects.append(person)
    if person_errors:
        raise ValidationError(
            {
                "persons": [
                    _("Person %(n)s: %(errors)s")
                    % {"n": index + 1, "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in errs.items())}
                    for index, errs in person_errors
                ]
            }
        )
    case.number = _next_case_number(organisation, case.referral_date.year)
    case._history_user = user
    case.save()
    for person in person_objects:
        person.case = case
        person._history_user = user
        person.save()
    role = (
        CaseRole.CASE_WORKER
        if Role.CASE_WORKER in user.roles_in(organisation.pk)
        else (CaseRole.COORDINATOR if Role.COORDINATOR in user.roles_in(organisation.pk) else CaseRole.TEAM_LEAD)
    )
    member = CaseTeamMember(case=case, organisation=organisation, user=user, role=role)
    member._history_user = user
    member.save()
    _forget_scope(user)
    log_access(actor, Action.CREATE, [case_access(case)] + [person_access(p) for p in person_objects], path=path)
    return case


@_logs_refusal
@transaction.atomic
def update_case(actor, case_id, changes: dict, expected_version, path: str = "") -> Case:
    case = _lock_case(case_id, actor.user)
    _check_can_edit(actor.user, case)
    _refuse_if_stale(case, expected_version, CASE_FIELDS)
    for name, value in changes.items():
        if name not in CASE_FIELDS:
            continue
        if name == "team" and not isinstance(value, Team):
            value = Team.objects.filter(pk=value, organisation=case.organisation).first()
        setattr(case, name, value)
    if case.status == CaseStatus.CLOSED and not case.closed_on:
        case.closed_on = timezone.localdate()
    if case.status != CaseStatus.CLOSED:
        case.closed_on = None
    _full_clean(case)
    case.version += 1
    case._history_user = actor.user
    case.save()
    log_access(actor, Action.UPDATE, [case_access(case)], path=path)
    return case


@_logs_refusal
@transaction.atomic
def add_person(actor, case_id, data: dict, path: str = "") -> Person:
    case = _lock_case(case_id, actor.user)
    _check_can_edit(actor.user, case)
    person = Person(case=case, organisation=case.organisation, **{k: v for k, v in data.items() if k in PERSON_FIELDS})
    _full_clean(person)
    person._history_user = actor.user
    person.save()
    log_access(actor, Action.CREATE, [person_access(person)], path=path)
    return person


@_logs_refusal
@transaction.atomic
def update_person(actor, case_id, person_id, changes: dict, expected_version, path: str = "") -> Person:
    case = _lock_case(case_id, actor.user)
    _check_can_edit(actor.user, case)
    person = Person.objects.select_for_update().filter(case=case, pk=person_id).first()
    if person is None:
        raise NotFound()
    _refuse_if_stale(person, expected_version, PERSON_FIELDS)
    for name, value in changes.items():
        if name in PERSON_FIELDS:
            setattr(person, name, value)
    _full_clean(person)
    if not person.is_central and not case.persons.exclude(pk=person.pk).filter(is_central=True).exists():
        raise ValidationError({"is_central": [_("A case needs at least one central person.")]})
    person.version += 1
    person._history_user = actor.user
    person.save()
    log_access(actor, Action.UPDATE, [person_access(person)], path=path)
    return person


@_logs_refusal
@transaction.atomic
def remove_person(actor, case_id, person_id, path: str = "") -> None:
    case = _lock_case(case_id, actor.user)
    _check_can_edit(actor.user, case)
    person = case.persons.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    if person.is_central and not case.persons.exclude(pk=person.pk).filter(is_central=True).exists():
        raise ValidationError({"is_central": [_("A case needs at least one central person.")]})
    if person.consents.exists():
        raise ValidationError({"person": [_("This person gave consent; the consent record must stay.")]})
    removed = person_access(person)  # taken before delete(), which clears the primary key
    person._history_user = actor.user
    try:
        # A savepoint, so a refused removal leaves the case as it was and the surrounding transaction usable.
        with transaction.atomic():
            person.delete()
    except (ProtectedError, RestrictedError) as refused:
        records = refused.protected_objects if isinstance(refused, ProtectedError) else refused.restricted_objects
        kinds = sorted({str(record._meta.verbose_name) for record in records})
        raise ValidationError(
            {
                "person": [
                    _("This person cannot be removed: they are still named in: %(kinds)s.")
                    % {"kinds": ", ".join(kinds)}
                ]
            }
        ) from None
    log_access(actor, Action.DELETE, [removed], path=path)


@_logs_refusal
@transaction.atomic
def add_team_member(actor, case_id, user_id, role, path: str = "") -> CaseTeamMember:
    from kring.accounts.models import User

    case = _lock_case(case_id, actor.user)
    _check_can_edit(actor.user, case)
    if role not in CaseRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    member_user = User.objects.filter(pk=user_id, is_active=True).first()
    if member_user is None or not member_user.roles_in(case.organisation_id) & set(CASE_ROLES):
        raise ValidationError(
            {"user": [_("Only case workers, coordinators and team leads of this organisation can join the case team.")]}
        )
    if CaseTeamMember.objects.filter(case=case, user=member_user).exists():
        raise ValidationError({"user": [_("This person is already on the case team.")]})
    member = CaseTeamMember(case=case, organisation=case.organisation, user=member_user, role=role)
    member._history_user = actor.user
    member.save()
    log_access(actor, Action.CREATE, [Access("case_team", member.pk, case.pk, case.organisation_id)], path=path)
    return member


@_logs_refusal
@transaction.atomic
def remove_team_member(actor, case_id, member_id, path: str = "") -> None:
    case = _lock_case(case_id, actor.user)
    _check_can_edit(actor.user, case)
    member = case.team_members.filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    others = case.team_members.exclude(pk=member.pk)
    if member.role == CaseRole.CASE_WORKER and not others.filter(role=CaseRole.CASE_WORKER).exists():
        raise ValidationError({"user": [_("A case needs a case worker; add another one first.")]})
    log_access(actor, Action.DELETE, [Access("case_team", member.pk, case.pk, case.organisation_id)], path=path)
    member._history_user = actor.user
    member.delete()


@_logs_refusal
@transaction.atomic
def record_consent(actor, case_id, data: dict, path: str = "") -> Consent:
    case = _lock_case(case_id, actor.user)
    _check_can_edit(actor.user, case)
    person = data.get("person")
    if not isinstance(person, Person):
        person = case.persons.filter(pk=person).first() if person else None
    if person is None or person.case_id != case.pk:
        raise ValidationError({"person": [_("Choose a person of this case.")]})
    consent = Consent(
        case=case,
        organisation=case.organisation,
        recorded_by=actor.user,
        person=person,
        **{k: v for k, v in data.items() if k in CONSENT_FIELDS and k != "person"},
    )
    _full_clean(consent)
    consent._history_user = actor.user
    consent.save()
    log_access(actor, Action.CREATE, [Access("consent", consent.pk, case.pk, case.organisation_id)], path=path)
    return consent


@_logs_refusal
@transaction.atomic
def withdraw_consent(actor, case_id, consent_id, withdrawn_on, expected_version, path: str = "") -> Consent:
    case = _lock_case(case_id, actor.user)
    _check_can_edit(actor.user, case)
    consent = Consent.objects.select_for_update().filter(case=case, pk=consent_id).first()
    if consent is None:
        raise NotFound()
    _refuse_if_stale(consent, expected_version, CONSENT_FIELDS)
    if consent.withdrawn_on:
        raise ValidationError({"withdrawn_on": [_("This consent was already withdrawn.")]})
    consent.withdrawn_on = withdrawn_on
    _full_clean(consent)
    consent.version += 1
    consent._history_user = actor.user
    consent.save()
    log_access(actor, Action.UPDATE, [Access("consent", consent.pk, case.pk, case.organisation_id)], path=path)
    return consent


def has_consent(case, purpose) -> bool:
    """Whether any consent for this purpose is in force today; sharing that needs it is refused without."""
    today = timezone.localdate()
    return case.consents.filter(purpose=purpose, given_on__lte=today).exclude(withdrawn_on__lte=today).exists()


def _forget_scope(user):
    if hasattr(user, "_kring_scope"):
        del user._kring_scope
