"""Writing for subject access and rectification, and the export itself (decisions 171-176).

``gather`` collects, for one person record, everything the answer shows, each section a list of plain dicts (the
JSON files of the zip and the PDF are both made from it). It reads through the models directly, not through the
case-team queries: the privacy officer holds no case role (decision 173). What it reads is logged as an export of
each record; what it leaves out of the journal is recorded as withheld, by type and id only.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import Membership, User
from kring.audit.models import RECORD_TYPE_LABELS, AccessLogEntry, Action
from kring.audit.services import Access, case_access, log_access, person_access
from kring.cases.models import Consent, ParentalAuthority, Person
from kring.core.errors import NotFound
from kring.documents.models import Document, DocumentVersion
from kring.journal.models import EntryHiddenFrom, JournalEntry, Visibility
from kring.journal.queries import entries_visible_to_person
from kring.network.models import Relationship, SystemTie
from kring.plans.models import Agreement

from . import queries, rules
from .models import (
    RectificationDecision,
    RectificationRequest,
    RectificationTarget,
    RequestStatus,
    SubjectAccessRequest,
    WithheldItem,
    WithheldReason,
)

# The sections of the answer, in the order of the PDF; each is one JSON file in the zip.
SECTIONS = (
    "person",
    "case",
    "journal",
    "documents",
    "network",
    "agreements",
    "consents",
    "parental_authority",
    "access_log",
    "withheld",
)


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
        record = SubjectAccessRequest.objects.create(
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
        log_access(actor, Action.CREATE, [queries.request_access(record), person_access(person)])
    return record


def extend_request(actor, request_id, extended_months: int, reason: str) -> SubjectAccessRequest:
    """GDPR art. 12(3): the term extended by at most two further months, with the reason told to the person."""
    with transaction.atomic():
        record = queries.get_request(actor, request_id, log=False)
        record = SubjectAccessRequest.objects.select_for_update().get(pk=record.pk)
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
        record.version += 1
        record.save()
        log_access(actor, Action.UPDATE, [queries.request_access(record)])
    return record


def close_request(actor, request_id, status: str, notes: str = "") -> SubjectAccessRequest:
    """The request answered (the export handed over) or refused (with the reason in the notes)."""
    with transaction.atomic():
        record = queries.get_request(actor, request_id, log=False)
        record = SubjectAccessRequest.objects.select_for_update().get(pk=record.pk)
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
        record.version += 1
        record.save()
        log_access(actor, Action.UPDATE, [queries.request_access(record)])
    return record


# --- The export -----------------------------------------------------------------------------------------------


@dataclass
class Export:
    request: SubjectAccessRequest
    person: Person
    sections: dict = field(default_factory=dict)
    files: list = field(default_factory=list)  # (name in the zip, DocumentVersion)


def _day(value):
    return value.isoformat() if value else None


def _moment(value):
    return timezone.localtime(value).isoformat(timespec="minutes") if value else None


def _role_labels(user_ids, organisation_id) -> dict:
    roles: dict = {}
    for membership in Membership.objects.filter(user_id__in=user_ids, organisation_id=organisation_id):
        roles.setdefault(membership.user_id, []).append(str(membership.get_role_display()))
    return {user_id: ", ".join(sorted(labels)) for user_id, labels in roles.items()}


def gather(actor, record: SubjectAccessRequest) -> Export:
    """Everything the answer shows for the request's person; logged as an export of every record it holds."""
    person = record.person
    if person is None:
        raise NotFound()
    case = person.case
    export = Export(record, person)
    accesses = [case_access(case), person_access(person)]
    s = export.sections
    s["person"] = [
        {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": _day(person.birth_date),
            "relation": person.relation,
            "address": person.address,
            "phone": person.phone,
            "email": person.email,
            "language": person.language,
        }
    ]
    s["case"] = [
        {
            "number": case.number,
            "referral_date": _day(case.referral_date),
            "status": str(case.get_status_display()),
            "closed_on": _day(case.closed_on),
            "organisation": case.organisation.name,
        }
    ]
    # Journal: what may be shown to this person; the rest of the case's entries recorded as withheld.
    visible = list(entries_visible_to_person(person))
    visible_ids = {e.pk for e in visible}
    author_roles = _role_labels({e.author_id for e in visible}, case.organisation_id)
    s["journal"] = [
        {
            "date": _moment(e.occurred_at),
            "category": str(e.get_category_display()),
            "written_by_role": author_roles.get(e.author_id, _("case worker")),
            "text": e.text,
        }
        for e in visible
    ]
    accesses += [Access("journal_entry", e.pk, e.case_id, e.organisation_id) for e in visible]
    hidden_ids = set(EntryHiddenFrom.objects.filter(person=person).values_list("entry_id", flat=True))
    withheld = []
    for entry_id, visibility in (
        JournalEntry.objects.filter(case=case, corrected_by__isnull=True)
        .exclude(pk__in=visible_ids)
        .values_list("pk", "visibility")
    ):
        reason = (
            WithheldReason.OTHERS_PRIVACY
            if entry_id in hidden_ids or visibility == Visibility.FAMILY
            else WithheldReason.TEAM_ONLY
        )
        withheld.append(("journal_entry", entry_id, reason))
    # Documents about this person, with the file of their latest version.
    documents = list(Document.objects.filter(case=case, person=person).order_by("created_at", "id"))
    s["documents"] = []
    for document in documents:
        latest = DocumentVersion.objects.filter(document=document).order_by("-number").first()
        name = f"documents/{document.pk}-{latest.filename}" if latest else ""
        s["documents"].append(
            {
                "title": document.title,
                "kind": str(document.get_kind_display()),
                "date": _day(timezone.localdate(document.created_at)),
                "file": name,
                "sha256": latest.sha256 if latest else "",
            }
        )
        if latest:
            export.files.append((name, latest))
        accesses.append(Access("document", document.pk, case.pk, case.organisation_id))
    # Network: the person's own relationships and ties. The other person is named: how they relate to the
    # subject is information about the subject (decision 175).
    relationships = list(
        Relationship.objects.filter(case=case)
        .filter(Q(person_a=person) | Q(person_b=person))
        .select_related("person_a", "person_b")
    )
    s["network"] = [
        {
            "relationship": str(r.get_kind_display()),
            "with": (r.person_b if r.person_a_id == person.pk else r.person_a).full_name,
            "from": _day(r.start),
            "until": _day(r.end),
        }
        for r in relationships
    ]
    ties = list(SystemTie.objects.filter(case=case, person=person))
    s["network"] += [
        {
            "relationship": str(t.get_system_kind_display()),
            "with": t.system,
            "from": _day(t.start),
            "until": _day(t.end),
        }
        for t in ties
    ]
    accesses += [Access("relationship", r.pk, case.pk, case.organisation_id) for r in relationships]
    accesses += [Access("system_tie", t.pk, case.pk, case.organisation_id) for t in ties]
    agreements = list(
        Agreement.objects.filter(case=case)
        .filter(Q(owner_person=person) | Q(backup_person=person) | Q(checker_person=person))
        .select_related("plan")
        .order_by("plan_id", "order")
    )
    s["agreements"] = [
        {
            "plan": str(a.plan.get_plan_type_display()),
            "plan_status": str(a.plan.get_status_display()),
            "what": a.what,
            "role": ", ".join(
                str(label)
                for who, label in (
                    (a.owner_person_id, _("carries it out")),
                    (a.backup_person_id, _("stands in")),
                    (a.checker_person_id, _("checks")),
                )
                if who == person.pk
            ),
            "from": _day(a.starts_on),
            "until": _day(a.ends_on),
            "status": str(a.get_status_display()),
        }
        for a in agreements
    ]
    accesses += [Access("agreement", a.pk, case.pk, case.organisation_id) for a in agreements]
    consents = list(Consent.objects.filter(person=person))
    s["consents"] = [
        {"purpose": str(c.get_purpose_display()), "given_on": _day(c.given_on), "withdrawn_on": _day(c.withdrawn_on)}
        for c in consents
    ]
    accesses += [Access("consent", c.pk, case.pk, case.organisation_id) for c in consents]
    authorities = list(
        ParentalAuthority.objects.filter(Q(child=person) | Q(holder=person)).select_related("child", "holder")
    )
    s["parental_authority"] = [
        {
            "child": a.child.full_name,
            "holder": a.holder.full_name if a.holder else a.institution,
            "kind": str(a.get_kind_display()),
            "from": _day(a.starts_on),
            "until": _day(a.ended_on),
        }
        for a in authorities
    ]
    accesses += [Access("parental_authority", a.pk, case.pk, case.organisation_id) for a in authorities]
    s["access_log"] = _access_log(case, person, accesses)
    s["withheld"] = [
        {"record_type": str(RECORD_TYPE_LABELS.get(t, t)), "record_id": str(i), "reason": str(r.label)}
        for t, i, r in withheld
    ]
    export.withheld = withheld  # type: ignore[attr-defined]
    log_access(actor, Action.EXPORT, [queries.request_access(record), *accesses], detail="subject access")
    return export


def _access_log(case, person, accesses) -> list[dict]:
    """Who read or changed the person's records (not the refused attempts): name, role, when, what, action."""
    own = {(a.record_type, str(a.record_id)) for a in accesses}
    entries = [
        e
        for e in AccessLogEntry.objects.filter(case_id=case.pk).exclude(action=Action.DENIED).order_by("at", "id")
        if (e.record_type, e.record_id) in own
    ]
    users = {u.pk: u for u in User.objects.filter(pk__in={e.user_id for e in entries if e.user_id})}
    roles = _role_labels(set(users), case.organisation_id)
    rows = []
    for e in entries:
        user = users.get(e.user_id or 0)
        rows.append(
            {
                "when": _moment(e.at),
                "who": (f"{user.first_name} {user.last_name}".strip() or user.email) if user else "Kring",
                "role": roles.get(e.user_id, ""),
                "record": str(RECORD_TYPE_LABELS.get(e.record_type, e.record_type)),
                "action": str(Action(e.action).label),
            }
        )
    return rows


def produce_export(actor, request_id) -> SubjectAccessRequest:
    """Gather the answer once to record what it withholds, and mark the export as produced."""
    with transaction.atomic():
        record = queries.get_request(actor, request_id, log=False)
        record = SubjectAccessRequest.objects.select_for_update().get(pk=record.pk)
        if record.person is None:
            _invalid({"person": _("The person's records no longer exist.")})
        export = gather(actor, record)
        WithheldItem.objects.filter(request=record).delete()
        WithheldItem.objects.bulk_create(
            [
                WithheldItem(request=record, record_type=t, record_id=str(i), case_id=export.person.case_id, reason=r)
                for t, i, r in export.withheld  # type: ignore[attr-defined]
            ]
        )
        record.exported_at = timezone.now()
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
        record = RectificationRequest.objects.create(
            organisation_id=person.organisation_id,
            person=person,
            case_id=person.case_id,
            record_type=data["record_type"],
            record_id=target.pk,
            requested_on=data["requested_on"],
            asked=data["asked"].strip(),
            recorded_by=actor.user,
        )
        log_access(actor, Action.CREATE, [queries.rectification_access(record), person_access(person)])
    return record


def decide_rectification(actor, request_id, decision: str, answer: str) -> RectificationRequest:
    with transaction.atomic():
        record = queries.get_rectification(actor, request_id)
        record = RectificationRequest.objects.select_for_update().get(pk=record.pk)
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
        record.save()
        log_access(actor, Action.UPDATE, [queries.rectification_access(record)])
    return record


def today() -> datetime.date:
    return timezone.localdate()
