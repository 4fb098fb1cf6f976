from django.forms.renderers import TemplatesSetting


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


def submit_versioned(request, form_class, instance, save, reload, **form_kwargs):
    """The edit-a-versioned-record dance of a page: bind the form, call ``save(form)`` (a service) on a valid post,
    and on a stale edit show the other person's record again with this person's input and the new version, so
    nothing is lost. Returns (saved, form, stale): ``stale`` is the StaleEdit to show (answer 409), else None."""
    from django.core.exceptions import ValidationError

    from .errors import StaleEdit

    form = form_class(request.POST if request.method == "POST" else None, instance=instance, **form_kwargs)
    if request.method != "POST" or not form.is_valid():
        return False, form, None
    try:
        save(form)
    except StaleEdit as error:
        fresh = reload()
        data = request.POST.copy()
        data["version"] = fresh.version
        return False, form_class(data, instance=fresh, **form_kwargs), error
    except ValidationError as error:
        apply_service_errors(form, error)
        return False, form, None
    return True, form, None
