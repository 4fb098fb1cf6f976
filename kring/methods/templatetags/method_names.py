"""``{{ code|method_name }}``: a method's name in the current language, from its definition file."""

from django import template
from django.utils.translation import get_language

from kring.methods.catalogue import catalogue

register = template.Library()


@register.filter
def method_name(code):
    definition = catalogue().get(code or "")
    if definition is None:
        return code or ""
    return definition.name.en if (get_language() or "nl").startswith("en") else definition.name.nl
