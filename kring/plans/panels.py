"""What later stages add to the plan page and the plan PDF (the family's agreement, kring.family).

``plans`` comes before those stages and so may not name them, not even in its templates. Each registers a panel
here from its ``AppConfig.ready()``: a template per place ("page": the plan page, "document": the plan PDF, which
has one template per language: the template name is formatted with ``lang``) and a function that returns its
variables, or None when there is nothing to show. ``{% plan_panels %}`` (``plans/templatetags/plan_panels.py``)
renders them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PlanPanel:
    name: str
    order: int
    templates: dict  # place -> template name ("{lang}" filled in for documents)
    context: Callable  # (request or None, plan, place) -> dict of variables, or None for nothing to show


_panels: dict[str, PlanPanel] = {}


def register_plan_panel(name: str, order: int, templates: dict, context: Callable) -> None:
    """Offer a panel; registering a name again replaces it (ready() may run twice)."""
    _panels[name] = PlanPanel(name=name, order=order, templates=dict(templates), context=context)


def plan_panels(place: str) -> list[PlanPanel]:
    found = [panel for panel in _panels.values() if place in panel.templates]
    return sorted(found, key=lambda panel: (panel.order, panel.name))
