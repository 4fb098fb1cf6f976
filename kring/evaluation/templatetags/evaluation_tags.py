"""``{{ count|shown }}``: a count, or "<5" where it was suppressed (None)."""
from django import template

register = template.Library()


@register.filter
def shown(value):
    return "<5" if value is None else value
