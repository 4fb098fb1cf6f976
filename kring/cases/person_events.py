"""What later stages do when the case file records a person's relation to the central person.

The relation is typed at intake ("moeder", "oma (moederskant)", "broer"); the network stage draws the genogram
links it implies. ``cases`` comes before that stage and may not name it, so the stage registers a listener here
from its ``AppConfig.ready()``, and the case services call ``relations_recorded`` inside their transaction when
persons are added or a relation (or who is central) changes. A listener must not refuse the change: what it
cannot do it leaves undone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

RelationListener = Callable[[Any, Any, Sequence[Any]], None]  # (actor, case, persons added or changed)

_listeners: dict[str, RelationListener] = {}


def register_relation_listener(name: str, listener: RelationListener) -> None:
    """Act when relations are recorded. Registering a name again replaces it (ready() may run twice)."""
    _listeners[name] = listener


def relations_recorded(actor, case, persons: Sequence[Any]) -> None:
    """Tell the registered listeners that these persons were added or their relation changed."""
    for name in sorted(_listeners):
        _listeners[name](actor, case, persons)
