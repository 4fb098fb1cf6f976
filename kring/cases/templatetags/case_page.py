"""``{% case_sections %}``: the sections later stages registered for the case page (``kring.cases.sections``)."""

from django import template
from django.utils.safestring import mark_safe

from kring.cases.sections import case_sections as registered_sections

register = template.Library()


@register.simple_tag(takes_context=True)
def case_sections(context, place="actions"):
    """Each registered section of ``place`` rendered in the page's own context, as ``{% include %}`` would (the
    context processors do not run again, so the sections cost no queries of their own beyond their context
    function)."""
    case = context["case"]
    request = context.get("request")
    engine = context.template.engine
    parts = []
    for section in registered_sections(place):
        extra = section.context(request, case) if section.context else {}
        with context.push(**extra):
            parts.append(engine.get_template(section.template).render(context).strip())
    # Every part is the output of a template, escaped as it rendered.
    return mark_safe("\n  ".join(parts))
