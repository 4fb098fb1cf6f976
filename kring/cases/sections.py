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
