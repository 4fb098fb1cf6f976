"""The plan's documents (PDF, WeasyPrint): the plan for the family, one page per network member with their own
agreements, and the bottom lines for the information part of the meeting.

Like the meeting letters (decision 36), a document for a family is read as a whole, so its wording lives in one
template per language (``plans/document_<kind>_<lang>.html``) in plain language; the names of plan types used
in the documents are kept here, and a test keeps them equal to the choices. A document holds no more than its
reader needs: no case number, the member's page only their own agreements, and notes of the private family time
only when the family chose to keep them.

The loaders below read through ``queries.plan_view`` (which starts from the case's visibility query) and log the
download as an export of the plan and of the persons the document names.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.audit.services import Action, log_access, person_access
from kring.cases import confidentiality
from kring.core import languages as document_languages
from kring.core.errors import NotFound
from kring.meetings.services import confirm_despite_no_contact
from kring.methods.catalogue import catalogue
from kring.network import unsafe

from . import queries
from .choices import AgreementStatus, BottomLineKind, PlanStatus
from .editing import agreement_access, bottom_line_access, plan_access

# Decision 270: every language Kring writes family documents in (kring.core.languages).
DOC_LANGUAGES = tuple(language.code for language in document_languages.DOCUMENT_LANGUAGES)

PLAN_TYPE_WORDS = {
    "nl": {
        "family_group_plan": "familiegroepsplan",
        "safety_plan": "veiligheidsplan",
        "restoration_plan": "herstelplan",
        "future_plan": "toekomstplan",
        "round_table_agreements": "afspraken van de rondetafel",
        "action_plan": "actieplan",
        "care_plan": "zorgplan",
    },
    "en": {
        "family_group_plan": "family group plan",
        "safety_plan": "safety plan",
        "restoration_plan": "restoration plan",
        "future_plan": "future plan",
        "round_table_agreements": "round-table agreements",
        "action_plan": "action plan",
        "care_plan": "care plan",
    },
    "ar": {
        "family_group_plan": "خطة مجموعة العائلة",
        "safety_plan": "خطة الأمان",
        "restoration_plan": "خطة إصلاح الضرر",
        "future_plan": "خطة المستقبل",
        "round_table_agreements": "اتفاقات الطاولة المستديرة",
        "action_plan": "خطة العمل",
        "care_plan": "خطة الرعاية",
    },
    "tr": {
        "family_group_plan": "aile grup planı",
        "safety_plan": "güvenlik planı",
        "restoration_plan": "onarım planı",
        "future_plan": "gelecek planı",
        "round_table_agreements": "yuvarlak masa anlaşmaları",
        "action_plan": "eylem planı",
        "care_plan": "bakım planı",
    },
    "pl": {
        "family_group_plan": "plan grupy rodzinnej",
        "safety_plan": "plan bezpieczeństwa",
        "restoration_plan": "plan naprawczy",
        "future_plan": "plan na przyszłość",
        "round_table_agreements": "ustalenia okrągłego stołu",
        "action_plan": "plan działania",
        "care_plan": "plan opieki",
    },
}

# The template of each document, per language.
TEMPLATES = {
    kind: {lang: f"plans/document_{kind}_{lang}.html" for lang in DOC_LANGUAGES}
    for kind in ("plan", "member", "bottom_lines")
}


def doc_language(value, person=None) -> str:
    """The document's language: the one asked for, else the person's own language of letters and plans (for a
    document to one person), else Dutch (an unknown value counts as not asked)."""
    if value in DOC_LANGUAGES:
        return value
    return document_languages.resolve(getattr(person, "document_language", ""))


def day(value: datetime.date | None, lang: str) -> str:
    """A date as people write it: "12 maart 2026", "12 March 2026", "12 marca 2026 r." (kring.core.languages)."""
    return document_languages.day(value, lang)


def long_day(value: datetime.date | None, lang: str) -> str:
    return document_languages.long_day(value, lang)


def script(lang: str, document: str) -> dict:
    """What every document's frame needs for its language: direction (Arabic right to left) and the notice of a
    translation no qualified translator has checked yet (decision 272)."""
    return {
        "lang": lang,
        "dir": document_languages.direction(lang),
        "unchecked": document_languages.unchecked_notice(lang, document),
    }


def plan_type_name(plan_type: str, lang: str) -> str:
    return PLAN_TYPE_WORDS[lang].get(plan_type, plan_type.replace("_", " "))


# ---- reading, with the export in the access log ------------------------------------------------------------


def _current(agreements):
    """The agreements the plan holds now: stopped ones are left out."""
    return [a for a in agreements if a.status != AgreementStatus.STOPPED]


def _named_persons(agreements):
    persons = {}
    for agreement in agreements:
        for person in (agreement.owner_person, agreement.backup_person, agreement.checker_person):
            if person is not None:
                persons[person.pk] = person
    return list(persons.values())


def plan_export(actor, case_id, trajectory_id):
    """The plan view for the family's document; the plan and every person it names are logged as exported."""
    view = queries.plan_view(actor, case_id, trajectory_id)
    if view.plan is None:
        raise NotFound()
    accesses = [plan_access(view.plan)]
    accesses += [person_access(p) for p in _named_persons(_current(view.agreements))]
    log_access(actor, Action.EXPORT, accesses, detail="plan document")
    return view


def member_export(actor, case_id, trajectory_id, person_id, unsafe_reason=""):
    """(plan view, person, their own agreements) for one network member's page. A person of another case is not
    found; a person marked unsafe on the network map gets this letter only with ``unsafe_reason`` (else a
    ValidationError; the reason goes into the access log). The plan, the person and their agreements are logged
    as exported."""
    view = queries.plan_view(actor, case_id, trajectory_id)
    if view.plan is None:
        raise NotFound()
    person = view.case.persons.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    reason = unsafe.require_reason(
        [person.full_name] if unsafe.unsafe_ids([person.pk]) else [],
        unsafe_reason,
        "unsafe_reason",
        _("%(name)s is marked unsafe on the network map. Say why they get this letter nonetheless."),
    )
    own = [a for a in _current(view.agreements) if person.pk in (a.owner_person_id, a.backup_person_id)]
    # Decision 201: the letter to a person kept from someone it names (on their agreements, or the child the plan
    # is about) is made only with a reason, recorded in the case journal for the team.
    shown = {p.pk for p in view.case.persons.all() if p.is_central} | {p.pk for p in _named_persons(own)}
    protected = confidentiality.kept_from_among(view.case, person, shown)
    warning = _(
        "%(recipient)s has a no contact mark with %(names)s, whom this letter names. Say why they get this letter "
        "nonetheless."
    ) % {"recipient": person.full_name, "names": ", ".join(p.full_name for p in protected)}
    kept = confirm_despite_no_contact(
        actor,
        view.case,
        person,
        protected,
        _("The letter with the agreements"),
        unsafe_reason,
        "unsafe_reason",
        warning,
    )
    accesses = [plan_access(view.plan), person_access(person)]
    accesses += [agreement_access(a) for a in own]
    detail = f"member document despite the network map: {reason}" if reason else "member document"
    if kept:
        detail = f"member document despite a no contact mark: {kept}"
    log_access(actor, Action.EXPORT, accesses, detail=detail[:300])
    return view, person, own


def bottom_lines_export(actor, case_id, trajectory_id):
    """The plan view for the bottom lines document (there may be no plan yet); the bottom lines in force (and the
    plan, if there is one) are logged as exported."""
    view = queries.plan_view(actor, case_id, trajectory_id)
    accesses = [bottom_line_access(line) for line in view.lines_in_force]
    if view.plan is not None:
        accesses.append(plan_access(view.plan))
    if accesses:
        log_access(actor, Action.EXPORT, accesses, detail="bottom lines document")
    return view


# ---- what the templates show -------------------------------------------------------------------------------


@dataclass
class PersonGroup:
    """The agreements one person (or professional) carries out."""

    name: str
    professional: bool
    agreements: list = field(default_factory=list)


def _agreement(agreement, lang: str) -> dict:
    return {
        "id": agreement.pk,
        "what": agreement.what,
        "owner": agreement.owner,
        "starts": day(agreement.starts_on, lang),
        "ends": day(agreement.ends_on, lang),
        "due": day(agreement.due_on, lang),
        "frequency": agreement.frequency,
        "backup": str(agreement.backup_person or ""),
        "checker": agreement.checker,
        "is_safety": agreement.is_safety,
    }


def agreements_per_person(agreements, lang: str) -> list[PersonGroup]:
    """The agreements grouped by who carries them out, in the order the plan first names each person."""
    groups: dict[object, PersonGroup] = {}
    for agreement in _current(agreements):
        if agreement.owner_person_id:
            key, name, professional = ("p", agreement.owner_person_id), str(agreement.owner_person), False
        else:
            name = agreement.owner_professional.strip()
            key, professional = ("x", name.casefold()), True
        group = groups.setdefault(key, PersonGroup(name=name, professional=professional))
        group.agreements.append(_agreement(agreement, lang))
    return list(groups.values())


def _bottom_line(line) -> dict:
    return {
        "text": line.text,
        "reason": line.reason,
        "legal_basis": line.legal_basis,
        "non_negotiable": line.kind == BottomLineKind.NON_NEGOTIABLE,
    }


def _review_name(review, names: dict, lang: str) -> str:
    """The method's name of a planned review in the document's language; an extra review keeps its own name."""
    text = names.get(review.code)
    if text is None:
        return review.name
    return getattr(text, lang, None) or review.name


def open_reviews(view, lang: str) -> list[dict]:
    """The evaluation dates still to come, with the method's name for each in the document's language."""
    definition = catalogue().get(view.trajectory.method_code)
    names = {r.code: r.name for r in definition.reviews} if definition else {}
    return [
        {"name": _review_name(r, names, lang), "date": long_day(r.planned_on, lang)}
        for r in view.reviews
        if r.held_on is None
    ]


def _accepted_decision(view):
    """The decision that accepted the plan's current version, if it is accepted."""
    plan = view.plan
    if plan.status != PlanStatus.ACCEPTED:
        return None
    return next((d for d in view.decisions if d.outcome == "accepted" and d.edition == plan.edition), None)


def _common(view, lang: str) -> dict:
    plan = view.plan
    return {
        "lang": lang,
        "organisation": view.case.organisation.name,
        "family_name": view.case.family_name,
        "today": day(timezone.localdate(), lang),
        "plan": plan,
        "plan_type": plan_type_name(_plan_type_of(view), lang),
        "edition": plan.edition if plan else None,
        "reviews": open_reviews(view, lang) if plan else [],
    }


def plan_context(view, lang: str) -> dict:
    plan = view.plan
    decision = _accepted_decision(view)
    context = _common(view, lang)
    context.update(
        {
            "groups": agreements_per_person(view.agreements, lang),
            "bottom_lines": [_bottom_line(line) for line in view.lines_in_force],
            "accepted": decision is not None,
            "accepted_on": day(plan.accepted_on, lang) if decision else "",
            "accepted_by": str(decision.decided_by) if decision else "",
            "presented_on": day(plan.presented_on, lang),
            "deliberation": plan.deliberation_notes.strip() if plan.deliberation_kept else "",
            "deliberation_chosen_by": plan.deliberation_chosen_by if plan.deliberation_kept else "",
        }
    )
    return context


def member_context(view, person, agreements, lang: str) -> dict:
    context = _common(view, lang)
    own = [_agreement(a, lang) for a in agreements if a.owner_person_id == person.pk]
    backup = [_agreement(a, lang) for a in agreements if a.backup_person_id == person.pk]
    context.update(
        {"person": person.full_name, "own": own, "backup": backup, "accepted": view.plan.status == PlanStatus.ACCEPTED}
    )
    return context


def bottom_lines_context(view, lang: str) -> dict:
    context = _common(view, lang)
    lines = view.lines_in_force
    setters = list(dict.fromkeys(str(line.set_by) for line in lines))
    context.update(
        {
            "bottom_lines": [_bottom_line(line) for line in lines],
            "set_by": setters,
        }
    )
    return context


def _plan_type_of(view) -> str:
    if view.plan is not None:
        return view.plan.plan_type
    definition = catalogue().get(view.trajectory.method_code)
    return definition.plan_type if definition else "family_group_plan"


# ---- rendering ---------------------------------------------------------------------------------------------


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def plan_html(view, lang: str = "nl") -> str:
    lang = doc_language(lang)
    context = plan_context(view, lang) | script(lang, "plans/plan")
    return render_to_string(TEMPLATES["plan"][lang], context)


def member_html(view, person, agreements, lang: str = "nl") -> str:
    lang = doc_language(lang)
    context = member_context(view, person, agreements, lang) | script(lang, "plans/member")
    return render_to_string(TEMPLATES["member"][lang], context)


def bottom_lines_html(view, lang: str = "nl") -> str:
    lang = doc_language(lang)
    context = bottom_lines_context(view, lang) | script(lang, "plans/bottom_lines")
    return render_to_string(TEMPLATES["bottom_lines"][lang], context)


def plan_pdf(view, lang: str = "nl") -> bytes:
    return _pdf(plan_html(view, lang))


def member_pdf(view, person, agreements, lang: str = "nl") -> bytes:
    return _pdf(member_html(view, person, agreements, lang))


def bottom_lines_pdf(view, lang: str = "nl") -> bytes:
    return _pdf(bottom_lines_html(view, lang))
