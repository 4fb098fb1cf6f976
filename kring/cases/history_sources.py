"""What later stages add to the case's history page.

The history page belongs to ``cases``, which may not name the stages that come after it. A stage whose records
belong in the case's history (the journal) registers a source here from its ``AppConfig.ready()``; the page merges
what the sources return with the field-level history of the case file, newest first.

A source is ``source(actor, case) -> list of entries``, each entry a dict as ``queries.history_entries`` makes them:
``record`` (with ``history_date``, ``history_user`` and ``instance``: when, who and what the line names), ``kind``,
``event`` (the sentence for the change) and ``changes`` (label, old, new). The source logs what it read itself.
"""

from __future__ import annotations

from collections.abc import Callable

_sources: dict[str, Callable] = {}


def register_history_source(name: str, source: Callable) -> None:
    """Add a source to the case's history. Registering a name again replaces it (ready() may run twice)."""
    _sources[name] = source


def history_sources() -> list[Callable]:
    return [_sources[name] for name in sorted(_sources)]
