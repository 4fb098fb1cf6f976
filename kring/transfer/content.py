"""What goes with a transfer, read from the sending case, and how it becomes a new case at the receiver.

``build`` reads the chosen parts of the sending case into plain data (the same data a package carries as
``content.json``) with the files of the chosen documents, and lists exactly which records went (``items``).
``apply`` makes the receiver's new case from that data. Both sides of one installation and both installations use
the same two functions, so an internal transfer and a package give the same new case.

Persons and the network are copied field by field (the model's own plain fields, so a field added later goes too);
journal entries keep their author's name and dates and are marked as received; documents keep their checksum,
checked when read and again when stored; plans go as a summary (decision 194).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kring.cases.models import Case, CaseNumberSequence, NoContact, Person
from kring.documents.choices import DocumentKind
from kring.documents.models import Document, DocumentVersion
from kring.documents.storage import document_storage
from kring.journal.models import Category, EntryHiddenFrom, EntryPerson, JournalEntry, Visibility
from kring.network.models import NetworkMember, Relationship, SystemTie
from kring.plans.models import Plan

from . import package

CASE_FIELDS = ["family_name", "legal_context", "safety_concern", "central_reason", "question", "concerns"]
SKIPPED = {"id", "case", "organisation", "version", "created_at", "updated_at", "search_name", "positions", "person"}


def _plain_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.is_relation and not f.auto_created and f.name not in SKIPPED and not isinstance(f, models.JSONField)
    ]


def _dump(record, fields) -> dict:
    values: dict[str, Any] = {}
    for field in fields:
        value = getattr(record, field.attname)
        values[field.name] = value.isoformat() if isinstance(value, datetime.date | datetime.datetime) else value
    return values


def _load(model, values) -> dict:
    """The plain fields of ``model`` from received data; unknown names are ignored, a bad value is refused."""
    if not isinstance(values, dict):
        raise ValidationError(_("The content of the transfer is damaged."))
    loaded = {}
    for field in _plain_fields(model):
        if field.name in values:
            value = values[field.name]
            loaded[field.name] = None if value is None else field.to_python(value)
    return loaded


def central_person(case) -> Person | None:
    return Person.objects.filter(case=case, is_central=True).order_by("birth_date", "pk").first()


def _chosen_entries(case, transfer):
    entries = JournalEntry.objects.filter(case=case).current().order_by("occurred_at", "pk")
    if not transfer.include_team_only:
        entries = entries.exclude(visibility=Visibility.TEAM_ONLY)
    if transfer.decided_at:
        # A package is made again on download: what was written after it was sent (the closing entry) stays out.
        entries = entries.filter(written_at__lt=transfer.decided_at)
    return list(entries)


def _plan_summary(plan: Plan) -> str:
    lines = [
        _("Plan: %(type)s, version %(edition)s, status %(status)s.")
        % {"type": plan.get_plan_type_display(), "edition": plan.edition, "status": plan.get_status_display()}
    ]
    if plan.concerns:
        lines.append(_("Concerns: %(text)s") % {"text": plan.concerns})
    for agreement in plan.agreements.order_by("order", "pk"):
        who = agreement.owner_professional or (str(agreement.owner_person) if agreement.owner_person_id else "")
        lines.append(f"- {agreement.what}" + (f" ({who})" if who else ""))
    return "\n".join(lines)


def build(case: Case, transfer) -> tuple[dict, list[bytes], dict]:
    """(content, document files in order, items) of the parts of ``case`` the transfer chose.

    A document whose stored file no longer matches its checksum is refused: nothing goes with a damaged file."""
    persons = list(Person.objects.filter(case=case).order_by("-is_central", "pk"))
    if not transfer.include_network:
        persons = [p for p in persons if p.is_central]
    person_ids = {p.pk for p in persons}
    network = {m.person_id: m for m in NetworkMember.objects.filter(case=case, person_id__in=person_ids)}
    person_fields = _plain_fields(Person)
    network_fields = _plain_fields(NetworkMember)
    content: dict[str, Any] = {
        "case": {name: getattr(case, name) for name in CASE_FIELDS},
        "sender_case_number": case.number,
        "persons": [
            {
                "ref": p.pk,
                **_dump(p, person_fields),
                "network": _dump(network[p.pk], network_fields) if p.pk in network else None,
            }
            for p in persons
        ],
        "relationships": [],
        "system_ties": [],
        "no_contacts": [],
        "journal": [],
        "plans": [],
        "documents": [],
    }
    items: dict[str, list] = {"persons": sorted(person_ids)}
    if transfer.include_network:
        relationships = Relationship.objects.filter(case=case).order_by("pk")
        content["relationships"] = [
            {"ref": r.pk, "a": r.person_a_id, "b": r.person_b_id, **_dump(r, _plain_fields(Relationship))}
            for r in relationships
        ]
        ties = SystemTie.objects.filter(case=case).order_by("pk")
        content["system_ties"] = [
            {"ref": t.pk, "person": t.person_id, **_dump(t, _plain_fields(SystemTie))} for t in ties
        ]
        items["relationships"] = [r["ref"] for r in content["relationships"]]
        items["system_ties"] = [t["ref"] for t in content["system_ties"]]
    marks = NoContact.objects.filter(case=case, person_id__in=person_ids, kept_from_id__in=person_ids).order_by("pk")
    content["no_contacts"] = [
        {"person": m.person_id, "kept_from": m.kept_from_id, "reason": m.reason, "since": m.since.isoformat()}
        for m in marks
    ]
    if transfer.include_journal:
        entries = _chosen_entries(case, transfer)
        links: dict[int, list[int]] = {}
        for row in EntryPerson.objects.filter(entry__in=entries).values_list("entry_id", "person_id"):
            links.setdefault(row[0], []).append(row[1])
        hidden: dict[int, list[int]] = {}
        for row in EntryHiddenFrom.objects.filter(entry__in=entries).values_list("entry_id", "person_id"):
            hidden.setdefault(row[0], []).append(row[1])
        content["journal"] = [
            {
                "ref": e.pk,
                "author_name": e.author_name,
                "written_at": e.written_at.isoformat(),
                "occurred_at": e.occurred_at.isoformat(),
                "category": e.category,
                "visibility": e.visibility,
                "text": e.text,
                "persons": sorted(links.get(e.pk, [])),
                "hidden_from": sorted(hidden.get(e.pk, [])),
            }
            for e in entries
        ]
        items["journal_entries"] = [e.pk for e in entries]
    if transfer.include_plans:
        plans = list(Plan.objects.filter(case=case).order_by("pk"))
        content["plans"] = [{"ref": p.pk, "summary": _plan_summary(p)} for p in plans]
        items["plans"] = [p.pk for p in plans]
    files: list[bytes] = []
    items["documents"] = []
    documents = Document.objects.filter(case=case, pk__in=transfer.document_ids or []).order_by("pk")
    for document in documents:
        version = document.versions.order_by("-number").first()
        if version is None:
            continue
        data = _read_checked(version)
        files.append(data)
        content["documents"].append(
            {
                "ref": document.pk,
                "title": document.title,
                "description": document.description,
                "kind": document.kind,
                "filename": version.filename,
                "content_type": version.content_type,
                "sha256": version.sha256,
                "member": f"documents/{len(files)}",
            }
        )
        items["documents"].append({"id": document.pk, "version": version.number, "sha256": version.sha256})
    return content, files, items


def _read_checked(version: DocumentVersion) -> bytes:
    try:
        with document_storage.open(version.file.name, "rb") as handle:
            data = handle.read()
    except OSError:
        data = None
    if data is None or package.sha256(data) != version.sha256:
        raise ValidationError(
            _(
                "The stored file of the document “%(title)s” is missing or does not match its checksum. Nothing was transferred."
            )
            % {"title": version.document.title}
        )
    return data


def _date_time(value) -> datetime.datetime:
    parsed = parse_datetime(str(value or ""))
    if parsed is None:
        raise ValidationError(_("The content of the transfer is damaged."))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def apply(actor, content: dict, files: dict[str, bytes], target: dict, sender_name: str, stored: list[str]) -> Case:
    """Make the receiver's new case from ``content`` in ``target`` (organisation, team, legal_context); every
    record is validated, a damaged one refuses all.

    Called inside the caller's transaction. The names of the files it stores are added to ``stored``: the caller
    removes them if its transaction fails."""
    from kring.core.history import set_history_user as set_user

    user = actor.user
    organisation, team, legal_context = target["organisation"], target["team"], target["legal_context"]
    basics = content.get("case") if isinstance(content, dict) else None
    if not isinstance(basics, dict):
        raise ValidationError(_("The content of the transfer is damaged."))
    today = timezone.localdate()
    case = Case(
        organisation=organisation,
        team=team,
        legal_context=legal_context,
        referral_date=today,
        referrer_name=sender_name[:200],
        referral_route="professional",
        status="active",
        **{name: str(basics.get(name) or "") for name in CASE_FIELDS if name != "legal_context"},
    )
    if not case.safety_concern:
        case.safety_concern = "none"
    case.number = "pending"
    _valid(case, exclude=["number"])
    case.number = next_number(organisation, today.year)
    set_user(case, user)
    case.save()
    persons: dict[Any, Person] = {}
    for data in content.get("persons") or []:
        person = Person(case=case, organisation=organisation, **_load(Person, data))
        _valid(person, exclude=["case", "organisation"])
        set_user(person, user)
        person.save()
        persons[data.get("ref")] = person
        if isinstance(data.get("network"), dict):
            member = NetworkMember(
                person=person, case=case, organisation=organisation, **_load(NetworkMember, data["network"])
            )
            set_user(member, user)
            member.save()
    if not any(p.is_central for p in persons.values()):
        raise ValidationError(_("The transfer holds no central person; a case cannot be made without one."))
    for data in content.get("relationships") or []:
        a, b = persons.get(data.get("a")), persons.get(data.get("b"))
        if a is None or b is None:
            continue
        relationship = Relationship(
            case=case, organisation=organisation, person_a=a, person_b=b, **_load(Relationship, data)
        )
        set_user(relationship, user)
        relationship.save()
    for data in content.get("system_ties") or []:
        tie = SystemTie(
            case=case, organisation=organisation, person=persons.get(data.get("person")), **_load(SystemTie, data)
        )
        set_user(tie, user)
        tie.save()
    for data in content.get("no_contacts") or []:
        person, kept_from = persons.get(data.get("person")), persons.get(data.get("kept_from"))
        if person is None or kept_from is None:
            continue
        mark = NoContact(
            case=case,
            organisation=organisation,
            person=person,
            kept_from=kept_from,
            reason=str(data.get("reason") or "")[:500],
            since=_load(NoContact, {"since": data.get("since")}).get("since") or today,
            recorded_by=user,
        )
        set_user(mark, user)
        mark.save()
    for data in content.get("journal") or []:
        written = _date_time(data.get("written_at"))
        category = data.get("category") if data.get("category") in Category.values else Category.OTHER
        visibility = data.get("visibility") if data.get("visibility") in Visibility.values else Visibility.TEAM_ONLY
        note = _("Received with the transfer from %(sender)s; written by %(author)s on %(date)s.") % {
            "sender": sender_name,
            "author": data.get("author_name") or "?",
            "date": timezone.localtime(written).strftime("%d-%m-%Y %H:%M"),
        }
        entry = JournalEntry(
            case=case,
            organisation=organisation,
            author=user,
            author_name=f"{data.get('author_name') or '?'} ({sender_name})"[:254],
            occurred_at=_date_time(data.get("occurred_at")),
            category=category,
            visibility=visibility,
            text=f"{note}\n\n{data.get('text') or ''}",
        )
        entry.save()
        for ref in data.get("persons") or []:
            if ref in persons:
                EntryPerson.objects.create(entry=entry, person=persons[ref], organisation=organisation)
        for ref in data.get("hidden_from") or []:
            if ref in persons:
                EntryHiddenFrom.objects.create(entry=entry, person=persons[ref], organisation=organisation)
    for data in content.get("plans") or []:
        JournalEntry(
            case=case,
            organisation=organisation,
            author=user,
            author_name=sender_name[:254],
            occurred_at=timezone.now(),
            category=Category.OTHER,
            visibility=Visibility.TEAM_ONLY,
            text=_("Plan received with the transfer from %(sender)s:") % {"sender": sender_name}
            + "\n\n"
            + str(data.get("summary") or ""),
        ).save()
    for data in content.get("documents") or []:
        member = str(data.get("member") or "")
        body = files.get(member)
        if body is None or package.sha256(body) != data.get("sha256"):
            raise ValidationError(_("A document of the transfer does not match its checksum. Nothing was accepted."))
        document = Document(
            case=case,
            organisation=organisation,
            title=str(data.get("title") or "")[:200] or _("document"),
            description=str(data.get("description") or "")[:4000],
            kind=data.get("kind") if data.get("kind") in DocumentKind.values else DocumentKind.OTHER,
            created_by=user,
        )
        set_user(document, user)
        document.save()
        name = document_storage.save(uuid.uuid4().hex, ContentFile(body))
        stored.append(name)
        with document_storage.open(name, "rb") as handle:
            if package.sha256(handle.read()) != data.get("sha256"):
                raise ValidationError(
                    _("A document of the transfer does not match its checksum. Nothing was accepted.")
                )
        version = DocumentVersion(
            document=document,
            number=1,
            filename=str(data.get("filename") or "document")[:200],
            content_type=str(data.get("content_type") or "application/octet-stream")[:100],
            size=len(body),
            sha256=package.sha256(body),
            uploaded_by=user,
        )
        version.file.name = name
        version.save()
    return case


def next_number(organisation, year: int) -> str:
    """The next case number of the organisation, as a referral gets it (kring.cases.services)."""
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{organisation.code.upper()}-{year}-{sequence.last:04d}"


def _valid(record, exclude):
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(
            [
                _("The transfer holds data this installation refuses: %(errors)s")
                % {"errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())}
            ]
        ) from None
