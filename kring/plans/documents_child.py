"""The one-page plan for children (PDF, WeasyPrint), in words for their age (decision 264): under 8 written to be
read aloud by an adult, 8 to 11 in short sentences, 12 and over for a young person; simple pictures drawn in the
template itself (``plans/child_icon.html``: house, people, calendar, phone, star).

Like the other family documents (``documents.py``) its wording lives in one template per language,
``plans/document_child_<lang>.html``, each holding the three bands (Dutch, English, Arabic right to left, Turkish,
Polish); a language without its own file yet gets the Dutch one. A translation carries the not-checked notice as the
other documents do (``documents.script``). Its layout is a stylesheet beside this module (``document_child.css``),
so no template holds inline style. The page names the people of the plan by first name only, and no case number.

``child_export`` reads through ``queries.plan_view`` (which starts from the case's visibility query) and logs the
download as an export of the plan and of the persons the page names.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import select_template
from django.utils import timezone

from kring.audit.services import Action, log_access, person_access
from kring.cases import confidentiality
from kring.core.errors import NotFound

from . import core, queries
from .choices import AgreementStatus, PlanStatus
from .documents import day, doc_language, long_day, script
from .editing import plan_access
from .models import ChildWish

FALLBACK_LANGUAGE = "nl"
STYLESHEET = Path(__file__).with_name("document_child.css")
FILE_NAMES = {"nl": "plan-voor-kinderen", "en": "plan-for-children"}


def _current(agreements):
    return [a for a in agreements if a.status != AgreementStatus.STOPPED]


def child_export(actor, case_id, trajectory_id, child_id=None, band=None):
    """(plan view, child or None, band). With ``child_id`` the page is written for that child of the case (NotFound
    for anyone else, or an adult) in the band of their age; without, in the band asked for (8 to 11 by default).
    The plan, the child and the persons the page names are logged as exported."""
    view = queries.plan_view(actor, case_id, trajectory_id)
    if view.plan is None:
        raise NotFound()
    child = None
    if child_id not in (None, ""):
        try:
            child = view.case.persons.filter(pk=int(child_id)).first()
        except (TypeError, ValueError):
            child = None
        age = core.age_in_years(child.birth_date, timezone.localdate()) if child else None
        if child is None or (age is not None and age >= core.ADULT_AGE):
            raise NotFound()
        band = core.child_band(age)
    elif band not in core.CHILD_BANDS:
        band = core.child_band(None)
    named = {a.owner_person.pk: a.owner_person for a in _current(view.agreements) if a.owner_person_id}
    if child is not None:
        named[child.pk] = child
    accesses = [plan_access(view.plan)] + [person_access(p) for p in named.values()]
    log_access(actor, Action.EXPORT, accesses, detail=f"plan for children ({band})")
    return view, child, band


def _who(agreement) -> str:
    """Who does it, as a child calls them: the first name of a person of the family or network."""
    if agreement.owner_person_id:
        return agreement.owner_person.first_name
    return agreement.owner_professional


def child_context(view, child, band: str, lang: str) -> dict:
    plan = view.plan
    reviews = [r for r in view.reviews if r.held_on is None]
    wishes = list(ChildWish.objects.filter(plan=plan, child=child)) if child is not None else []
    return {
        **script(lang, "plans/child"),  # direction (Arabic right to left) and the not-checked notice (decision 272)
        "band": band,
        "read_aloud": band == "under_8",
        "organisation": view.case.organisation.name,
        "jurisdiction": view.case.organisation.jurisdiction,
        "today": day(timezone.localdate(), lang),
        "child_name": child.first_name if child is not None else "",
        "edition": plan.edition,
        "accepted": plan.status == PlanStatus.ACCEPTED,
        "agreements": [
            {"what": a.what, "who": _who(a), "often": a.frequency, "due": day(a.due_on, lang)}
            for a in _current(view.agreements)
        ],
        "emergency_name": plan.emergency_contact_name,
        # Decision 189: a confidential phone number does not travel on paper to someone it is kept from.
        "emergency_phone": confidentiality.safe_phone(view.case, plan.emergency_contact_phone, child),
        "next_review": long_day(reviews[0].planned_on, lang) if reviews else "",
        "wishes": [w.text for w in wishes],
    }


def child_html(view, child, band: str, lang: str = "nl") -> str:
    lang = doc_language(lang)
    template = select_template([f"plans/document_child_{lang}.html", f"plans/document_child_{FALLBACK_LANGUAGE}.html"])
    if not template.origin.name.endswith(f"_{lang}.html"):
        lang = FALLBACK_LANGUAGE
    return template.render(child_context(view, child, band, lang))


def child_pdf(view, child, band: str, lang: str = "nl") -> bytes:
    from weasyprint import CSS, HTML

    html = HTML(string=child_html(view, child, band, lang))
    return html.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
