"""A notification's title and text in the active language, from its kind and parameters (nothing stored
translated)."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .kinds import KINDS

DATE_PARAMS = ("date",)


def render(notification) -> tuple[str, str]:
    """(title, text) of one notification, in the active language; dates in the language's format."""
    kind = KINDS.get(notification.kind)
    if kind is None:  # a kind that was removed since: say so without showing its code
        return _("Notification"), ""
    values = dict(notification.params or {})
    for name in DATE_PARAMS:
        if isinstance(values.get(name), str):
            try:
                values[name] = date_format(date.fromisoformat(values[name]), "j F Y")
            except ValueError:
                pass
    try:
        text = str(kind.text) % values
    except (KeyError, TypeError, ValueError):
        text = ""
    return str(kind.title), text
