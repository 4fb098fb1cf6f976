"""Errors that services raise and views translate into messages."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class NotFound(Http404):
    """The record does not exist or the user may not know that it exists.

    An ``Http404``, so a page view lets it pass and Django answers with the same 404 as for a missing record;
    the API's exception handler answers it in JSON. No view translates it by hand.
    """


class StaleEdit(Exception):
    """Someone else saved the record after the form was opened; the save is refused.

    ``changes`` lists (field label, value the form started from, current value, who changed it).
    """

    def __init__(self, changes):
        self.changes = changes
        super().__init__(str(_("This record was changed by someone else after you opened it.")))


def form_version(value) -> int | None:
    """The version a form or request started from, as a number; a damaged value is bad input, not a crash."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"version": [_("The form was damaged; open it again.")]}) from None


__all__ = ["NotFound", "StaleEdit", "ValidationError", "form_version"]
