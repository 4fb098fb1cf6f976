"""What a browser would post back from a Django admin change page: the form and every inline, as shown."""

from django import forms


def _add_form(data, form):
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value


def change_page_data(response) -> dict:
    """The POST data of an admin add or change page as the server rendered it, ready to be altered."""
    data = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            _add_form(data, form)
    return data


def inline_prefix(response, model) -> str:
    """The form prefix of the inline that edits ``model`` on this page."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no inline for {model.__name__} on this page")


def add_inline_row(data, prefix, **fields) -> None:
    """Append one new row to an inline, as the 'add another' link does."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
