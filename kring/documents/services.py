"""The writes of documents: add one with its first file, add a new version of the file, change what it says about
itself (title, description, kind, whom or what it concerns), remove it.

Like every case write (``kring.cases.editing``): the case is locked and re-read only if the user may still see it,
the user must be allowed to change the case, the record is validated and saved in one transaction, a stale edit is
refused, and every write is in the access log. The file is checked (``filecheck``) before anything is stored; it
is stored last, under a random name, and removed again if the transaction fails after all, so a refused upload
leaves neither a row nor a file.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases.editing import check_can_edit, lock_case, logs_refusal, refuse_if_stale, validate
from kring.cases.models import Person
from kring.core.errors import NotFound
from kring.core.history import set_history_user
from kring.meetings.models import Meeting
from kring.plans.models import Plan

from . import filecheck
from .choices import DocumentKind
from .models import Document, DocumentVersion
from .storage import document_storage

DOCUMENT_FIELDS = ["title", "description", "kind", "person", "meeting", "plan"]


def document_access(document) -> Access:
    return Access("document", document.pk, document.case_id, document.organisation_id)


def max_bytes() -> int:
    return settings.KRING_DOCUMENT_MAX_BYTES


def size_in_words(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes >= 1 else f"{max(size // 1024, 1)} kB"


def too_large_message() -> str:
    return _("The file is larger than %(limit)s. Nothing was stored.") % {"limit": size_in_words(max_bytes())}


def refusal_message(refused: filecheck.FileRefused) -> str:
    """The sentence for a refused file, in the user's language."""
    values = refused.values
    code = refused.code
    if code == "name_missing":
        return _("The file has no name. Give it a name such as letter.pdf.")
    if code == "name_path":
        return _("The file name may not contain a folder (/ or \\). Rename the file and choose it again.")
    if code == "name_characters":
        return _(
            "The file name contains invisible or direction-changing characters that can disguise what the file is. "
            "Rename the file and choose it again."
        )
    if code == "name_too_long":
        return _("The file name is longer than %(limit)s characters. Give it a shorter name.") % values
    if code == "name_extension":
        return _("The file name has no extension, such as .pdf. Rename the file and choose it again.")
    if code == "empty":
        return _("The file is empty. Nothing was stored.")
    if code == "too_large":
        return too_large_message()
    if code == "executable":
        return _("This file is a program, not a document, whatever its name says. Programs cannot be added.")
    if code == "type":
        return _(
            "This kind of file cannot be added. Allowed are PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, "
            ".ods), plain text (.txt, .csv) and images (PNG, JPEG, GIF)."
        )
    if code == "extension":
        return ngettext(
            "The file's name does not match its content: it is a %(type)s file, which must be named %(extensions)s.",
            "The file's name does not match its content: it is a %(type)s file, which must be named with one of "
            "%(extensions)s.",
            len(values["extensions"]),
        ) % {"type": values["type"], "extensions": ", ".join(values["extensions"])}
    if code == "pdf_active":
        return _(
            "This PDF contains active content (a script, an action that opens a program, or embedded files). "
            "Print it to a new PDF, or scan the paper, and add that."
        )
    if code == "macros":
        return _("This file contains macros or embedded programs. Save it without them and add it again.")
    if code == "zip_bomb":
        return _("This file unpacks to far more than its own size, as a zip bomb does. It cannot be added.")
    if code == "zip_nested":
        return _("This file contains another archive. Add the documents themselves, one by one.")
    if code == "zip_entries":
        return _("This file consists of more than %(limit)s parts. It cannot be added.") % values
    return _("The file is damaged and cannot be read. Nothing was stored.")


def check_upload(filename, content) -> filecheck.CheckedFile:
    """The checked file, or a ValidationError on ``file`` with a sentence that says what is wrong."""
    if not isinstance(content, bytes | bytearray | memoryview):
        raise ValidationError({"file": [_("Choose a file.")]})
    try:
        return filecheck.check_file(str(filename or ""), bytes(content), max_bytes())
    except filecheck.FileRefused as refused:
        raise ValidationError({"file": [refusal_message(refused)]}) from None


def _open_case(actor, case_id):
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    return case


def _lock_document(case, document_id) -> Document:
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    document = Document.objects.select_for_update().filter(pk=document_id, case=case).first()
    if document is None:
        raise NotFound()
    return document


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _of_case(model, case, value, field, message):
    """The record of this case with this id (a person, a meeting, a plan), None when left empty, or a message."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        value = value.pk
    try:
        found = model.objects.filter(case=case, pk=int(value)).first()
    except (TypeError, ValueError, OverflowError):
        found = None
    if found is None:
        raise ValidationError({field: [message]})
    return found


def _apply(document, case, data: dict) -> None:
    """Set the described fields from ``data`` (only those it holds) and validate; errors per field."""
    unknown = sorted(set(data) - set(DOCUMENT_FIELDS))
    errors: dict[str, list] = {name: [_("Unknown field.")] for name in unknown}
    if "title" in data:
        document.title = _text(data["title"])
    if "description" in data:
        document.description = _text(data["description"])
    if "kind" in data:
        document.kind = _text(data["kind"])
    lookups = {
        "person": (Person, _("Choose a person of this case.")),
        "meeting": (Meeting, _("Choose a meeting of this case.")),
        "plan": (Plan, _("Choose a plan of this case.")),
    }
    for name, (model, message) in lookups.items():
        if name in data:
            try:
                setattr(document, name, _of_case(model, case, data[name], name, message))
            except ValidationError as error:
                errors.update(error.message_dict)
    if not document.title:
        errors["title"] = [_("Give the document a title.")]
    if document.kind not in DocumentKind.values:
        errors["kind"] = [_("Choose what kind of document this is.")]
    if errors:
        raise ValidationError(errors)
    validate(document, exclude=["case", "organisation", "created_by", "person", "meeting", "plan"])


def _store(document, number: int, checked: filecheck.CheckedFile, content: bytes, actor) -> DocumentVersion:
    """Write the file under a random name (never the user's) and its version row. The services call this as their
    last step, so if the row cannot be saved the file is removed again and nothing is left behind."""
    name = document_storage.save(uuid.uuid4().hex, ContentFile(content))
    try:
        version = DocumentVersion(
            document=document,
            number=number,
            filename=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor.user,
        )
        version.file.name = name
        version.save()
    except BaseException:
        document_storage.delete(name)
        raise
    return version


def _related_accesses(document) -> list[Access]:
    return [person_access(document.person)] if document.person_id and document.person else []


@logs_refusal
@transaction.atomic
def add_document(actor, case_id, data: dict, filename, content) -> Document:
    """A new document on the case with its first version. The file and the description are checked together, so
    every problem is named at once; nothing is stored unless all are right."""
    case = _open_case(actor, case_id)
    document = Document(case=case, organisation=case.organisation, created_by=actor.user)
    errors = {}
    try:
        _apply(document, case, data)
    except ValidationError as error:
        errors.update(error.message_dict)
    checked = None
    try:
        checked = check_upload(filename, content)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert checked is not None
    set_history_user(document, actor.user)
    document.save()
    log_access(actor, Action.CREATE, [document_access(document)] + _related_accesses(document), detail="version 1")
    _store(document, 1, checked, bytes(content), actor)
    return document


@logs_refusal
@transaction.atomic
def add_version(actor, case_id, document_id, filename, content) -> DocumentVersion:
    """A new file for the document (a signed copy, a corrected report); the older versions stay."""
    case = _open_case(actor, case_id)
    document = _lock_document(case, document_id)
    checked = check_upload(filename, content)
    number = (document.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
    log_access(actor, Action.UPDATE, [document_access(document)], detail=f"version {number}")
    return _store(document, number, checked, bytes(content), actor)


@logs_refusal
@transaction.atomic
def update_document(actor, case_id, document_id, changes: dict, expected_version) -> Document:
    case = _open_case(actor, case_id)
    document = _lock_document(case, document_id)
    refuse_if_stale(document, expected_version, DOCUMENT_FIELDS)
    _apply(document, case, changes)
    document.version += 1
    set_history_user(document, actor.user)
    document.save()
    log_access(actor, Action.UPDATE, [document_access(document)] + _related_accesses(document))
    return document


@logs_refusal
@transaction.atomic
def remove_document(actor, case_id, document_id, expected_version) -> None:
    """Remove a document with all its versions; the files go once the removal is committed."""
    case = _open_case(actor, case_id)
    document = _lock_document(case, document_id)
    refuse_if_stale(document, expected_version, DOCUMENT_FIELDS)
    names = list(document.versions.values_list("file", flat=True))
    log_access(actor, Action.DELETE, [document_access(document)])
    set_history_user(document, actor.user)
    document.delete()

    def remove_files():
        for name in names:
            document_storage.delete(name)

    transaction.on_commit(remove_files)


def damaged_message() -> str:
    return _(
        "The stored file is missing or no longer matches the checksum taken when it was added. It was not sent; "
        "this was recorded. Please tell your administrator."
    )
