"""What later apps show beside a journal entry (e.g. a rectification request and its answer, kring.privacy).

The journal may not import them, so they register a source in their ready(): a function that takes the ids of
the entries on the page and answers, per entry id, a list of items; and the template that shows one item.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

_sources: list["BesideSource"] = []


@dataclass(frozen=True)
class BesideSource:
    name: str
    template: str
    items: Callable[[Iterable[int]], dict]


def register_beside_entries(name: str, template: str, items: Callable[[Iterable[int]], dict]) -> None:
    if any(source.name == name for source in _sources):
        return
    _sources.append(BesideSource(name, template, items))


def attach(entries) -> None:
    """Give each entry ``beside``: a list of (template, item) to show with it."""
    entries = list(entries)
    for entry in entries:
        entry.beside = []
    ids = [entry.pk for entry in entries]
    if not ids:
        return
    for source in _sources:
        found = source.items(ids)
        for entry in entries:
            entry.beside += [(source.template, item) for item in found.get(entry.pk, [])]
