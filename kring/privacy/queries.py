"""Reading for subject access: only the privacy officer of the person's own organisation (decision 173).

A privacy officer holds no case role and sees no case through ``visible_cases``; answering a subject access
request is their legal task, so this is a separate, narrow path: persons of their own organisations found by name,
and the requests of those organisations. Every refusal is logged; every person found is logged as listed.
"""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kring.audit.models import Action
from kring.audit.queries import officer_organisation_ids
from kring.audit.services import Access, log_access, person_access
from kring.cases.models import Person, person_name_condition
from kring.core.errors import NotFound

from .models import RectificationRequest, SubjectAccessRequest

SEARCH_LIMIT = 30


def request_access(record) -> Access:
    return Access("subject_access_request", record.pk, getattr(record.person, "case_id", None), record.organisation_id)


def rectification_access(record) -> Access:
    return Access("rectification_request", record.pk, record.case_id, record.organisation_id)


def officer_organisations(actor) -> list[int]:
    """The organisations the user is privacy officer of; refused (403, logged) for everyone else."""
    organisation_ids = sorted(officer_organisation_ids(actor.user))
    if not organisation_ids:
        log_access(actor, Action.DENIED, [Access("subject_access_request", "")])
        raise PermissionDenied(_("Only the privacy officer answers requests for access to personal data."))
    return organisation_ids


def find_persons(actor, text: str) -> list[Person]:
    """Persons of the officer's organisations whose name answers the search, with their case."""
    organisation_ids = officer_organisations(actor)
    condition = person_name_condition(text)
    if condition is None:
        return []
    persons = list(
        Person.objects.filter(organisation_id__in=organisation_ids)
        .filter(condition)
        .select_related("case")
        .order_by("last_name", "first_name", "id")[:SEARCH_LIMIT]
    )
    log_access(actor, Action.SEARCH, [person_access(p) for p in persons] or [Access("person", "")])
    return persons


def get_person(actor, person_id) -> Person:
    organisation_ids = officer_organisations(actor)
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    person = Person.objects.select_related("case").filter(pk=person_id).first() if 0 < person_id < 2**63 else None
    if person is None or person.organisation_id not in organisation_ids:
        found = person_access(person) if person else Access("person", person_id)
        log_access(actor, Action.DENIED, [found])
        raise NotFound()
    return person


def same_person_elsewhere(person: Person) -> list[Person]:
    """Person records in other cases of the organisation with the same name and birth date (decision 174):
    listed for the officer to confirm, never merged into the answer on their own."""
    if person.birth_date is None:
        return []
    return list(
        Person.objects.filter(
            organisation_id=person.organisation_id, search_name=person.search_name, birth_date=person.birth_date
        )
        .exclude(pk=person.pk)
        .select_related("case")
        .order_by("case__referral_date", "id")
    )


def requests(actor) -> list[SubjectAccessRequest]:
    organisation_ids = officer_organisations(actor)
    found = list(
        SubjectAccessRequest.objects.filter(organisation_id__in=organisation_ids)
        .select_related("person__case")
        .prefetch_related("withheld")
    )
    if found:
        log_access(actor, Action.LIST, [request_access(r) for r in found])
    return found


def _refuse_other(actor, model, record_type, record_id, access) -> NoReturn:
    """The record exists only for another organisation (or not at all): refused once, against its organisation."""
    other = model.objects.filter(pk=record_id).first() if 0 < record_id < 2**63 else None
    log_access(actor, Action.DENIED, [access(other) if other else Access(record_type, record_id)])
    raise NotFound()


def as_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def get_request(actor, request_id, *, log: bool = True) -> SubjectAccessRequest:
    organisation_ids = officer_organisations(actor)
    request_id = as_id(request_id)
    found = (
        SubjectAccessRequest.objects.select_related("person__case__organisation", "answered_by")
        .prefetch_related("withheld")
        .filter(pk=request_id, organisation_id__in=organisation_ids)
        .first()
        if 0 < request_id < 2**63
        else None
    )
    if found is None:
        _refuse_other(actor, SubjectAccessRequest, "subject_access_request", request_id, request_access)
    if log:
        log_access(actor, Action.VIEW, [request_access(found)])
    return found


def rectifications(actor) -> list[RectificationRequest]:
    organisation_ids = officer_organisations(actor)
    found = list(RectificationRequest.objects.filter(organisation_id__in=organisation_ids).select_related("person"))
    if found:
        log_access(actor, Action.LIST, [rectification_access(r) for r in found])
    return found


def get_rectification(actor, request_id) -> RectificationRequest:
    organisation_ids = officer_organisations(actor)
    request_id = as_id(request_id)
    found = (
        RectificationRequest.objects.select_related("person")
        .filter(pk=request_id, organisation_id__in=organisation_ids)
        .first()
        if 0 < request_id < 2**63
        else None
    )
    if found is None:
        _refuse_other(actor, RectificationRequest, "rectification_request", request_id, rectification_access)
    log_access(actor, Action.VIEW, [rectification_access(found)])
    return found


def rectifications_beside_entries(entry_ids) -> dict[int, list[RectificationRequest]]:
    """For the journal page (a source of ``kring.journal.beside``): the rectification requests per entry. The
    journal page has read and logged the entries; the requests are part of what it shows of them."""
    beside: dict[int, list[RectificationRequest]] = {}
    for record in RectificationRequest.objects.filter(record_type="journal_entry", record_id__in=list(entry_ids)):
        beside.setdefault(record.record_id, []).append(record)
    return beside
