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
