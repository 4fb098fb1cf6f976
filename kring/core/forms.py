from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

from .errors import StaleEdit


class KringFormRenderer(TemplatesSetting):
    """Every form field gets its label, help and errors beside it, linked for screen readers."""

    form_template_name = "kring/forms/div.html"
    field_template_name = "kring/forms/field.html"


def apply_service_errors(form, error):
    """Put a service's ValidationError next to the fields it names; what names no field of the form (or has no
    field at all) goes to the top of the form."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def submit_versioned(request, form_class, instance, save, reload, **form_kwargs) -> "VersionedSave":
    """The edit-a-versioned-record dance of a page: bind the form, call ``save(form)`` (a service) on a valid post,
    and on a stale edit show the other person's record again with this person's input and the new version, so
    nothing is lost. Returns the ``VersionedSave``."""
    form = form_class(request.POST if request.method == "POST" else None, instance=instance, **form_kwargs)

    def refill():
        fresh = reload()
        return form_class(at_version(request.POST, fresh.version), instance=fresh, **form_kwargs)

    return save_versioned(request, form, save, refill)


@dataclass
class VersionedSave:
    """What ``save_versioned`` did: ``saved``; the ``form`` to show again; ``stale``, the StaleEdit to explain."""

    saved: bool
    form: object
    stale: object = None

    @property
    def status(self) -> int:
        """The answer for the page shown again: 409 after a stale edit, else 200."""
        return 409 if self.stale else 200


def save_versioned(request, form, save, refill) -> VersionedSave:
    """The one save of a versioned record on a page, for any form: on a valid POST call ``save(form)`` (a service).

    A service's ``ValidationError`` goes beside the fields. On a ``StaleEdit`` ``refill()`` builds the form shown
    instead: the other person's record with this person's input and the new version (``at_version`` helps), so
    nothing typed is lost and the next save compares with what is stored now.
    """
    if request.method != "POST" or not form.is_valid():
        return VersionedSave(False, form)
    try:
        save(form)
    except StaleEdit as error:
        return VersionedSave(False, refill(), error)
    except ValidationError as error:
        apply_service_errors(form, error)
        return VersionedSave(False, form)
    return VersionedSave(True, form)


def at_version(data, version, field: str = "version"):
    """A copy of the posted data with the version it now starts from."""
    data = data.copy()
    data[field] = version
    return data
