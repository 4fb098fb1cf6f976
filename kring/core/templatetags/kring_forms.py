"""What the shared form templates need to show a form's errors."""

from django import template

register = template.Library()


@register.filter
def top_errors(form):
    """The errors that belong to no visible field: the form's own and those of its hidden fields (the version),
    as Django's own form rendering words them."""
    return form.get_context()["errors"]
