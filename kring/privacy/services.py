"""Writing for subject access and rectification, and the export itself (decisions 171-176, 205-209).

``gathering.gather`` collects, for one person record, everything the answer shows and what it holds back; this
module records the requests, their term and outcome, the records the officer withholds by hand, the produced
export (with what it withholds, by kind and id only), and rectification requests with their answers. A change to a
request or a rectification answer made from an older version than the stored one is refused as stale (decision 208).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.audit.models import Action
from kring.audit.services import log_access, person_access
from kring.cases.editing import refuse_if_stale
from kring.cases.models import Person
from kring.core.errors import NotFound
from kring.core.history import set_history_user
from kring.documents.models import Document
from kring.journal.models import JournalEntry

from . import queries, rules
from .gathering import SECTIONS, WITHHOLDABLE, Export, gather, kind_label
from .models import (
    RectificationDecision,
    RectificationRequest,
    RectificationTarget,
    RequestStatus,
    SubjectAccessRequest,
    WithheldItem,
    WithheldReason,
)

__all__ = ["SECTIONS", "Export", "gather"]

# The fields a stale edit of a request or of a rectification answer is explained by.
REQUEST_FIELDS = ["status", "extended_months", "extension_reason", "due_on", "answered_on", "notes"]
RECTIFICATION_FIELDS = ["decision", "answer", "decided_on"]


def _invalid(errors: dict) -> NoReturn:
    raise ValidationError({name: [message] for name, message in errors.items()})


# --- Requests -------------------------------------------------------------------------------------------------


def record_request(actor, data: dict) -> SubjectAccessRequest:
    """A request received: for a person of the officer's organisation, dated today or earlier."""
    person = queries.get_person(actor, data.get("person_id"))
    errors = {}
    requested_on = data.get("requested_on")
    if requested_on is None:
        errors["requested_on"] = _("Fill in the date the request was received.")
    elif requested_on > timezone.localdate():
        errors["requested_on"] = _("The date the request was received cannot be in the future.")
    if not (data.get("requested_by") or "").strip():
        errors["requested_by"] = _("Fill in who made the request.")
    if data.get("identity_checked") and not (data.get("identity_check") or "").strip():
        errors["identity_check"] = _("Write how the identity was checked.")
    if errors:
        _invalid(errors)
    with transaction.atomic():
        record = SubjectAccessRequest(
            organisation_id=person.organisation_id,
            person=person,
            person_name=person.full_name,
            requested_on=data["requested_on"],
            requested_by=data["requested_by"].strip(),
            identity_checked=bool(data.get("identity_checked")),
            identity_check=(data.get("identity_check") or "").strip(),
            notes=(data.get("notes") or "").strip(),
            recorded_by=actor.user,
        )
        set_history_user(record, actor.user)
        record.save()
        log_access(actor, Action.CREATE, [queries.request_access(record), person_access(person)])
    return record


def _locked_request(actor, request_id, expected_version) -> SubjectAccessRequest:
    """The request re-read locked inside the transaction; refused as stale when changed since ``expected_version``."""
    record = queries.get_request(actor, request_id, log=False)
    record = SubjectAccessRequest.objects.select_for_update().get(pk=record.pk)
    refuse_if_stale(record, expected_version, REQUEST_FIELDS)
    return record


def _save_request(actor, record: SubjectAccessRequest) -> None:
    record.version += 1
    set_history_user(record, actor.user)
    record.save()
    log_access(actor, Action.UPDATE, [queries.request_access(record)])


def extend_request(actor, request_id, extended_months: int, reason: str, expected_version=None) -> SubjectAccessRequest:
    """GDPR art. 12(3): the term extended by at most two further months, with the reason told to the person."""
    with transaction.atomic():
        record = _locked_request(actor, request_id, expected_version)
        if not record.is_open:
            _invalid({"extended_months": _("An answered or refused request cannot be extended.")})
        problems = rules.extension_problems(extended_months, reason)
        messages = {
            "too_long": _("The term can be extended by one or two months at most (three months in all)."),
            "reason_needed": _("Write why the term is extended; the person must be told the reason."),
        }
        if not extended_months:
            problems["extended_months"] = "too_long"
        if problems:
            _invalid({name: messages[key] for name, key in problems.items()})
        record.extended_months = extended_months
        record.extension_reason = reason.strip()
        record.status = RequestStatus.EXTENDED
        _save_request(actor, record)
    return record


def close_request(actor, request_id, status: str, notes: str = "", expected_version=None) -> SubjectAccessRequest:
    """The request answered (the export handed over) or refused (with the reason in the notes)."""
    with transaction.atomic():
        record = _locked_request(actor, request_id, expected_version)
        if not record.is_open:
            _invalid({"status": _("This request is already answered or refused.")})
        if status not in (RequestStatus.ANSWERED, RequestStatus.REFUSED):
            _invalid({"status": _("Choose answered or refused.")})
        if status == RequestStatus.ANSWERED and record.exported_at is None:
            _invalid({"status": _("Produce the export before recording the answer.")})
        if status == RequestStatus.REFUSED and not notes.strip():
            _invalid({"notes": _("Write why the request is refused.")})
        record.status = status
        record.answered_on = timezone.localdate()
        record.answered_by = actor.user
        if notes.strip():
            record.notes = (record.notes + "\n\n" + notes.strip()).strip()
        _save_request(actor, record)
    return record


# --- Withholding by hand ----------------------------------------------------------------------------------------


def withhold(actor, request_id, data: dict) -> WithheldItem:
    """The officer holds one record of the answer back, with a reason and an explanation in their own words (GDPR
    art. 15(4); decision 206). Only a record the answer would show can be withheld; it stays withheld, also in a
    later export, until it is released."""
    kind, reason = data.get("record_type") or "", data.get("reason") or ""
    record_id = str(data.get("record_id") or "").strip()
    explanation = (data.get("explanation") or "").strip()
    errors = {}
    if kind not in WITHHOLDABLE:
        errors["record_type"] = _("Choose what kind of record is withheld.")
    if reason not in WithheldReason.values:
        errors["reason"] = _("Choose why the record is withheld.")
    if not explanation:
        errors["explanation"] = _("Write why this record is withheld, without repeating what it says.")
    if errors:
        _invalid(errors)
    with transaction.atomic():
        request = queries.get_request(actor, request_id, log=False)
        request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
        if not request.is_open:
            _invalid({"record_id": _("The answer to this request is recorded; nothing can be withheld any more.")})
        if request.person is None:
            _invalid({"record_id": _("The person's records no longer exist.")})
        existing = WithheldItem.objects.filter(request=request, record_type=kind, record_id=record_id).first()
        if existing is not None and existing.marked_by_id is not None:
            _invalid({"record_id": _("This record is already withheld.")})
        shown = {(item.kind, str(item.record_id)) for item in gather(actor, request, Action.VIEW).items}
        if (kind, record_id) not in shown and existing is None:
            _invalid({"record_id": _("The answer holds no such record for this person.")})
        if existing is not None:
            existing.delete()
        item = WithheldItem.objects.create(
            request=request,
            record_type=kind,
            record_id=record_id,
            case_id=request.person.case_id,
            reason=reason,
            explanation=explanation,
            marked_by=actor.user,
            marked_at=timezone.now(),
        )
        log_access(actor, Action.UPDATE, [queries.request_access(request)], detail=f"withheld {kind} {record_id}")
    return item


def release(actor, request_id, item_id) -> None:
    """A record withheld by hand goes back into the answer."""
    with transaction.atomic():
        request = queries.get_request(actor, request_id, log=False)
        request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
        item = WithheldItem.objects.filter(request=request, pk=queries.as_id(item_id), marked_by__isnull=False).first()
        if item is None:
            log_access(actor, Action.DENIED, [queries.request_access(request)], detail="release withheld")
            raise NotFound()
        if not request.is_open:
            _invalid({"record_id": _("The answer to this request is recorded; nothing can be released any more.")})
        kind, record_id = item.record_type, item.record_id
        item.delete()
        log_access(actor, Action.UPDATE, [queries.request_access(request)], detail=f"released {kind} {record_id}")


def withheld_of(request) -> list[WithheldItem]:
    """What the request's answer withholds, those chosen by hand first, each with its kind in words."""
    items = list(WithheldItem.objects.filter(request=request).select_related("marked_by").order_by("marked_by", "id"))
    items.sort(key=lambda i: (i.marked_by_id is None, i.pk))
    for item in items:
        item.kind_label = kind_label(item.record_type)  # type: ignore[attr-defined]
    return items


# --- The export -----------------------------------------------------------------------------------------------


def produce_export(actor, request_id) -> SubjectAccessRequest:
    """Gather the answer once to record what it withholds, and mark the export as produced."""
    with transaction.atomic():
        record = queries.get_request(actor, request_id, log=False)
        record = SubjectAccessRequest.objects.select_for_update().get(pk=record.pk)
        if record.person is None:
            _invalid({"person": _("The person's records no longer exist.")})
        export = gather(actor, record)
        # What the rules withhold is recorded anew; what the officer withheld by hand stays as they chose it.
        WithheldItem.objects.filter(request=record, marked_by__isnull=True).delete()
        WithheldItem.objects.bulk_create(
            [
                WithheldItem(
                    request=record,
                    record_type=h.kind,
                    record_id=str(h.record_id),
                    case_id=export.person.case_id,
                    reason=h.reason,
                )
                for h in export.withheld
                if not h.by_officer
            ]
        )
        record.exported_at = timezone.now()
        set_history_user(record, actor.user)
        record.save()
    return record


def export_pdf(actor, request_id) -> bytes:
    record = queries.get_request(actor, request_id, log=False)
    from .documents import render_pdf

    return render_pdf(gather(actor, record))


def export_zip(actor, request_id) -> bytes:
    """One JSON file per section, the document files and the PDF, with a list of the files' checksums."""
    record = queries.get_request(actor, request_id, log=False)
    from .documents import render_pdf

    export = gather(actor, record)
    buffer = io.BytesIO()
    checksums = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in SECTIONS:
            data = json.dumps(export.sections[name], ensure_ascii=False, indent=2).encode()
            archive.writestr(f"{name}.json", data)
            checksums[f"{name}.json"] = hashlib.sha256(data).hexdigest()
        for name, version in export.files:
            with version.file.open("rb") as handle:
                content = handle.read()
            archive.writestr(name, content)
            checksums[name] = hashlib.sha256(content).hexdigest()
        pdf = render_pdf(export)
        archive.writestr("overzicht.pdf", pdf)
        checksums["overzicht.pdf"] = hashlib.sha256(pdf).hexdigest()
        archive.writestr("checksums.json", json.dumps(checksums, indent=2))
    return buffer.getvalue()


# --- Rectification --------------------------------------------------------------------------------------------


def _target(actor, organisation_ids, record_type, record_id):
    """The record a rectification concerns: (case id, person) within the officer's organisations, or 400."""
    models: dict = {
        RectificationTarget.JOURNAL_ENTRY: JournalEntry,
        RectificationTarget.PERSON: Person,
        RectificationTarget.DOCUMENT: Document,
    }
    model = models.get(record_type)
    if model is None:
        _invalid({"record_type": _("Choose what the request concerns.")})
    found = model.objects.filter(pk=record_id, organisation_id__in=organisation_ids).first() if record_id else None
    if found is None:
        _invalid({"record_id": _("No such record in your organisation.")})
    return found


def record_rectification(actor, data: dict) -> RectificationRequest:
    organisation_ids = queries.officer_organisations(actor)
    person = queries.get_person(actor, data.get("person_id"))
    errors = {}
    requested_on = data.get("requested_on")
    if requested_on is None:
        errors["requested_on"] = _("Fill in the date the request was received.")
    elif requested_on > timezone.localdate():
        errors["requested_on"] = _("The date the request was received cannot be in the future.")
    if not (data.get("asked") or "").strip():
        errors["asked"] = _("Write what the person asks to be corrected.")
    if errors:
        _invalid(errors)
    target = _target(actor, organisation_ids, data.get("record_type"), data.get("record_id"))
    if target.case_id != person.case_id:
        _invalid({"record_id": _("This record is not part of the person's case.")})
    with transaction.atomic():
        record = RectificationRequest(
            organisation_id=person.organisation_id,
            person=person,
            case_id=person.case_id,
            record_type=data["record_type"],
            record_id=target.pk,
            requested_on=data["requested_on"],
            asked=data["asked"].strip(),
            recorded_by=actor.user,
        )
        set_history_user(record, actor.user)
        record.save()
        log_access(actor, Action.CREATE, [queries.rectification_access(record), person_access(person)])
    return record


def decide_rectification(actor, request_id, decision: str, answer: str, expected_version=None) -> RectificationRequest:
    with transaction.atomic():
        record = queries.get_rectification(actor, request_id)
        record = RectificationRequest.objects.select_for_update().get(pk=record.pk)
        refuse_if_stale(record, expected_version, RECTIFICATION_FIELDS)
        errors = {}
        if decision not in (RectificationDecision.GRANTED, RectificationDecision.PARTLY, RectificationDecision.REFUSED):
            errors["decision"] = _("Choose granted, partly granted or refused.")
        if not answer.strip():
            errors["answer"] = _("Write the answer given to the person.")
        if errors:
            _invalid(errors)
        record.decision = decision
        record.answer = answer.strip()
        record.decided_on = timezone.localdate()
        record.decided_by = actor.user
        record.version += 1
        set_history_user(record, actor.user)
        record.save()
        log_access(actor, Action.UPDATE, [queries.rectification_access(record)])
    return record


def today() -> datetime.date:
    return timezone.localdate()
