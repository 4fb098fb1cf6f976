"""``{{ count|shown }}``: a count, or a dot where it was suppressed (None). The mark says nothing of the hidden
count's size: a cell hidden to protect another one may hold any number (issue 12)."""

from django import template

register = template.Library()


@register.filter
def shown(value):
    return HIDDEN if value is None else value


HIDDEN = "·"
