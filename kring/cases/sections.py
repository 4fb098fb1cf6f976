"""The sections of the case page that later stages offer.

The case page belongs to ``cases``, which comes before the stages that add to a case (network, trajectories,
meetings, plans, measures) and so may not name them, not even in its template. Each stage registers its own section
here from its ``AppConfig.ready()``; the page renders what is registered, by order (``{% case_sections %}`` of
``cases/templatetags/case_page.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseSection:
    name: str
    order: int  # place on the page, lowest first
    template: str  # rendered with the case page's context (``case``, ``request``) and the extra variables below
    context: Callable[[object, object], dict] | None = None  # (request, case) -> extra template variables
    place: str = "actions"  # "actions": a button in the row under the title; "status": a card under that row


_sections: dict[str, CaseSection] = {}


def register_section(
    name: str, order: int, template: str, context: Callable | None = None, place: str = "actions"
) -> None:
    """Offer a section of the case page. Registering a name again replaces the section (ready() may run twice)."""
    _sections[name] = CaseSection(name=name, order=order, template=template, context=context, place=place)


def case_sections(place: str = "actions") -> list[CaseSection]:
    """The registered sections of one place of the page, in the order the page shows them."""
    found = [section for section in _sections.values() if section.place == place]
    return sorted(found, key=lambda section: (section.order, section.name))


# ---- banners -----------------------------------------------------------------------------------------------


BANNER_PLACES = ("case", "caseload", "meeting")


@dataclass(frozen=True)
class Banner:
    """Something a later stage must make unmissable on the case page and the caseload (a safety alert)."""

    name: str
    template: str
    context: Callable[[object, object], dict | None]  # (request, case, or None on the caseload) -> variables or None
    places: tuple[str, ...] = BANNER_PLACES


_banners: dict[str, Banner] = {}


def register_banner(name: str, template: str, context: Callable, places: tuple[str, ...] = BANNER_PLACES) -> None:
    """Offer a banner for the top of the case page, the caseload and a meeting's pages (``places``: where it is
    wanted; each place has its page's query budget); ``context`` returns None when there is nothing to show (then
    nothing is rendered). Registering a name again replaces the banner."""
    _banners[name] = Banner(name=name, template=template, context=context, places=tuple(places))


def case_banners(place: str = "case") -> list[Banner]:
    return sorted((b for b in _banners.values() if place in b.places), key=lambda banner: banner.name)


# ---- marks beside a person ---------------------------------------------------------------------------------


_person_marks: dict[str, Callable[[object], dict]] = {}


def register_person_marks(name: str, marks: Callable) -> None:
    """Offer marks beside the persons of the case page's person table: ``marks(case, persons)`` returns person id
    -> the words of the mark, read once per page; ``persons`` are the persons the page read already (or None)."""
    _person_marks[name] = marks


def person_marks(case, persons=None) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for name in sorted(_person_marks):
        for person_id, words in _person_marks[name](case, persons).items():
            found.setdefault(person_id, []).append(str(words))
    return found
