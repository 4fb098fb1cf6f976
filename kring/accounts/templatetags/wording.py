from django import template

from kring.accounts.wording import word

register = template.Library()


@register.simple_tag
def local_word(key, organisation, default=""):
    """{% local_word "case_worker" case.organisation default %}: the term as used in that jurisdiction."""
    return word(key, organisation.jurisdiction, default)
