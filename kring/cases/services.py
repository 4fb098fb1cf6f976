"""Writes to the case file. Each checks permission, changes state in one transaction, and logs the access.

Views and API endpoints call these and nothing else to change case data.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import CASE_ROLES, Organisation, Role, Team
from kring.audit.services import Access, Action, case_access, log_access, person_access
from kring.core.errors import NotFound
from kring.core.history import set_history_user

from . import consent_rules
from .choices import CaseRole, CaseStatus
from .editing import check_can_edit, forget_scope, lock_case, logs_refusal, refuse_if_stale, validate
from .models import (
    CapabilityJudgement,
    Case,
    CaseNumberSequence,
    CaseTeamMember,
    Consent,
    NoContact,
    ParentalAuthority,
    Person,
    consent_in_force,
)
from .person_events import relations_recorded

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
    "document_language",
    "contact_confidentiality",
    "confidentiality_reason",
]
CONSENT_FIELDS = ["person", "purpose", "given_on", "withdrawn_on", "note"]


def _check_can_refer(user, organisation):
    if not user.roles_in(organisation.pk) & set(CASE_ROLES):
        raise PermissionDenied(_("You cannot record referrals for this organisation."))


def _next_case_number(organisation: Organisation, year: int) -> str:
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{organisation.code.upper()}-{year}-{sequence.last:04d}"


@transaction.atomic
def create_referral(actor, organisation, data: dict, persons: list[dict]) -> Case:
    """Record a referral: the case, its persons (at least one central person), and the referrer on the team."""
    user = actor.user
    _check_can_refer(user, organisation)
    if not any(p.get("is_central") for p in persons):
        raise ValidationError({"persons": [_("A referral needs at least one central person.")]})
    team: Any = data.get("team")  # a Team, its id, or nothing (validation refuses that)
    if isinstance(team, int | str):
        team = Team.objects.filter(pk=team, organisation=organisation).first()
    case = Case(organisation=organisation, **{k: v for k, v in data.items() if k in CASE_FIELDS and k != "team"})
    case.team = team
    if not case.status:
        case.status = CaseStatus.REFERRED
    case.number = "pending"
    validate(case, exclude=["number"])
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
    set_history_user(case, user)
    case.save()
    for person in person_objects:
        person.case = case
        set_history_user(person, user)
        person.save()
    role = (
        CaseRole.CASE_WORKER
        if Role.CASE_WORKER in user.roles_in(organisation.pk)
        else (CaseRole.COORDINATOR if Role.COORDINATOR in user.roles_in(organisation.pk) else CaseRole.TEAM_LEAD)
    )
    member = CaseTeamMember(case=case, organisation=organisation, user=user, role=role)
    set_history_user(member, user)
    member.save()
    forget_scope(user)
    log_access(actor, Action.CREATE, [case_access(case)] + [person_access(p) for p in person_objects])
    relations_recorded(actor, case, person_objects)
    return case


@logs_refusal
@transaction.atomic
def update_case(actor, case_id, changes: dict, expected_version) -> Case:
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    refuse_if_stale(case, expected_version, CASE_FIELDS)
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
    validate(case)
    case.version += 1
    set_history_user(case, actor.user)
    case.save()
    log_access(actor, Action.UPDATE, [case_access(case)])
    return case


@logs_refusal
@transaction.atomic
def add_person(actor, case_id, data: dict) -> Person:
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    person = Person(case=case, organisation=case.organisation, **{k: v for k, v in data.items() if k in PERSON_FIELDS})
    validate(person)
    set_history_user(person, actor.user)
    person.save()
    log_access(actor, Action.CREATE, [person_access(person)])
    relations_recorded(actor, case, [person])
    return person


@logs_refusal
@transaction.atomic
def update_person(actor, case_id, person_id, changes: dict, expected_version) -> Person:
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    person = Person.objects.select_for_update().filter(case=case, pk=person_id).first()
    if person is None:
        raise NotFound()
    refuse_if_stale(person, expected_version, PERSON_FIELDS)
    kinship_before = (person.relation, person.is_central)
    for name, value in changes.items():
        if name in PERSON_FIELDS:
            setattr(person, name, value)
    validate(person)
    if not person.is_central and not case.persons.exclude(pk=person.pk).filter(is_central=True).exists():
        raise ValidationError({"is_central": [_("A case needs at least one central person.")]})
    person.version += 1
    set_history_user(person, actor.user)
    person.save()
    log_access(actor, Action.UPDATE, [person_access(person)])
    if (person.relation, person.is_central) != kinship_before:
        relations_recorded(actor, case, [person])
    return person


@logs_refusal
@transaction.atomic
def remove_person(actor, case_id, person_id) -> None:
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    person = case.persons.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    if person.is_central and not case.persons.exclude(pk=person.pk).filter(is_central=True).exists():
        raise ValidationError({"is_central": [_("A case needs at least one central person.")]})
    if person.consents.exists():
        raise ValidationError({"person": [_("This person gave consent; the consent record must stay.")]})
    removed = person_access(person)  # taken before delete(), which clears the primary key
    set_history_user(person, actor.user)
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
    log_access(actor, Action.DELETE, [removed])


@logs_refusal
@transaction.atomic
def add_team_member(actor, case_id, user_id, role) -> CaseTeamMember:
    from kring.accounts.models import User

    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
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
    set_history_user(member, actor.user)
    member.save()
    log_access(actor, Action.CREATE, [Access("case_team", member.pk, case.pk, case.organisation_id)])
    return member


@logs_refusal
@transaction.atomic
def remove_team_member(actor, case_id, member_id) -> None:
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    member = case.team_members.filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    others = case.team_members.exclude(pk=member.pk)
    if member.role == CaseRole.CASE_WORKER and not others.filter(role=CaseRole.CASE_WORKER).exists():
        raise ValidationError({"user": [_("A case needs a case worker; add another one first.")]})
    log_access(actor, Action.DELETE, [Access("case_team", member.pk, case.pk, case.organisation_id)])
    set_history_user(member, actor.user)
    member.delete()


@logs_refusal
@transaction.atomic
def record_consent(actor, case_id, data: dict) -> Consent:
    """One consent for one purpose (the API's record); see ``record_consents``."""
    purposes = [data.get("purpose")] if data.get("purpose") else []
    fields = {k: v for k, v in data.items() if k != "purpose"}
    return record_consents(actor, case_id, {**fields, "purposes": purposes})[0]


@logs_refusal
@transaction.atomic
def record_consents(actor, case_id, data: dict) -> list[Consent]:
    """One person's consent for several purposes at once: one record per purpose, all or none. Who gave it is
    checked against who may give it for the children of the case (``consent_rules``, decisions 156-160)."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    person = data.get("person")
    if not isinstance(person, Person):
        person = case.persons.filter(pk=person).first() if person else None
    if person is None or person.case_id != case.pk:
        raise ValidationError({"person": [_("Choose a person of this case.")]})
    purposes = list(dict.fromkeys(data.get("purposes") or []))
    if not purposes:
        raise ValidationError({"purpose": [_("Choose at least one purpose.")]})
    fields = {k: v for k, v in data.items() if k in CONSENT_FIELDS and k not in ("person", "purpose")}
    consents = []
    for purpose in purposes:
        consent = Consent(
            case=case,
            organisation=case.organisation,
            recorded_by=actor.user,
            person=person,
            purpose=purpose,
            **fields,
        )
        validate(consent)
        consents.append(consent)
    consent_rules.check_giver(consent_rules.case_facts(case), person, purposes, consents[0].given_on)
    for consent in consents:
        set_history_user(consent, actor.user)
        consent.save()
    log_access(actor, Action.CREATE, [Access("consent", c.pk, case.pk, case.organisation_id) for c in consents])
    return consents


@logs_refusal
@transaction.atomic
def withdraw_consent(actor, case_id, consent_id, withdrawn_on, expected_version) -> Consent:
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    consent = Consent.objects.select_for_update().filter(case=case, pk=consent_id).first()
    if consent is None:
        raise NotFound()
    refuse_if_stale(consent, expected_version, CONSENT_FIELDS)
    if consent.withdrawn_on:
        raise ValidationError({"withdrawn_on": [_("This consent was already withdrawn.")]})
    consent.withdrawn_on = withdrawn_on
    validate(consent)
    consent.version += 1
    set_history_user(consent, actor.user)
    consent.save()
    log_access(actor, Action.UPDATE, [Access("consent", consent.pk, case.pk, case.organisation_id)])
    return consent


def has_consent(case, purpose) -> bool:
    """Whether any consent for this purpose is in force today; sharing that needs it is refused without."""
    today = timezone.localdate()
    return case.consents.filter(consent_in_force(today), purpose=purpose).exists()


AUTHORITY_FIELDS = ["child", "kind", "holder", "institution", "source", "court_reference", "starts_on", "notes"]
CAPABILITY_FIELDS = ["child", "purpose", "capable", "judged_on", "note"]


def _case_person(case, value, field: str):
    """A person of this case from a Person or an id; refused (on ``field``) when it is not one of the case's."""
    if value in (None, ""):
        return None
    person = value if isinstance(value, Person) else case.persons.filter(pk=value).first()
    if person is None or person.case_id != case.pk:
        raise ValidationError({field: [_("Choose a person of this case.")]})
    return person


def authority_access(authority) -> Access:
    return Access("parental_authority", authority.pk, authority.case_id, authority.organisation_id)


@logs_refusal
@transaction.atomic
def record_authority(actor, case_id, data: dict) -> ParentalAuthority:
    """Record who holds parental authority over a child of the case (decision 156)."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    fields = {k: v for k, v in data.items() if k in AUTHORITY_FIELDS and k not in ("child", "holder")}
    child = _case_person(case, data.get("child"), "child")
    if child is None:
        raise ValidationError({"child": [_("Choose the child.")]})
    holder = _case_person(case, data.get("holder"), "holder")
    authority = ParentalAuthority(
        case=case, organisation=case.organisation, recorded_by=actor.user, child=child, holder=holder, **fields
    )
    validate(authority)
    set_history_user(authority, actor.user)
    authority.save()
    log_access(actor, Action.CREATE, [authority_access(authority)])
    return authority


@logs_refusal
@transaction.atomic
def end_authority(actor, case_id, authority_id, ended_on, expected_version, notes: str = "") -> ParentalAuthority:
    """Record the day a parental authority stopped holding (a court decision, majority, death ...)."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    authority = ParentalAuthority.objects.select_for_update().filter(case=case, pk=authority_id).first()
    if authority is None:
        raise NotFound()
    refuse_if_stale(authority, expected_version, AUTHORITY_FIELDS + ["ended_on"])
    if authority.ended_on:
        raise ValidationError({"ended_on": [_("This authority was already ended.")]})
    if ended_on is None:
        raise ValidationError({"ended_on": [_("Give the day the authority ended.")]})
    authority.ended_on = ended_on
    if notes:
        authority.notes = f"{authority.notes}\n{notes}".strip()[:1000]
    validate(authority)
    authority.version += 1
    set_history_user(authority, actor.user)
    authority.save()
    log_access(actor, Action.UPDATE, [authority_access(authority)])
    return authority


@logs_refusal
@transaction.atomic
def record_capability(actor, case_id, data: dict) -> CapabilityJudgement:
    """Record the case worker's judgement whether a child can judge their own interests for one purpose."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    child = _case_person(case, data.get("child"), "child")
    if child is None or not child.is_central:
        raise ValidationError({"child": [_("Choose a central person of this case.")]})
    fields = {k: v for k, v in data.items() if k in CAPABILITY_FIELDS and k != "child"}
    judgement = CapabilityJudgement(
        case=case, organisation=case.organisation, recorded_by=actor.user, child=child, **fields
    )
    validate(judgement)
    set_history_user(judgement, actor.user)
    judgement.save()
    log_access(actor, Action.CREATE, [Access("capability_judgement", judgement.pk, case.pk, case.organisation_id)])
    return judgement


@logs_refusal
@transaction.atomic
def record_no_contact(actor, case_id, data: dict) -> NoContact:
    """Mark that nothing locating ``person`` may reach ``kept_from`` (decision 186). Logged as a change of both
    persons' records (the mark is part of what the case file says about them)."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    person = _case_person(case, data.get("person"), "person")
    kept_from = _case_person(case, data.get("kept_from"), "kept_from")
    if person is None:
        raise ValidationError({"person": [_("Choose the person to protect.")]})
    if kept_from is None:
        raise ValidationError({"kept_from": [_("Choose the person they are kept from.")]})
    if NoContact.objects.filter(person=person, kept_from=kept_from).exists():
        raise ValidationError({"kept_from": [_("This no contact mark already exists.")]})
    mark = NoContact(
        case=case,
        organisation=case.organisation,
        person=person,
        kept_from=kept_from,
        reason=str(data.get("reason") or "").strip()[:500],
        recorded_by=actor.user,
    )
    if data.get("since"):
        mark.since = data["since"]
    validate(mark)
    set_history_user(mark, actor.user)
    mark.save()
    log_access(actor, Action.UPDATE, [person_access(person), person_access(kept_from)])
    return mark


@logs_refusal
@transaction.atomic
def end_no_contact(actor, case_id, mark_id) -> None:
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    mark = NoContact.objects.filter(case=case, pk=mark_id).select_related("person", "kept_from").first()
    if mark is None:
        raise NotFound()
    touched = [person_access(mark.person), person_access(mark.kept_from)]
    set_history_user(mark, actor.user)
    mark.delete()
    log_access(actor, Action.UPDATE, touched)
