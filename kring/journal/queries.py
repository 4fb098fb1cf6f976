"""Reads of the case journal. Every one starts from the case as ``kring.cases.queries`` gives it to this user (the
case team and the leads of its team), and logs each entry and each person it shows.

A page of the journal costs the same number of queries whatever the journal's length: the page's entries in one
query (the correction each was replaced by, and the entry each corrects, joined to it), the persons they name in one
(both link tables at once, mapped onto the case's persons read once), the count of the whole in one, and one insert
into the access log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import IntegerField, Value
from django.utils.translation import gettext_lazy as _

from kring.audit.services import Action, case_access, log_access, person_access
from kring.core.errors import NotFound

from .models import EntryHiddenFrom, EntryPerson, JournalEntry, Visibility
from .services import entry_access

PAGE_SIZE = 20
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
        .order_by("-occurred_at", "-id")
    )


def case_persons(case) -> list:
    """The persons of the case, by name: the filter's choices and the names the entries show, read once."""
    return list(case.persons.order_by("last_name", "first_name", "pk"))


def _attach_persons(entries, persons) -> None:
    """Give each entry ``concerned_persons`` and ``hidden_persons`` (lists of the case's persons), from one query
    over both link tables, whatever the number of entries."""
    by_id = {person.pk: person for person in persons}
    for entry in entries:
        entry.concerned_persons, entry.hidden_persons = [], []
    if not entries:
        return
    ids = [entry.pk for entry in entries]
    kind = Value(0, output_field=IntegerField())
    concerned = EntryPerson.objects.filter(entry_id__in=ids).order_by().values_list("entry_id", "person_id", kind)
    hidden = (
        EntryHiddenFrom.objects.filter(entry_id__in=ids)
        .order_by()
        .values_list("entry_id", "person_id", Value(1, output_field=IntegerField()))
    )
    entry_by_id = {entry.pk: entry for entry in entries}
    for entry_id, person_id, is_hidden in concerned.union(hidden, all=True):
        person = by_id.get(person_id)
        if person is not None:
            target = entry_by_id[entry_id]
            (target.hidden_persons if is_hidden else target.concerned_persons).append(person)


def _log_shown(actor, case, entries, offered=(), with_case=True) -> None:
    """One access log insert for the page: the case, each entry and each person it names or offers to choose."""
    accesses = [case_access(case)] if with_case else []
    accesses += [entry_access(entry) for entry in entries]
    persons = {person.pk: person for person in offered}
    for entry in entries:
        for person in entry.concerned_persons + entry.hidden_persons:
            persons[person.pk] = person
    accesses += [person_access(person) for person in persons.values()]
    if accesses:
        log_access(actor, Action.VIEW, accesses)


def journal_page(actor, case, filters: JournalFilter, offered_persons: list | None = None):
    """One page of the journal of a case the caller got through ``get_case`` (unlogged), newest first: (page,
    entries). The case, each entry shown and each person it names is logged as viewed in one insert, and so are
    ``offered_persons``, the persons a page names as the filter's choices (then also the persons it reads)."""
    persons = offered_persons if offered_persons is not None else case_persons(case)
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
    _attach_persons(rows, persons)
    _log_shown(actor, case, rows, offered_persons or ())
    return page, rows


def get_entry(actor, case, entry_id) -> JournalEntry:
    """One entry of the case (which the caller got through ``get_case``), logged as viewed; else ``NotFound``."""
    entry = _entries(case).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    _attach_persons([entry], case_persons(case))
    _log_shown(actor, case, [entry], with_case=False)
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
