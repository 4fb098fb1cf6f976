"""The privacy officer's work on retention: which closed cases are due for destruction, approving a batch of them
(the worker destroys them, ``tasks.run_batch``), and requests to destroy a file, judged and answered within the legal
term. Privacy officers hold no case role and see no case through ``visible_cases``; this is their narrow path, within
their own organisations, and every read and refusal is logged."""

from __future__ import annotations

import datetime
from typing import NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import Role
from kring.audit.services import Access, Action, case_access, log_access, person_access
from kring.cases import consent_rules
from kring.cases.models import Case, ParentalAuthority, Person
from kring.core.actor import Actor
from kring.core.errors import NotFound

from . import letters, rules
from .destruction import destroy_case
from .models import (
    DestructionBatch,
    DestructionRequest,
    ExtensionReason,
    LegalException,
    RequestDecision,
    RetentionExtension,
    RetentionPeriod,
)


def today() -> datetime.date:
    return timezone.localdate()


def officer_organisations(actor) -> list[int]:
    """The organisations the user is privacy officer of; refused (403, logged) for everyone else."""
    ids = sorted({m.organisation_id for m in actor.user.active_memberships() if m.role == Role.PRIVACY_OFFICER})
    if not ids:
        log_access(actor, Action.DENIED, [Access("retention", "")])
        raise PermissionDenied(_("Only the privacy officer approves the destruction of files."))
    return ids


def due_for_destruction(actor) -> list[RetentionPeriod]:
    """Closed cases of the officer's organisations whose retention ended, not yet in a batch (listing is logged)."""
    organisations = officer_organisations(actor)
    waiting = {
        case_id
        for ids in DestructionBatch.objects.filter(organisation_id__in=organisations, finished_at=None).values_list(
            "case_ids", flat=True
        )
        for case_id in ids
    }
    periods = [
        period
        for period in RetentionPeriod.objects.filter(organisation_id__in=organisations, retain_until__lt=today())
        .select_related("case")
        .order_by("retain_until", "case_id")
        if period.case_id not in waiting
    ]
    log_access(actor, Action.LIST, [case_access(p.case) for p in periods] or [Access("retention", "")])
    return periods


def approve_batch(actor, case_ids: list[int]) -> DestructionBatch:
    """Approve the destruction of these cases (all due, all of one organisation of the officer); the worker runs it.
    A refusal is logged outside the transaction, so it stays on record."""
    organisations = officer_organisations(actor)
    chosen = sorted({int(i) for i in case_ids})
    if not chosen:
        raise ValidationError(_("Choose at least one file."))
    try:
        return _approve(actor, organisations, chosen)
    except PermissionDenied:
        log_access(actor, Action.DENIED, [Access("case", i, i) for i in chosen])
        raise


@transaction.atomic
def _approve(actor, organisations: list[int], chosen: list[int]) -> DestructionBatch:
    periods = list(
        RetentionPeriod.objects.select_for_update().filter(case_id__in=chosen, organisation_id__in=organisations)
    )
    if len(periods) != len(chosen) or any(p.retain_until >= today() for p in periods):
        raise PermissionDenied(_("Only files of your organisation whose retention has ended can be destroyed."))
    if len({p.organisation_id for p in periods}) != 1:
        raise ValidationError(_("A batch holds the files of one organisation."))
    batch = DestructionBatch.objects.create(
        organisation_id=periods[0].organisation_id, approved_by=actor.user, case_ids=chosen
    )
    log_access(actor, Action.UPDATE, [Access("destruction_batch", batch.pk, None, batch.organisation_id)])
    from .tasks import run_batch

    transaction.on_commit(lambda: run_batch.enqueue(batch.pk))
    return batch


def run_batch_now(batch_id: int) -> DestructionBatch:
    """The worker's part: destroy every case of the batch whose retention still has ended (each in its own
    transaction, each logged as a removal of the case by the officer who approved the batch)."""
    batch = DestructionBatch.objects.select_related("approved_by").get(pk=batch_id)
    actor = Actor(user=batch.approved_by, path="worker:retention")
    for case_id in batch.case_ids:
        if case_id in batch.destroyed_ids:
            continue
        case = Case.objects.filter(pk=case_id, organisation_id=batch.organisation_id).first()
        period = RetentionPeriod.objects.filter(case_id=case_id).first()
        if case is None or period is None or period.retain_until >= today():
            continue  # gone already, reopened, or its retention was lengthened since the approval
        destroy_case(actor, case, reason="retention_ended")
        batch.destroyed_ids = [*batch.destroyed_ids, case_id]
        DestructionBatch.objects.filter(pk=batch.pk).update(destroyed_ids=batch.destroyed_ids)
    batch.finished_at = timezone.now()
    DestructionBatch.objects.filter(pk=batch.pk).update(finished_at=batch.finished_at)
    return batch


# ---- requests to destroy ----------------------------------------------------------------------------------------


def _invalid(errors: dict) -> NoReturn:
    raise ValidationError(errors)


def officer_case(actor, case_number: str) -> Case:
    """A case of the officer's organisations by its number (logged as viewed); unknown numbers are not found."""
    organisations = officer_organisations(actor)
    case = Case.objects.filter(organisation_id__in=organisations, number=case_number.strip()).first()
    if case is None:
        log_access(actor, Action.DENIED, [Access("case", "")])
        raise NotFound(_("No file of your organisation has this number."))
    log_access(actor, Action.VIEW, [case_access(case)])
    return case


def entitled(person: Person, day: datetime.date) -> bool:
    """Who may ask to destroy the file (decision 180): the central young person from the age at which a child takes
    part in decisions (12), and a holder of authority over the central child while the child is younger than the
    age from which a child decides alone (16 in the Netherlands, 12 in Flanders). Nobody else."""
    jurisdiction = person.case.organisation.jurisdiction
    if person.is_central:
        born = person.birth_date
        return born is not None and consent_rules.age_on(born, day) >= consent_rules.first_own_age(jurisdiction)
    for authority in ParentalAuthority.objects.filter(case_id=person.case_id, holder=person, ended_on=None):
        child = authority.child
        if child.birth_date and consent_rules.age_on(child.birth_date, day) < consent_rules.own_consent_age(
            jurisdiction
        ):
            return True
    return False


@transaction.atomic
def record_request(actor, case: Case, requester_id, received_on: datetime.date) -> DestructionRequest:
    organisations = officer_organisations(actor)
    if case.organisation_id not in organisations:
        raise PermissionDenied(_("Only the privacy officer approves the destruction of files."))
    requester = Person.objects.filter(pk=requester_id, case=case).first()
    if requester is None:
        _invalid({"requested_by": _("Choose a person of this file.")})
    if received_on > today():
        _invalid({"received_on": _("The date of receipt cannot be in the future.")})
    months = rules.rules().for_jurisdiction(case.organisation.jurisdiction).request_answer_months
    record = DestructionRequest.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        requested_by=requester,
        received_on=received_on,
        due_on=rules.add_months(received_on, months),
        recorded_by=actor.user,
    )
    log_access(actor, Action.CREATE, [Access("destruction_request", record.pk, case.pk, case.organisation_id)])
    return record


def get_request(actor, request_id) -> DestructionRequest:
    organisations = officer_organisations(actor)
    record = (
        DestructionRequest.objects.filter(pk=request_id, organisation_id__in=organisations)
        .select_related("case", "requested_by")
        .first()
    )
    if record is None:
        log_access(actor, Action.DENIED, [Access("destruction_request", request_id)])
        raise NotFound(_("This request does not exist."))
    accesses = [Access("destruction_request", record.pk, record.case_id, record.organisation_id)]
    if record.requested_by is not None:
        accesses.append(person_access(record.requested_by))
    log_access(actor, Action.VIEW, accesses)
    return record


@transaction.atomic
def decide_request(actor, request_id, decision: str, legal_exception: str, answer: str, expected_version=None):
    """Grant (the file is destroyed now) or refuse with a legal exception; the answer is recorded with its date."""
    record = get_request(actor, request_id)
    record = DestructionRequest.objects.select_for_update().get(pk=record.pk)
    if expected_version is not None and int(expected_version) != record.version:
        _invalid({"__all__": _("Someone else answered this request in the meantime. Reload the page.")})
    if record.decision != RequestDecision.PENDING:
        _invalid({"decision": _("This request is answered already.")})
    errors = {}
    if decision not in (RequestDecision.GRANTED, RequestDecision.REFUSED):
        errors["decision"] = _("Choose whether the request is granted or refused.")
    if decision == RequestDecision.REFUSED and legal_exception not in LegalException.values:
        errors["legal_exception"] = _("A refusal needs the legal exception it rests on.")
    if decision == RequestDecision.GRANTED and legal_exception:
        errors["legal_exception"] = _("A granted request rests on no exception.")
    if decision == RequestDecision.GRANTED and (
        record.requested_by is None or not entitled(record.requested_by, today())
    ):
        errors["decision"] = _("The requester may not make this request; refuse it as not entitled.")
    if not answer.strip():
        errors["answer"] = _("Write the answer the requester receives.")
    if errors:
        _invalid(errors)
    record.decision, record.legal_exception, record.answer = decision, legal_exception, answer.strip()
    record.answered_on = today()
    record.version += 1
    record.save()
    log_access(actor, Action.UPDATE, [Access("destruction_request", record.pk, record.case_id, record.organisation_id)])
    organisation = record.organisation
    requester = record.requested_by
    if decision == RequestDecision.GRANTED and record.case is not None:
        destroy_case(actor, record.case, reason="request")
        # The destruction emptied the request's links and answer; the letter is made from what stays (decision 213).
        record.refresh_from_db()
        requester = None
    record.letter = letters.letter_pdf(record, organisation, requester)
    record.letter_made_at = timezone.now()
    DestructionRequest.objects.filter(pk=record.pk).update(letter=record.letter, letter_made_at=record.letter_made_at)
    return record


def answer_letter(actor, request_id) -> tuple[DestructionRequest, bytes]:
    """The letter of an answered request, for the officer to send (logged as exported, with the requester when the
    letter names them)."""
    record = get_request(actor, request_id)
    content = bytes(record.letter or b"")
    if not content:
        raise NotFound(_("This request has no answer letter yet."))
    accesses = [Access("destruction_request", record.pk, record.case_id, record.organisation_id)]
    if record.requested_by is not None:
        accesses.append(person_access(record.requested_by))
    log_access(actor, Action.EXPORT, accesses)
    return record, content


def open_requests(actor) -> list[DestructionRequest]:
    """Requests not yet answered, the earliest due first: the officer's worklist of answers owed."""
    organisations = officer_organisations(actor)
    return list(
        DestructionRequest.objects.filter(organisation_id__in=organisations, decision=RequestDecision.PENDING)
        .select_related("case")
        .order_by("due_on", "id")
    )


def all_requests(actor, limit: int = 200) -> list[DestructionRequest]:
    organisations = officer_organisations(actor)
    found = list(
        DestructionRequest.objects.filter(organisation_id__in=organisations)
        .select_related("case", "requested_by")
        .order_by("-received_on", "-id")[:limit]
    )
    log_access(
        actor,
        Action.LIST,
        [Access("destruction_request", r.pk, r.case_id, r.organisation_id) for r in found]
        + [person_access(r.requested_by) for r in found if r.requested_by is not None]
        or [Access("destruction_request", "")],
    )
    return found


def officer_case_by_id(actor, case_id) -> Case:
    """A case of the officer's organisations by its id (logged as viewed); others are not found (logged)."""
    organisations = officer_organisations(actor)
    case = Case.objects.filter(organisation_id__in=organisations, pk=case_id).first()
    if case is None:
        log_access(actor, Action.DENIED, [Access("case", case_id, case_id)])
        raise NotFound(_("No file of your organisation has this number."))
    log_access(actor, Action.VIEW, [case_access(case)])
    return case


# ---- retention periods and their extension by hand (decision 212) ------------------------------------------------


def minimum_until(period: RetentionPeriod) -> datetime.date:
    """The end the rule gives the period: the legal minimum, below which no extension can bring it."""
    from .closing import central_birth_date

    case = period.case
    rule = rules.rules().rule(case.organisation.jurisdiction, case.legal_context)
    return rules.retain_until(rule, period.end_of_care, central_birth_date(case))


def periods(actor, case_id=None) -> list[RetentionPeriod]:
    """The retention periods of the officer's organisations (of one case when given), the earliest end first."""
    organisations = officer_organisations(actor)
    found = RetentionPeriod.objects.filter(organisation_id__in=organisations).select_related("case")
    if case_id is not None:
        found = found.filter(case_id=case_id)
    rows = list(found.order_by("retain_until", "case_id")[:500])
    log_access(actor, Action.LIST, [case_access(p.case) for p in rows] or [Access("retention", "")])
    return rows


def get_period(actor, period_id) -> RetentionPeriod:
    organisations = officer_organisations(actor)
    period = (
        RetentionPeriod.objects.filter(pk=period_id, organisation_id__in=organisations)
        .select_related("case", "case__organisation")
        .first()
    )
    if period is None:
        log_access(actor, Action.DENIED, [Access("case", "")])
        raise NotFound(_("This retention period does not exist."))
    log_access(actor, Action.VIEW, [case_access(period.case)])
    return period


def find_period(actor, case_number: str) -> RetentionPeriod:
    """The retention period of a file found by its number; a file that is not closed has none."""
    case = officer_case(actor, case_number)
    period = RetentionPeriod.objects.filter(case=case).first()
    if period is None:
        _invalid({"number": _("This file is not closed, so it has no retention period yet.")})
    return period


# Beyond this an end date is a typing error, not a decision: no youth-care file is kept for a century after today.
LONGEST_EXTENSION_YEARS = 100


def extend_period(
    actor,
    period_id,
    new_until: datetime.date,
    reason: str,
    explanation: str,
    expected_until: datetime.date | None = None,
) -> RetentionExtension:
    """Keep a closed file longer than its rule: a later end date, a reason and an explanation, recorded as the
    period's history. Never shorter: the new end must be after the current one, which is never before the legal
    minimum. A refusal (another organisation, no privacy officer) is logged; the change is logged as well."""
    period = get_period(actor, period_id)
    with transaction.atomic():
        period = RetentionPeriod.objects.select_for_update().select_related("case").get(pk=period.pk)
        if expected_until is not None and expected_until != period.retain_until:
            _invalid({"__all__": _("Someone else changed this retention period in the meantime. Reload the page.")})
        errors = {}
        floor = max(period.retain_until, minimum_until(period))
        if new_until <= floor:
            errors["new_until"] = _(
                "The new end must be later than the current end (%(day)s): a retention period is only lengthened."
            ) % {"day": floor.strftime("%d-%m-%Y")}
        elif new_until > rules.add_years(today(), LONGEST_EXTENSION_YEARS):
            errors["new_until"] = _("The new end lies more than %(years)s years ahead; check the date.") % {
                "years": LONGEST_EXTENSION_YEARS
            }
        if reason not in ExtensionReason.values:
            errors["reason"] = _("Choose why the file is kept longer.")
        if not explanation.strip():
            errors["explanation"] = _("Explain why the file is kept longer.")
        if errors:
            _invalid(errors)
        extension = RetentionExtension.objects.create(
            period=period,
            previous_until=period.retain_until,
            new_until=new_until,
            reason=reason,
            explanation=explanation.strip(),
            recorded_by=actor.user,
        )
        RetentionPeriod.objects.filter(pk=period.pk).update(retain_until=new_until)
        log_access(actor, Action.UPDATE, [case_access(period.case)], detail="retention extended")
    return extension
