"""Drawing a network as a standalone SVG document: genogram, eco-map or network circle.

``render_map(network, kind, options=RenderOptions(...))`` returns the SVG text; ``layout(network, kind)`` returns
member id -> centre position in map coordinates (the same numbers the ``translate(x,y)`` of each member carries).

Hooks for the browser script (kept stable on purpose):

- root ``<svg data-kind="genogram|ecomap|circle">`` with one ``<g class="viewport">`` holding the map, so screen
  points map to map coordinates with ``viewport.getScreenCTM().inverse()``;
- a person: ``<g class="member" data-id tabindex="0" role="button" aria-label transform="translate(x,y)">``;
- a relationship line: ``<g class="tie" data-kind data-a data-b>``;
- an eco-map system: ``<g class="system" data-id="{first tie id}" data-system="{name}">``;
- emotional lines in ``<g class="layer-emotional">`` (only when ``show_emotional``).

Label keys (``RenderOptions.labels``; English defaults in ``DEFAULT_LABELS``, callers pass translations):
legend, male, female, other, unknown_sex, central, deceased, pregnancy, miscarriage, stillbirth,
married, relationship, cohabiting, engaged, separated, divorced, widowed, biological, adoptive, foster, step,
guardian, twins, identical_twins, household, close, very_close, distant, conflict, hostile, cut_off,
physical_abuse, emotional_abuse, sexual_abuse, neglect, strong, tenuous, stressful, energy,
ring_1, ring_2, ring_3, practical, emotional, information, support_letter_practical,
support_letter_emotional, support_letter_information, unsafe, professional, informal, critical,
and one per domain: household, family, friends, school_work, neighbourhood_clubs, professional_domain.

This module draws the document; the maps and the legend are drawn by ``svg_genogram``, ``svg_ecomap``,
``svg_circle`` and ``svg_legend`` from the shared primitives in ``svg_drawing`` (options, symbols, lines).
"""

from __future__ import annotations

from datetime import date
from html import escape

from .circle import CircleLayout, layout_circle
from .ecomap import EcomapLayout, layout_ecomap
from .genogram import GenogramLayout, layout_genogram
from .graph import Network
from .svg_circle import draw_circle
from .svg_drawing import (
    DEFAULT_LABELS,
    INK,
    PARENT_DASH,
    PARTNER_DASH,
    RED,
    Bounds,
    RenderOptions,
    attr,
    num,
    symbol_svg,
)
from .svg_ecomap import draw_ecomap
from .svg_genogram import draw_genogram
from .svg_legend import LEGEND_ROW, LEGEND_WIDTH, legend_svg

__all__ = [
    "DEFAULT_LABELS",
    "DEFS",
    "INK",
    "KINDS",
    "LEGEND_ROW",
    "LEGEND_WIDTH",
    "MARGIN",
    "PAGES_MM",
    "PARENT_DASH",
    "PARTNER_DASH",
    "PX_PER_MM",
    "RED",
    "Bounds",
    "RenderOptions",
    "compute_layout",
    "layout",
    "render_map",
    "symbol_svg",
]

KINDS = ("genogram", "ecomap", "circle")

PAGES_MM = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}  # landscape
PX_PER_MM = 96 / 25.4
MARGIN = 30.0

DEFS = (
    "<defs>"
    f'<marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
    f'orient="auto-start-reverse"><path d="M0 0L10 5L0 10Z" fill="{RED}"/></marker>'
    f'<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
    f'orient="auto-start-reverse"><path d="M0 0L10 5L0 10Z" fill="{INK}"/></marker>'
    "</defs>"
)


# --- layouts ----------------------------------------------------------------------------------------------


def compute_layout(
    network: Network, kind: str, moment: date | None = None
) -> GenogramLayout | EcomapLayout | CircleLayout:
    if kind == "genogram":
        return layout_genogram(network, moment)
    if kind == "ecomap":
        return layout_ecomap(network, moment)
    if kind == "circle":
        return layout_circle(network, moment)
    raise ValueError(f"unknown map kind {kind!r}; expected one of {KINDS}")


def layout(network: Network, kind: str) -> dict[str, tuple[float, float]]:
    """Member id -> centre position in map coordinates."""
    return dict(compute_layout(network, kind).positions)


# --- the document -----------------------------------------------------------------------------------------


def render_map(network: Network, kind: str, *, options: RenderOptions | None = None) -> str:
    """A standalone SVG document of ``network`` drawn as ``kind`` ("genogram", "ecomap" or "circle")."""
    options = options or RenderOptions()
    net = network.at(options.moment)
    lay = compute_layout(net, kind, options.moment)
    if isinstance(lay, GenogramLayout):
        body, bounds = draw_genogram(net, lay, options)
    elif isinstance(lay, EcomapLayout):
        body, bounds = draw_ecomap(net, lay, options)
    else:
        body, bounds = draw_circle(net, lay, options)
    x0, y0, x1, y1 = bounds
    map_w, map_h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)

    head = ""
    title_h = 0.0
    if options.title or options.subtitle:
        title_h = 20.0
        if options.title:
            title_h += 22
            head += (
                f'<text class="title" x="{num(MARGIN)}" y="{num(MARGIN + 18)}" font-size="20" '
                f'font-weight="bold">{escape(options.title)}</text>'
            )
        if options.subtitle:
            head += (
                f'<text class="subtitle" x="{num(MARGIN)}" y="{num(MARGIN + title_h - 4)}" font-size="12" '
                f'fill="#555">{escape(options.subtitle)}</text>'
            )
            title_h += 16
    legend, legend_w, legend_h = ("", 0.0, 0.0)
    if options.legend:
        legend, legend_w, legend_h = legend_svg(kind, options, net)

    if options.page:
        if options.page not in PAGES_MM:
            raise ValueError(f"unknown page size {options.page!r}; expected A4 or A3")
        mm_w, mm_h = PAGES_MM[options.page]
        width, height = mm_w * PX_PER_MM, mm_h * PX_PER_MM
        area_x, area_y = MARGIN, MARGIN + title_h
        area_w = width - 2 * MARGIN - (legend_w + 20 if legend else 0)
        area_h = height - area_y - MARGIN
        legend_scale = min(1.0, area_h / legend_h) if legend else 1.0
        scale = min(area_w / map_w, area_h / map_h, 2.0)
        tx = area_x + (area_w - map_w * scale) / 2 - x0 * scale
        ty = area_y - y0 * scale
        viewport = f'<g class="viewport" transform="translate({num(tx)},{num(ty)}) scale({scale:.5f})">{body}</g>'
        legend_part = (
            (
                f'<g transform="translate({num(width - MARGIN - legend_w)},{num(area_y)}) '
                f'scale({legend_scale:.4f})">{legend}</g>'
            )
            if legend
            else ""
        )
        size_attrs = f'width="{num(mm_w)}mm" height="{num(mm_h)}mm"'
    else:
        width = MARGIN * 2 + map_w + (legend_w + 20 if legend else 0)
        height = MARGIN * 2 + title_h + max(map_h, legend_h)
        viewport = (
            f'<g class="viewport" transform="translate({num(MARGIN - x0)},{num(MARGIN + title_h - y0)})">{body}</g>'
        )
        legend_part = (
            f'<g transform="translate({num(MARGIN + map_w + 20)},{num(MARGIN + title_h)})">{legend}</g>'
            if legend
            else ""
        )
        size_attrs = f'width="{num(width)}" height="{num(height)}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" data-kind="{attr(kind)}" {size_attrs} '
        f'viewBox="0 0 {num(width)} {num(height)}" font-family="sans-serif" role="group" '
        f'aria-label="{attr(options.title or kind)}">'
        f'{DEFS}<rect class="background" width="{num(width)}" height="{num(height)}" fill="#fff"/>'
        f"{head}{viewport}{legend_part}</svg>\n"
    )
