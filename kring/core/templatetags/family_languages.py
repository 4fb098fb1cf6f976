"""Template filters for the family documents in several scripts (decision 273)."""

from django import template

from kring.core import languages

register = template.Library()


@register.filter
def text_dir(value) -> str:
    """The direction of typed text, for a block's ``dir`` attribute: ``<p dir="{{ text|text_dir }}">``."""
    return languages.text_direction(str(value or ""))
