"""``{% plan_panels plan "page" %}``: the panels later stages registered for the plan page or, with a language,
the plan PDF (``kring.plans.panels``)."""

from django import template
from django.utils.safestring import mark_safe

from kring.plans.panels import plan_panels as registered_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_panels(context, plan, place="page", lang="nl"):
    if plan is None:
        return ""
    request = context.get("request")
    engine = context.template.engine
    parts = []
    for panel in registered_panels(place):
        extra = panel.context(request, plan, place)
        if extra is None:
            continue
        with context.push(**extra):
            name = panel.templates[place]
            # A document in a language the panel has no template for reads the English one.
            found = engine.select_template([name.format(lang=lang), name.format(lang="en")])
            parts.append(found.render(context).strip())
    # Every part is the output of a template, escaped as it rendered.
    return mark_safe("\n".join(parts))
