"""Writes to the case journal: a new entry, and a correction (a new version of an entry; nothing is edited in place).

Each goes through the case editing API: ``lock_case`` (the case, locked, only if the user may still see it),
``check_can_edit``, ``validate``, save, ``log_access``. A correction must correct the current version of an entry:
correcting a version someone else already corrected is refused as a stale edit (409), naming who did.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kring.audit.services import Access, Action, log_access
from kring.cases.editing import check_can_edit, lock_case, logs_refusal, validate
from kring.core.errors import NotFound, StaleEdit

from .models import EntryHiddenFrom, EntryPerson, JournalEntry, Visibility

ENTRY_FIELDS = ["occurred_at", "category", "text", "visibility"]


def entry_access(entry) -> Access:
    return Access("journal_entry", entry.pk, entry.case_id, entry.organisation_id)


def _persons_of_case(case, values, field: str) -> list:
    """The persons the input names, each of this case; an id of another case's person is refused, not ignored."""
    ids = []
    for value in values or []:
        pk = getattr(value, "pk", value)
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise ValidationError({field: [_("Choose persons of this case.")]}) from None
    ids = list(dict.fromkeys(ids))
    found = {p.pk: p for p in case.persons.filter(pk__in=ids)}
    if len(found) != len(ids):
        raise ValidationError({field: [_("This person is not part of the case.")]})
    return [found[pk] for pk in ids]


def _author_name(user) -> str:
    name = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return (name or user.email)[:254]


def _new_entry(actor, case, data: dict, corrects=None, reason: str = "", errors=None) -> JournalEntry:
    entry = JournalEntry(
        case=case,
        organisation_id=case.organisation_id,
        author=actor.user,
        author_name=_author_name(actor.user),
        written_at=timezone.now(),
        corrects=corrects,
        correction_reason=reason,
        **{name: data.get(name) for name in ENTRY_FIELDS if name in data},
    )
    if isinstance(entry.text, str):
        entry.text = entry.text.strip()
    if not entry.visibility:
        entry.visibility = Visibility.TEAM_ONLY
    errors = dict(errors or {})
    try:
        validate(entry, exclude=["case", "organisation", "author", "corrects"])
    except ValidationError as error:
        errors.update(error.message_dict)
    occurred = entry.occurred_at
    if isinstance(occurred, datetime.datetime) and timezone.is_aware(occurred) and occurred > entry.written_at:
        errors.setdefault("occurred_at", []).append(_("The date and time cannot be in the future."))
    persons: list = []
    hidden: list = []
    for field in ("persons", "hidden_from"):
        try:
            chosen = _persons_of_case(case, data.get(field), field)
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        if field == "persons":
            persons = chosen
        else:
            hidden = chosen
    if errors:
        raise ValidationError(errors)
    entry.save()
    _link(entry, EntryPerson, persons)
    _link(entry, EntryHiddenFrom, hidden)
    return entry


def _link(entry, model, persons: Iterable) -> None:
    model.objects.bulk_create(
        [model(entry=entry, person=person, organisation_id=entry.organisation_id) for person in persons]
    )


@logs_refusal
@transaction.atomic
def write_entry(actor, case_id, data: dict) -> JournalEntry:
    """Write a journal entry on a case: ``occurred_at``, ``category``, ``text``, ``visibility``, and the persons
    (``persons``, ``hidden_from``: persons or their ids, all of this case)."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    entry = _new_entry(actor, case, data)
    log_access(actor, Action.CREATE, [entry_access(entry)])
    return entry


@logs_refusal
@transaction.atomic
def correct_entry(actor, case_id, entry_id, data: dict) -> JournalEntry:
    """Write a correction of an entry: a new entry (all of ``write_entry``'s fields, and ``correction_reason``) that
    replaces it. The entry corrected stays as it was and shows it was corrected; it must be the current version."""
    case = lock_case(case_id, actor.user)
    check_can_edit(actor.user, case)
    original = JournalEntry.objects.select_for_update().filter(pk=entry_id, case=case).first()
    if original is None:
        raise NotFound()
    later = JournalEntry.objects.filter(corrects=original).first()
    if later is not None:
        written = formats.date_format(timezone.localtime(later.written_at), "SHORT_DATETIME_FORMAT")
        raise StaleEdit(
            [
                (
                    _("corrected by"),
                    "",
                    _("the correction of %(when)s") % {"when": written},
                    later.author_name,
                )
            ]
        )
    reason = str(data.get("correction_reason") or "").strip()
    missing = {} if reason else {"correction_reason": [_("Say what is corrected and why.")]}
    entry = _new_entry(actor, case, data, corrects=original, reason=reason, errors=missing)
    log_access(actor, Action.CREATE, [entry_access(entry)])
    return entry
