"""The reads of documents. A document is visible exactly when its case is (``visible_cases``); every read is logged,
a download as an export, and a refusal as refused."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery

from kring.audit.services import Action, case_access, log_access, person_access
from kring.cases import queries as case_queries
from kring.cases.editing import can_edit_case, check_can_edit
from kring.cases.models import Person
from kring.core.errors import NotFound

from .models import Document, DocumentVersion
from .services import document_access
from .storage import document_storage

PAGE_SIZE = 25
logger = logging.getLogger(__name__)


class DamagedFile(Exception):
    """The stored file is missing or no longer matches the checksum taken at upload: it is not sent."""


@dataclass
class DocumentFilter:
    kind: str = ""
    person_id: int | None = None


def _with_latest(queryset):
    """Each document with its latest version's number, file name, type and size, in the same query."""
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    return queryset.annotate(
        latest_number=Subquery(latest.values("number")[:1]),
        latest_filename=Subquery(latest.values("filename")[:1]),
        latest_content_type=Subquery(latest.values("content_type")[:1]),
        latest_size=Subquery(latest.values("size")[:1]),
    )


def documents_page(actor, case_id, filters: DocumentFilter, page_number=1, per_page: int = PAGE_SIZE, offer=False):
    """One page of the case's documents, most recently changed first: the case, the page, its rows and, with
    ``offer``, the case's persons for a filter to choose from. A fixed number of queries whatever the number of
    documents; the documents and persons shown are logged in one entry each, in one statement."""
    case = case_queries.get_case(actor, case_id, log=False)
    queryset = Document.objects.filter(case=case).select_related("person")
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.person_id:
        queryset = queryset.filter(person_id=filters.person_id)
    paginator = Paginator(_with_latest(queryset).order_by("-updated_at", "-id"), per_page)
    page = paginator.get_page(page_number)
    rows = list(page.object_list)
    offered = list(Person.objects.filter(case=case).order_by("last_name", "first_name", "pk")) if offer else []
    persons = {p.pk: p for p in offered} | {row.person.pk: row.person for row in rows if row.person}
    accesses = [case_access(case)] + [document_access(row) for row in rows]
    log_access(actor, Action.LIST, accesses + [person_access(p) for p in persons.values()])
    return case, page, rows, offered


def get_document(actor, case_id, document_id, log: bool = True):
    """One document of a case the user may see, with its versions (newest first); NotFound otherwise."""
    case = case_queries.get_case(actor, case_id, log=False)
    document = (
        Document.objects.filter(case=case, pk=document_id)
        .select_related("person", "meeting", "plan", "created_by")
        .first()
    )
    if document is None:
        raise NotFound()
    versions = list(document.versions.select_related("uploaded_by").order_by("-number"))
    document.all_versions = versions  # type: ignore[attr-defined]  # read by the page and the serializer
    if log:
        accesses = [document_access(document)] + ([person_access(document.person)] if document.person else [])
        log_access(actor, Action.VIEW, accesses)
    return case, document


def download(actor, case_id, document_id, number=None):
    """(the version, its bytes) of one version of a document (the latest when ``number`` is None), checked against
    its checksum. Logged as an export; a file that does not match is refused, logged and reported."""
    case = case_queries.get_case(actor, case_id, log=False)
    document = Document.objects.filter(case=case, pk=document_id).select_related("person").first()
    if document is None:
        raise NotFound()
    versions = DocumentVersion.objects.filter(document=document).order_by("-number")
    version = versions.filter(number=number).first() if number is not None else versions.first()
    if version is None:
        raise NotFound()
    try:
        with document_storage.open(version.file.name, "rb") as stored:
            content = stored.read()
    except (FileNotFoundError, OSError):
        content = None
    if content is None or hashlib.sha256(content).hexdigest() != version.sha256:
        log_access(actor, Action.DENIED, [document_access(document)], detail=f"version {version.number}: damaged")
        logger.error("Document %s version %s: the stored file is missing or damaged", document.pk, version.number)
        raise DamagedFile()
    accesses = [document_access(document)]
    if document.person_id:
        accesses.append(person_access(document.person))
    log_access(actor, Action.EXPORT, accesses, detail=f"version {version.number}")
    return version, content


def case_to_change(actor, case_id, document_id=None):
    """The case (and document) for a change by this user, checked before the request's body is read: NotFound for
    a case or document the user may not see, PermissionDenied (logged as refused) for one they may not change.
    Nothing else is logged: the service that makes the change logs it."""
    case = case_queries.get_case(actor, case_id, log=False)
    if document_id is not None and not Document.objects.filter(case=case, pk=document_id).exists():
        raise NotFound()
    try:
        check_can_edit(actor.user, case)
    except PermissionDenied:
        log_access(actor, Action.DENIED, [case_access(case)])
        raise
    return case


def can_change(user, case) -> bool:
    return can_edit_case(user, case)
