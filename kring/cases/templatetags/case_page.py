"""``{% case_sections %}``: the sections later stages registered for the case page (``kring.cases.sections``)."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from kring.cases.sections import case_banners as registered_banners
from kring.cases.sections import case_sections as registered_sections
from kring.cases.sections import person_marks as registered_marks

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


@register.simple_tag(takes_context=True)
def case_banners(context, place=""):
    """The registered banners for the top of the case page (the page's ``case``), the caseload (no case) or a
    meeting's pages (``place="meeting"``)."""
    case = context.get("case")
    request = context.get("request")
    engine = context.template.engine
    parts = []
    for banner in registered_banners(place or ("case" if case is not None else "caseload")):
        extra = banner.context(request, case)
        if extra is None:
            continue
        with context.push(**extra):
            parts.append(engine.get_template(banner.template).render(context).strip())
    return mark_safe("\n".join(parts))


@register.simple_tag(takes_context=True)
def person_marks(context, person):
    """The marks later stages registered beside ``person`` (e.g. "marked unsafe on the network map"), as badges;
    worked out once per page for all persons of the page's case."""
    marks = context.render_context.get("kring_person_marks")
    if marks is None:
        marks = registered_marks(context["case"], context.get("persons"))
        context.render_context["kring_person_marks"] = marks
    return format_html_join(
        " ", '<span class="badge acute">{}</span>', ((words,) for words in marks.get(person.pk, ()))
    )
