"""The record-generic steps of a versioned change, for any model with a ``version`` and a ``history``.

They know nothing of cases: ``kring.cases.editing`` builds the case editing API on them, and an app that changes
records outside a case (an organisation's method offer) uses them directly.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .errors import StaleEdit, form_version


def refuse_if_stale(record, expected_version, fields, display):
    """Compare the form's starting version with the stored one; explain what changed in between.

    ``display(field, value)`` turns a stored value into what people read in the explanation.
    """
    expected_version = form_version(expected_version)
    if expected_version is None or expected_version == record.version:
        return
    changes = []
    base = record.history.filter(version=expected_version).order_by("-history_date").first()
    latest = record.history.order_by("-history_date").select_related("history_user").first()
    who = str(latest.history_user) if latest and latest.history_user else _("someone else")
    for name in fields:
        field = record._meta.get_field(name)
        old = getattr(base, field.attname) if base else None
        new = getattr(record, field.attname)
        if old != new:
            changes.append((field.verbose_name, display(field, old), display(field, new), who))
    raise StaleEdit(changes)


def validate(record, exclude=None):
    """The model's own validation; its errors per field, as the form shows them beside the fields."""
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
