"""Reads of the case journal. Every one starts from the case as ``kring.cases.queries`` gives it to this user (the
case team and the leads of its team), and logs each entry and each person it shows.

A page of the journal costs the same number of queries whatever the journal's length: the page's entries in one
query (the correction each was replaced by, and the entry each corrects, joined to it), their persons in two
(``prefetch_related``), and the count of the whole in one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from kring.audit.services import Action, log_access, person_access
from kring.core.errors import NotFound

from .models import EntryHiddenFrom, JournalEntry, Visibility
from .services import entry_access

PAGE_SIZE = 25
MAX_PAGE = 10**8


@dataclass
class JournalFilter:
    category: str = ""
    person_id: int | None = None
    all_versions: bool = False  # also the versions that were corrected
    page: int = 1


def _entries(case):
    return (
        JournalEntry.objects.filter(case=case)
        .select_related("corrects", "corrected_by")
        .prefetch_related("persons", "hidden_from")
        .order_by("-occurred_at", "-id")
    )


def _log_shown(actor, entries, action=Action.LIST) -> None:
    accesses = [entry_access(entry) for entry in entries]
    persons = {}
    for entry in entries:
        for person in list(entry.persons.all()) + list(entry.hidden_from.all()):
            persons[person.pk] = person
    accesses += [person_access(person) for person in persons.values()]
    if accesses:
        log_access(actor, action, accesses)


def journal_page(actor, case, filters: JournalFilter):
    """One page of the journal of a case the caller got through ``get_case``, newest first: (page, entries). Each
    entry shown and each person it names is logged as listed."""
    entries = _entries(case)
    if not filters.all_versions:
        entries = entries.filter(corrected_by__isnull=True)
    if filters.category:
        entries = entries.filter(category=filters.category)
    if filters.person_id:
        entries = entries.filter(persons__id=filters.person_id)
    paginator = Paginator(entries, PAGE_SIZE)
    try:
        number = min(max(int(filters.page), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    page = paginator.get_page(number)
    rows = list(page.object_list)
    page.object_list = rows
    _log_shown(actor, rows)
    return page, rows


def get_entry(actor, case, entry_id) -> JournalEntry:
    """One entry of the case (which the caller got through ``get_case``), logged as viewed; else ``NotFound``."""
    entry = _entries(case).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    _log_shown(actor, [entry], Action.VIEW)
    return entry


def entries_visible_to_person(person, include_corrected: bool = False):
    """The entries of the person's case that an export for this person (a subject access request) may show: those
    that may be shared with the family and are not hidden from this person. By default only current versions.

    Logs nothing: the export that uses it logs what it exports, as an export."""
    hidden = EntryHiddenFrom.objects.filter(person=person).values("entry_id")
    entries = (
        JournalEntry.objects.filter(case_id=person.case_id, visibility=Visibility.FAMILY)
        .exclude(pk__in=hidden)
        .order_by("occurred_at", "id")
    )
    if not include_corrected:
        entries = entries.filter(corrected_by__isnull=True)
    return entries


def history_of_journal(actor, case) -> list[dict]:
    """The journal's lines in the case's history: one per entry written or corrected (kind, date, author; not the
    text nor the persons, which the journal shows). A source of ``kring.cases.history_sources``."""
    entries = list(
        JournalEntry.objects.filter(case=case).only(
            "pk", "case_id", "organisation_id", "author_name", "written_at", "occurred_at", "category", "corrects_id"
        )
    )
    if entries:
        log_access(actor, Action.LIST, [entry_access(entry) for entry in entries])
    return [_history_line(entry) for entry in entries]


@dataclass(frozen=True)
class HistoryRecord:
    """What the history table reads of a record: when, who and what."""

    history_date: object
    history_user: str
    instance: str


def _history_line(entry) -> dict:
    event = _("Journal entry corrected") if entry.corrects_id else _("Journal entry written")
    return {
        "record": HistoryRecord(entry.written_at, entry.author_name, str(entry)),
        "kind": "journal",
        "changes": [],
        "event": event,
    }
