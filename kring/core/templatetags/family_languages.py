"""Template filters for the family documents in several scripts (decision 273)."""

from django import template
from django.utils import translation

from kring.core import languages

register = template.Library()


@register.filter
def text_dir(value) -> str:
    """The direction of typed text, for a block's ``dir`` attribute: ``<p dir="{{ text|text_dir }}">``."""
    return languages.text_direction(str(value or ""))


@register.simple_tag
def unchecked_notice(document: str) -> list[tuple[str, str, str]]:
    """The notice of a translation no qualified translator has checked, for ``document`` in the language the page
    speaks now: [(language, direction, text)], in that language and in Dutch; empty for Dutch and English."""
    code = (translation.get_language() or "nl").split("-")[0]
    return languages.unchecked_notice(code, document) if code in languages.BY_CODE else []


@register.simple_tag
def document_languages() -> list[tuple[str, str]]:
    """(code, the language's own name) of every language Kring writes family documents in."""
    return languages.choices()


@register.filter
def document_day(value, code: str) -> str:
    """A date or moment as the document's language writes it (``languages.day``), in the installation's time zone."""
    from django.utils import timezone

    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return languages.day(value, languages.resolve(code))
