"""The author of a change in django-simple-history's tables."""

from typing import Any


def set_history_user(record: Any, user: Any) -> None:
    """Name the user that simple_history records as the author of the version ``record.save()`` writes next.

    simple_history reads this attribute it documents for the purpose; it is set here, in one place, because the
    models do not declare it to the type checker."""
    record._history_user = user
