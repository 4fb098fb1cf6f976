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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from html import escape
from typing import Any

from .circle import CircleLayout, layout_circle
from .ecomap import SYSTEM_RADIUS, EcomapLayout, layout_ecomap
from .genogram import LABEL_FONT, LABEL_LINE, LABEL_TOP, SYMBOL, GenogramLayout, layout_genogram
from .graph import DOMAINS, Member, Network

KINDS = ("genogram", "ecomap", "circle")

Bounds = tuple[float, float, float, float]  # x0, y0, x1, y1 of what was drawn

DEFAULT_LABELS: dict[str, str] = {
    "legend": "Legend",
    "male": "Male",
    "female": "Female",
    "other": "Other / non-binary",
    "unknown_sex": "Sex unknown",
    "central": "Central person",
    "deceased": "Deceased",
    "pregnancy": "Pregnancy",
    "miscarriage": "Miscarriage",
    "stillbirth": "Stillbirth",
    "married": "Married",
    "relationship": "Relationship",
    "cohabiting": "Living together",
    "engaged": "Engaged",
    "separated": "Separated",
    "divorced": "Divorced",
    "widowed": "Widowed",
    "biological": "Biological child",
    "adoptive": "Adopted child",
    "foster": "Foster child",
    "step": "Stepchild",
    "guardian": "Guardianship",
    "twins": "Twins",
    "identical_twins": "Identical twins",
    "household": "Household",
    "close": "Close",
    "very_close": "Very close",
    "distant": "Distant",
    "conflict": "Conflict",
    "hostile": "Hostile",
    "cut_off": "Cut off",
    "physical_abuse": "Physical abuse",
    "emotional_abuse": "Emotional abuse",
    "sexual_abuse": "Sexual abuse",
    "neglect": "Neglect",
    "strong": "Strong",
    "tenuous": "Tenuous",
    "stressful": "Stressful",
    "energy": "Flow of energy",
    "ring_1": "Very close",
    "ring_2": "Close",
    "ring_3": "Further away",
    "practical": "Practical support",
    "emotional": "Emotional support",
    "information": "Information / advice",
    "support_letter_practical": "P",
    "support_letter_emotional": "E",
    "support_letter_information": "I",
    "unsafe": "Unsafe",
    "professional": "Professional",
    "informal": "Informal",
    "critical": "Critical",
    "family": "Family",
    "friends": "Friends",
    "school_work": "School / work",
    "neighbourhood_clubs": "Neighbourhood / clubs",
    "professional_domain": "Professionals",
}

PAGES_MM = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}  # landscape
PX_PER_MM = 96 / 25.4
INK = "#222"
RED = "#c0392b"
LEGEND_WIDTH = 250.0
LEGEND_ROW = 20.0
MARGIN = 30.0

# Dash patterns that tell parent-link kinds apart.
PARENT_DASH = {"biological": None, "adoptive": "7 4", "foster": "2 3", "step": "9 3 2 3", "guardian": "12 3 2 3 2 3"}
PARTNER_DASH = {"relationship": "7 4", "cohabiting": "7 4", "engaged": "2 3"}


@dataclass
class RenderOptions:
    death_mark: str = "cross"  # "cross" (genogram X) or "slash" (pedigree)
    show_emotional: bool = True
    moment: date | None = None
    title: str = ""
    subtitle: str = ""
    legend: bool = True
    labels: dict[str, str] = field(default_factory=dict)
    page: str | None = None  # None, "A4" or "A3" (landscape, for print/PDF)

    def word(self, key: str) -> str:
        return self.labels.get(key) or DEFAULT_LABELS.get(key, key)


def _dash(pattern: str | None) -> str:
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if abs(v) < 1e9 else "0"


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


# --- symbols ----------------------------------------------------------------------------------------------


def _shape(sex: str, size: float, attrs: str) -> str:
    h = size / 2
    if sex == "male":
        return f'<rect x="{_f(-h)}" y="{_f(-h)}" width="{_f(size)}" height="{_f(size)}" {attrs}/>'
    if sex == "female":
        return f'<circle r="{_f(h)}" {attrs}/>'
    if sex == "other":
        return f'<path d="M0 {_f(-h)}L{_f(h)} 0L0 {_f(h)}L{_f(-h)} 0Z" {attrs}/>'
    # Unknown sex: a square with a question mark (GenoPro's genogram convention).
    return (
        f'<rect x="{_f(-h)}" y="{_f(-h)}" width="{_f(size)}" height="{_f(size)}" {attrs}/>'
        f'<text y="{_f(h * 0.35)}" text-anchor="middle" font-size="{_f(size * 0.55)}">?</text>'
    )


def _death_mark(size: float, style: str) -> str:
    h = size / 2 + 4
    if style == "slash":
        return f'<path class="death" d="M{_f(-h)} {_f(h)}L{_f(h)} {_f(-h)}" stroke="{INK}" stroke-width="1.6"/>'
    return (
        f'<path class="death" d="M{_f(-h)} {_f(-h)}L{_f(h)} {_f(h)}M{_f(-h)} {_f(h)}L{_f(h)} {_f(-h)}" '
        f'stroke="{INK}" stroke-width="1.6"/>'
    )


def symbol_svg(
    member: Member, size: float, options: RenderOptions, *, fill: str = "#fff", stroke: str = INK, dashed: bool = False
) -> str:
    """The McGoldrick/Gerson symbol of one member, centred on (0, 0)."""
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    attrs = f'fill="{fill}" stroke="{stroke}" stroke-width="1.6"{dash}'
    parts = []
    dead = member.deceased or (
        member.death_date is not None and (options.moment is None or member.death_date <= options.moment)
    )
    if member.kind == "pregnancy":
        h = size / 2
        parts.append(f'<path d="M0 {_f(-h)}L{_f(h)} {_f(h * 0.8)}L{_f(-h)} {_f(h * 0.8)}Z" {attrs}/>')
    elif member.kind == "miscarriage":
        parts.append(f'<circle r="{_f(size / 6)}" fill="{stroke}" stroke="{stroke}"/>')
    elif member.kind == "stillbirth":
        small = size * 0.55
        parts.append(_shape(member.sex, small, attrs))
        parts.append(_death_mark(small, "cross"))
    else:
        if member.central:
            parts.append(
                _shape(
                    member.sex if member.sex != "unknown" else "male",
                    size + 8,
                    f'fill="none" stroke="{stroke}" stroke-width="1.6"',
                )
            )
        parts.append(_shape(member.sex, size, attrs))
        if dead:
            parts.append(_death_mark(size, options.death_mark))
    return "".join(parts)


def _label_svg(lines: list[str], top: float, font: float = LABEL_FONT, line: float = LABEL_LINE) -> str:
    # A white halo behind the text keeps it readable where a line runs underneath. The halo is a copy of the
    # text drawn first, rather than paint-order, which PDF and PNG converters such as cairosvg ignore.
    out = []
    for n, text in enumerate(lines):
        weight = ' font-weight="bold"' if n == 0 else ""
        common = f'y="{_f(top + font + n * line - 2)}" text-anchor="middle" font-size="{_f(font)}"{weight}'
        out.append(
            f'<text class="label-halo" {common} fill="#fff" stroke="#fff" stroke-width="3" '
            f'aria-hidden="true">{escape(text)}</text>'
            f'<text class="label" {common} fill="#000">{escape(text)}</text>'
        )
    return "".join(out)


def _member_group(member: Member, x: float, y: float, inner: str, extra_class: str = "") -> str:
    cls = "member" + (f" {extra_class}" if extra_class else "")
    return (
        f'<g class="{cls}" data-id="{_a(member.id)}" tabindex="0" role="button" aria-label="{_a(member.name)}" '
        f'transform="translate({_f(x)},{_f(y)})"><title>{escape(member.name)}</title>{inner}</g>'
    )


# --- line helpers -----------------------------------------------------------------------------------------


def _line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    dash: str | None = None,
    width: float = 1.5,
    color: str = INK,
    extra: str = "",
) -> str:
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" stroke="{color}" '
        f'stroke-width="{_f(width)}"{d}{extra}/>'
    )


def _unit(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float, float]:
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    return dx / length, dy / length, length


def _shorten(x1: float, y1: float, x2: float, y2: float, r1: float, r2: float) -> tuple[float, float, float, float]:
    ux, uy, length = _unit(x1, y1, x2, y2)
    if length <= r1 + r2:
        return x1, y1, x2, y2
    return x1 + ux * r1, y1 + uy * r1, x2 - ux * r2, y2 - uy * r2


def _parallel(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    count: int,
    gap: float,
    color: str = INK,
    width: float = 1.3,
    dash: str | None = None,
) -> str:
    ux, uy, _ = _unit(x1, y1, x2, y2)
    nx, ny = -uy, ux
    out = []
    for k in range(count):
        o = (k - (count - 1) / 2) * gap
        out.append(_line(x1 + nx * o, y1 + ny * o, x2 + nx * o, y2 + ny * o, dash, width, color))
    return "".join(out)


def _zigzag(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    amplitude: float = 5.0,
    step: float = 8.0,
    color: str = INK,
    width: float = 1.4,
    extra: str = "",
) -> str:
    ux, uy, length = _unit(x1, y1, x2, y2)
    nx, ny = -uy, ux
    n = max(int(length // step), 2)
    pts = [f"{_f(x1)} {_f(y1)}"]
    for k in range(1, n):
        t = k * length / n
        s = amplitude if k % 2 else -amplitude
        pts.append(f"{_f(x1 + ux * t + nx * s)} {_f(y1 + uy * t + ny * s)}")
    pts.append(f"{_f(x2)} {_f(y2)}")
    return f'<path d="M{"L".join(pts)}" fill="none" stroke="{color}" stroke-width="{_f(width)}"{extra}/>'


def _bars(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    fractions: Sequence[float],
    half: float = 7.0,
    tilt: float = 0.0,
    color: str = INK,
) -> str:
    """Short bars across a line at the given fractions of its length (tilt > 0 slants them like slashes)."""
    ux, uy, length = _unit(x1, y1, x2, y2)
    nx, ny = -uy, ux
    out = []
    for f in fractions:
        cx, cy = x1 + ux * length * f, y1 + uy * length * f
        ax, ay = nx + ux * tilt, ny + uy * tilt
        out.append(_line(cx - ax * half, cy - ay * half, cx + ax * half, cy + ay * half, None, 1.5, color))
    return "".join(out)


def _partner_glyph(kind: str, x1: float, y1: float, x2: float, y2: float) -> str:
    dash = PARTNER_DASH.get(kind)
    out = _line(x1, y1, x2, y2, dash, 1.6)
    if kind == "separated":
        out += _bars(x1, y1, x2, y2, (0.5,), tilt=0.6)
    elif kind == "divorced":
        out += _bars(x1, y1, x2, y2, (0.45, 0.55), tilt=0.6)
    elif kind == "widowed":
        out += _bars(x1, y1, x2, y2, (0.5,), half=4)  # a short upright tick
    return out


def _emotional_glyph(kind: str, x1: float, y1: float, x2: float, y2: float) -> str:
    if kind == "close":
        return _parallel(x1, y1, x2, y2, 2, 4)
    if kind == "very_close":
        return _parallel(x1, y1, x2, y2, 3, 4)
    if kind == "distant":
        return _line(x1, y1, x2, y2, "6 5", 1.3)
    if kind == "conflict":
        return _zigzag(x1, y1, x2, y2)
    if kind == "hostile":
        return _zigzag(x1, y1, x2, y2, amplitude=6, color=RED, width=1.8)
    if kind == "cut_off":
        return _line(x1, y1, x2, y2, None, 1.3) + _bars(x1, y1, x2, y2, (0.46, 0.54))
    if kind == "neglect":
        return _line(x1, y1, x2, y2, "6 4", 1.6, RED, ' marker-end="url(#arrow-red)"')
    # physical, emotional and sexual abuse: red zigzag pointing at the one harmed
    return _zigzag(x1, y1, x2, y2, color=RED, width=1.6, extra=' marker-end="url(#arrow-red)"')


DEFS = (
    "<defs>"
    f'<marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
    f'orient="auto-start-reverse"><path d="M0 0L10 5L0 10Z" fill="{RED}"/></marker>'
    f'<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
    f'orient="auto-start-reverse"><path d="M0 0L10 5L0 10Z" fill="{INK}"/></marker>'
    "</defs>"
)


def _emotional_layer(network: Network, positions: dict[str, tuple[float, float]], radius: float) -> str:
    out = ['<g class="layer-emotional">']
    for tie in network.emotional:
        if tie.a not in positions or tie.b not in positions or tie.a == tie.b:
            continue
        (xa, ya), (xb, yb) = positions[tie.a], positions[tie.b]
        x1, y1, x2, y2 = _shorten(xa, ya, xb, yb, radius + 4, radius + 6)
        out.append(
            f'<g class="tie emotional" data-kind="{_a(tie.kind)}" data-a="{_a(tie.a)}" data-b="{_a(tie.b)}">'
            f"{_emotional_glyph(tie.kind, x1, y1, x2, y2)}</g>"
        )
    out.append("</g>")
    return "".join(out)


# --- genogram ---------------------------------------------------------------------------------------------


def _household_svg(network: Network, lay: GenogramLayout) -> str:
    """One rounded boundary around the household's members (one per person when others stand in between)."""
    pos = lay.positions
    house = [m for m in network.members if m.household and m.id in pos]
    if not house:
        return ""
    boxes = [(lay.symbol_box(m.id), lay.label_box(m.id)) for m in house]
    x0 = min(min(a.x0, b.x0) for a, b in boxes) - 10
    x1 = max(max(a.x1, b.x1) for a, b in boxes) + 10
    y0 = min(a.y0 for a, _ in boxes) - 12
    y1 = max(b.y1 for _, b in boxes) + 6
    inside = {m.id for m in house}
    intruder = any(x0 < x < x1 and y0 < y < y1 for mid, (x, y) in pos.items() if mid not in inside)
    rects = [(x0, y0, x1, y1)]
    if intruder:
        rects = [(min(a.x0, b.x0) - 8, a.y0 - 10, max(a.x1, b.x1) + 8, b.y1 + 4) for a, b in boxes]
    return "".join(
        f'<rect class="household" x="{_f(rx0)}" y="{_f(ry0)}" width="{_f(rx1 - rx0)}" '
        f'height="{_f(ry1 - ry0)}" rx="18" fill="#f4f8ff" stroke="#5b7db1" stroke-width="1.4" '
        f'stroke-dasharray="8 4"/>'
        for rx0, ry0, rx1, ry1 in rects
    )


def _partner_lines(
    network: Network, lay: GenogramLayout
) -> tuple[list[str], dict[frozenset[str], tuple[float, float]]]:
    """Partner lines, straight between neighbours on one row, otherwise routed over the symbols; and per couple
    the point their children's line drops from."""
    pos = lay.positions
    h = SYMBOL / 2
    out: list[str] = []
    row_index = {m: (k, n) for k, row in enumerate(lay.rows) for n, m in enumerate(row)}
    couple_mid: dict[frozenset[str], tuple[float, float]] = {}
    detour = 0
    for p in network.partners:
        if p.a not in pos or p.b not in pos or p.a == p.b:
            continue
        (xa, ya), (xb, yb) = pos[p.a], pos[p.b]
        if xa > xb:
            (xa, ya), (xb, yb) = (xb, yb), (xa, ya)
        ra, rb = row_index.get(p.a), row_index.get(p.b)
        adjacent = ra and rb and ra[0] == rb[0] and abs(ra[1] - rb[1]) == 1 and abs(ya - yb) < 1
        if adjacent:
            glyph = _partner_glyph(p.kind, xa + h, ya, xb - h, yb)
            couple_mid[frozenset((p.a, p.b))] = ((xa + xb) / 2, ya)
        else:
            detour += 1
            top = min(ya, yb) - h - 10 - 5 * (detour % 4)
            d = f"M{_f(xa)} {_f(ya - h)}V{_f(top)}H{_f(xb)}V{_f(yb - h)}"
            dash = PARTNER_DASH.get(p.kind)
            glyph = f'<path d="{d}" fill="none" stroke="{INK}" stroke-width="1.6"{_dash(dash)}/>'
            if p.kind in ("separated", "divorced"):
                glyph += _bars(xa, top, xb, top, (0.5,) if p.kind == "separated" else (0.45, 0.55), tilt=0.6)
            couple_mid[frozenset((p.a, p.b))] = ((xa + xb) / 2, max(ya, yb))
        out.append(f'<g class="tie" data-kind="{_a(p.kind)}" data-a="{_a(p.a)}" data-b="{_a(p.b)}">{glyph}</g>')
    return out, couple_mid


def _twin_groups(kids: list[str], twin_kind: dict[frozenset[str], str]) -> list[list[str]]:
    """Children left to right, neighbouring twins grouped: a group hangs from one point."""
    groups: list[list[str]] = []
    for k in kids:
        if groups and frozenset((groups[-1][-1], k)) in twin_kind:
            groups[-1].append(k)
        else:
            groups.append([k])
    return groups


@dataclass
class _SibshipContext:
    """What every sibship of one genogram needs to draw itself, and what the drawing records."""

    pos: dict[str, tuple[float, float]]
    couple_mid: dict[frozenset[str], tuple[float, float]]
    twin_kind: dict[frozenset[str], str]
    link_kind: dict[tuple[str, str], str]
    used_links: set[tuple[str, str]] = field(default_factory=set)  # parent links drawn as part of a sibship
    stagger: dict[int, int] = field(default_factory=dict)  # sibship lines per row so far: each drops lower


def _sibship_svg(parents: tuple[str, ...], kids: list[str], ctx: _SibshipContext) -> list[str]:
    """One set of parents drops a line to a horizontal line their children hang from (twins from one point,
    identical twins joined by a bar); parents who are not partners are joined by a thin dotted line."""
    pos = ctx.pos
    h = SYMBOL / 2
    out: list[str] = []
    kids.sort(key=lambda k: pos[k][0])
    if len(parents) == 2 and frozenset(parents) in ctx.couple_mid:
        dx, dy = ctx.couple_mid[frozenset(parents)]
    else:
        dx = sum(pos[p][0] for p in parents) / len(parents)
        dy = max(pos[p][1] for p in parents) + (h if len(parents) == 1 else 0)
        if len(parents) == 2:  # parents without a partnership: join them with a thin line
            (xa, ya), (xb, yb) = pos[parents[0]], pos[parents[1]]
            out.append(_line(xa, ya, xb, yb, "1 3", 1.0, "#888"))
    child_top = min(pos[k][1] for k in kids) - h
    row_key = round(child_top)
    level = ctx.stagger.get(row_key, 0)
    ctx.stagger[row_key] = level + 1
    sy = child_top - 22 - 7 * (level % 4)
    groups = _twin_groups(kids, ctx.twin_kind)
    anchors = [sum(pos[k][0] for k in g) / len(g) for g in groups]
    left, right = min(anchors + [dx]), max(anchors + [dx])
    out.append(
        f'<g class="sibship" data-parents="{_a(" ".join(parents))}">'
        f"{_line(dx, dy, dx, sy)}{_line(left, sy, right, sy)}</g>"
    )
    for g, ax in zip(groups, anchors):
        for k in g:
            kind = ctx.link_kind.get((parents[0], k), "biological")
            for p in parents:
                ctx.used_links.add((p, k))
            kx, ky = pos[k]
            out.append(
                f'<g class="tie" data-kind="{_a(kind)}" data-a="{_a(parents[0])}" data-b="{_a(k)}">'
                f"{_line(ax, sy, kx, ky - h, PARENT_DASH.get(kind))}</g>"
            )
        if len(g) > 1 and any(ctx.twin_kind.get(frozenset((a, b))) == "identical" for a, b in zip(g, g[1:])):
            ty = (sy + child_top) / 2
            lx = ax + (pos[g[0]][0] - ax) / 2
            rx = ax + (pos[g[-1]][0] - ax) / 2
            out.append(_line(lx, ty, rx, ty, None, 1.5))
    return out


def _other_parent_links(network: Network, pos: dict[str, tuple[float, float]], drawn: set[tuple[str, str]]) -> str:
    """Parent links that did not decide the placement (a foster parent beside the biological ones): curves."""
    h = SYMBOL / 2
    out: list[str] = []
    for link in network.parents:
        if (link.parent, link.child) in drawn or link.parent not in pos or link.child not in pos:
            continue
        (px, py), (cx, cy) = pos[link.parent], pos[link.child]
        out.append(
            f'<g class="tie" data-kind="{_a(link.kind)}" data-a="{_a(link.parent)}" data-b="{_a(link.child)}">'
            f'<path d="M{_f(px)} {_f(py + h)}C{_f(px)} {_f(py + 60)} {_f(cx)} {_f(cy - 60)} {_f(cx)} {_f(cy - h)}" '
            f'fill="none" stroke="#555" stroke-width="1.3"'
            f"{_dash(PARENT_DASH.get(link.kind) or '1 0')}/></g>"
        )
    return "".join(out)


def _draw_genogram(network: Network, lay: GenogramLayout, options: RenderOptions) -> tuple[str, Bounds]:
    """Household, partner lines, sibships, other parent links, emotional lines, then the persons on top."""
    pos = lay.positions
    out: list[str] = [_household_svg(network, lay)]
    partner_lines, couple_mid = _partner_lines(network, lay)
    out += partner_lines

    sibships: dict[tuple[str, ...], list[str]] = {}
    for child, parents in lay.placement_parents.items():
        if child in pos and all(p in pos for p in parents):
            sibships.setdefault(tuple(sorted(parents)), []).append(child)
    ctx = _SibshipContext(
        pos,
        couple_mid,
        twin_kind={frozenset((t.a, t.b)): t.kind for t in network.twins},
        link_kind={(link.parent, link.child): link.kind for link in network.parents},
    )
    for parents, kids in sibships.items():
        out += _sibship_svg(parents, kids, ctx)
    out.append(_other_parent_links(network, pos, ctx.used_links))

    if options.show_emotional:
        out.append(_emotional_layer(network, pos, SYMBOL / 2))
    for m in network.members:
        if m.id not in pos:
            continue
        x, y = pos[m.id]
        inner = symbol_svg(m, SYMBOL, options) + _label_svg(lay.labels.get(m.id, []), LABEL_TOP)
        out.append(_member_group(m, x, y, inner, "pinned" if m.id in lay.pinned else ""))
    b = lay.bounds()
    return "".join(out), (b.x0 - 20, b.y0 - 30, b.x1 + 20, b.y1 + 10)


# --- eco-map ----------------------------------------------------------------------------------------------


def _strength_glyph(strength: str, x1: float, y1: float, x2: float, y2: float, energy: str) -> str:
    markers = ""
    if energy in ("to_system", "both"):
        markers += ' marker-end="url(#arrow)"'
    if energy in ("from_system", "both"):
        markers += ' marker-start="url(#arrow)"'
    if strength == "tenuous":
        return _line(x1, y1, x2, y2, "8 6", 1.4, INK, markers)
    if strength == "stressful":
        ux, uy, length = _unit(x1, y1, x2, y2)
        n = max(int(length // 12), 1)
        return _line(x1, y1, x2, y2, None, 1.4, INK, markers) + _bars(
            x1, y1, x2, y2, [(k + 0.5) / n for k in range(n)], half=6, tilt=0.5
        )
    return _line(x1, y1, x2, y2, None, 3.6, INK, markers)


def _draw_ecomap(network: Network, lay: EcomapLayout, options: RenderOptions) -> tuple[str, Bounds]:
    pos = lay.positions
    size = 34.0
    out = [
        f'<circle class="household" r="{_f(lay.household_radius)}" fill="#f4f8ff" stroke="#5b7db1" stroke-width="2"/>'
    ]
    first_tie: dict[str, str] = {}
    for tie in network.systems:
        first_tie.setdefault(tie.system, tie.id)
    for tie in network.systems:
        if tie.system not in lay.systems:
            continue
        sx, sy = lay.systems[tie.system]
        if tie.member and tie.member in pos:
            mx, my = pos[tie.member]
            x1, y1, x2, y2 = _shorten(mx, my, sx, sy, size / 2 + 4, SYSTEM_RADIUS + 3)
            a = tie.member
        else:
            ux, uy, _ = _unit(0, 0, sx, sy)
            x1, y1 = ux * lay.household_radius, uy * lay.household_radius
            _, _, x2, y2 = _shorten(x1, y1, sx, sy, 0, SYSTEM_RADIUS + 3)
            a = "household"
        out.append(
            f'<g class="tie" data-kind="{_a(tie.strength)}" data-energy="{_a(tie.energy)}" data-a="{_a(a)}" '
            f'data-b="{_a(tie.id)}">{_strength_glyph(tie.strength, x1, y1, x2, y2, tie.energy)}</g>'
        )
    for name, (sx, sy) in lay.systems.items():
        words = _wrap(name, 12, 3)
        text = "".join(
            f'<text y="{_f((n - (len(words) - 1) / 2) * 13 + 4)}" text-anchor="middle" font-size="11">{escape(w)}</text>'
            for n, w in enumerate(words)
        )
        out.append(
            f'<g class="system" data-id="{_a(first_tie[name])}" data-system="{_a(name)}" '
            f'data-system-kind="{_a(lay.system_kind[name])}" transform="translate({_f(sx)},{_f(sy)})">'
            f'<title>{escape(name)}</title><circle r="{_f(SYSTEM_RADIUS)}" fill="#fff" stroke="{INK}" '
            f'stroke-width="1.6"/>{text}</g>'
        )
    if options.show_emotional:
        out.append(_emotional_layer(network, pos, size / 2))
    for m in network.members:
        if m.id in pos:
            x, y = pos[m.id]
            inner = symbol_svg(m, size, options) + _label_svg(lay.labels.get(m.id, []), size / 2 + 4, 10, 12)
            out.append(_member_group(m, x, y, inner))
    r = max(lay.ring_radius + SYSTEM_RADIUS, lay.outer_radius + 60, lay.household_radius) + 20
    return "".join(out), (-r, -r, r, r)


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word[:width])
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines or [""]


# --- network circle ---------------------------------------------------------------------------------------


def _domain_word(domain: str, options: RenderOptions) -> str:
    return options.word("professional_domain" if domain == "professional" else domain)


def _warning_glyph(x: float, y: float) -> str:
    return (
        f'<g class="unsafe-mark" transform="translate({_f(x)},{_f(y)})"><path d="M0 -8L8 6H-8Z" fill="{RED}"/>'
        f'<text y="5" text-anchor="middle" font-size="10" font-weight="bold" fill="#fff">!</text></g>'
    )


def _draw_circle(network: Network, lay: CircleLayout, options: RenderOptions) -> tuple[str, Bounds]:
    pos = lay.positions
    size = 30.0
    out = []
    outer = lay.radius
    for r in sorted(lay.bands):
        inner_r, outer_r = lay.bands[r]
        out.append(
            f'<circle class="ring" data-ring="{r}" r="{_f(outer_r)}" fill="none" stroke="#9aa" stroke-width="1"/>'
        )
    first_inner = lay.bands[min(lay.bands)][0]
    out.append(f'<circle class="ring centre" r="{_f(first_inner)}" fill="#f4f8ff" stroke="#9aa"/>')
    for d in DOMAINS:
        start, end = lay.sector[d]
        out.append(
            _line(
                first_inner * math.sin(start),
                -first_inner * math.cos(start),
                outer * math.sin(start),
                -outer * math.cos(start),
                None,
                1,
                "#9aa",
            )
        )
        mid = (start + end) / 2
        tx, ty = (outer + 18) * math.sin(mid), -(outer + 18) * math.cos(mid)
        anchor = "start" if tx > 5 else "end" if tx < -5 else "middle"
        out.append(
            f'<text class="domain" x="{_f(tx)}" y="{_f(ty + 4)}" text-anchor="{anchor}" font-size="13" '
            f'font-weight="bold" fill="#456">{escape(_domain_word(d, options))}</text>'
        )
    if options.show_emotional:
        out.append(_emotional_layer(network, pos, size / 2))
    letters = {s: options.word(f"support_letter_{s}") for s in ("practical", "emotional", "information")}
    for m in network.members:
        if m.id not in pos:
            continue
        x, y = pos[m.id]
        unsafe = m.safety == "unsafe"
        inner = symbol_svg(
            m,
            size,
            options,
            fill="#eef0f3" if m.is_professional else "#fff",
            stroke=RED if unsafe else INK,
            dashed=m.is_professional,
        )
        if unsafe:
            inner += _warning_glyph(size / 2 + 4, -size / 2)
        marks = "".join(letters[s] for s in ("practical", "emotional", "information") if s in m.support)
        if m.critical:
            marks += "!"
        if marks:
            inner += (
                f'<text class="support" x="{_f(size / 2 + 3)}" y="{_f(size / 2)}" font-size="9" '
                f'fill="#246">{escape(marks)}</text>'
            )
        inner += _label_svg(lay.labels.get(m.id, [])[:1], size / 2 + 2, 10, 12)
        extra = " ".join(c for c in ("unsafe" if unsafe else "", "professional" if m.is_professional else "") if c)
        out.append(_member_group(m, x, y, inner, extra))
    reach = outer + 150  # room for the domain names outside the rings
    return "".join(out), (-reach, -outer - 40, reach, outer + 40)


# --- legend -----------------------------------------------------------------------------------------------


def _legend_entries(kind: str, options: RenderOptions, network: Network) -> list[tuple[str, str]]:
    w = options.word
    s = 16.0

    def sym(sex: str, **kw: Any) -> str:
        return symbol_svg(Member("legend", "", sex=sex, **kw), s, options)

    def seg(glyph: Callable[[float, float, float, float], str]) -> str:
        return glyph(-12, 0, 12, 0)

    entries: list[tuple[str, str]] = []
    if kind == "genogram":
        entries += [
            (sym("male"), w("male")),
            (sym("female"), w("female")),
            (sym("other"), w("other")),
            (sym("unknown"), w("unknown_sex")),
            (sym("male", central=True), w("central")),
            (sym("male", deceased=True), w("deceased")),
            (symbol_svg(Member("l", "", kind="pregnancy"), s, options), w("pregnancy")),
            (symbol_svg(Member("l", "", kind="miscarriage"), s, options), w("miscarriage")),
            (symbol_svg(Member("l", "", kind="stillbirth", sex="male"), s, options), w("stillbirth")),
        ]
        for pk in ("married", "cohabiting", "engaged", "separated", "divorced", "widowed"):
            entries.append((seg(partial(_partner_glyph, pk)), w(pk)))
        for ck in ("biological", "adoptive", "foster", "step", "guardian"):
            entries.append((f'<path d="M0 -8V8" stroke="{INK}" stroke-width="1.5"{_dash(PARENT_DASH[ck])}/>', w(ck)))
        entries.append(('<path d="M0 -8L-7 8M0 -8L7 8" stroke="#222" fill="none" stroke-width="1.4"/>', w("twins")))
        entries.append(
            (
                '<path d="M0 -8L-7 8M0 -8L7 8M-3.5 0H3.5" stroke="#222" fill="none" stroke-width="1.4"/>',
                w("identical_twins"),
            )
        )
        entries.append(
            (
                '<rect x="-12" y="-8" width="24" height="16" rx="6" fill="#f4f8ff" stroke="#5b7db1" '
                'stroke-dasharray="4 2"/>',
                w("household"),
            )
        )
    elif kind == "ecomap":
        for st in ("strong", "tenuous", "stressful"):
            entries.append((_strength_glyph(st, -14, 0, 14, 0, "none"), w(st)))
        entries.append((_line(-14, 0, 14, 0, None, 1.4, INK, ' marker-end="url(#arrow)"'), w("energy")))
        entries.append(('<circle r="8" fill="#f4f8ff" stroke="#5b7db1" stroke-width="2"/>', w("household")))
    else:
        for r in (1, 2, 3):
            entries.append((f'<text y="4" text-anchor="middle" font-size="11">{r}</text>', w(f"ring_{r}")))
        for sp in ("practical", "emotional", "information"):
            entries.append(
                (
                    f'<text y="4" text-anchor="middle" font-size="11" fill="#246">'
                    f"{escape(w('support_letter_' + sp))}</text>",
                    w(sp),
                )
            )
        entries.append(('<text y="4" text-anchor="middle" font-size="11" fill="#246">!</text>', w("critical")))
        entries.append(
            (symbol_svg(Member("l", "", sex="male"), s, options, stroke=RED) + _warning_glyph(10, -6), w("unsafe"))
        )
        entries.append((symbol_svg(Member("l", "", sex="male"), s, options), w("informal")))
        entries.append(
            (symbol_svg(Member("l", "", sex="male"), s, options, fill="#eef0f3", dashed=True), w("professional"))
        )
        entries += [(sym("male"), w("male")), (sym("female"), w("female")), (sym("male", deceased=True), w("deceased"))]
    if options.show_emotional and network.emotional:
        for ek in dict.fromkeys(t.kind for t in network.emotional):
            entries.append((seg(partial(_emotional_glyph, ek)), w(ek)))
    return entries


def _legend_svg(kind: str, options: RenderOptions, network: Network) -> tuple[str, float, float]:
    entries = _legend_entries(kind, options, network)
    out = [f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(options.word("legend"))}</text>']
    for n, (glyph, text) in enumerate(entries):
        y = 34 + n * LEGEND_ROW
        out.append(
            f'<g transform="translate(16,{_f(y)})">{glyph}</g>'
            f'<text x="38" y="{_f(y + 4)}" font-size="11">{escape(text)}</text>'
        )
    height = 34 + len(entries) * LEGEND_ROW
    return f'<g class="legend">{"".join(out)}</g>', LEGEND_WIDTH, height


# --- the document -----------------------------------------------------------------------------------------


def render_map(network: Network, kind: str, *, options: RenderOptions | None = None) -> str:
    """A standalone SVG document of ``network`` drawn as ``kind`` ("genogram", "ecomap" or "circle")."""
    options = options or RenderOptions()
    net = network.at(options.moment)
    lay = compute_layout(net, kind, options.moment)
    if isinstance(lay, GenogramLayout):
        body, bounds = _draw_genogram(net, lay, options)
    elif isinstance(lay, EcomapLayout):
        body, bounds = _draw_ecomap(net, lay, options)
    else:
        body, bounds = _draw_circle(net, lay, options)
    x0, y0, x1, y1 = bounds
    map_w, map_h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)

    head = ""
    title_h = 0.0
    if options.title or options.subtitle:
        title_h = 20.0
        if options.title:
            title_h += 22
            head += (
                f'<text class="title" x="{_f(MARGIN)}" y="{_f(MARGIN + 18)}" font-size="20" '
                f'font-weight="bold">{escape(options.title)}</text>'
            )
        if options.subtitle:
            head += (
                f'<text class="subtitle" x="{_f(MARGIN)}" y="{_f(MARGIN + title_h - 4)}" font-size="12" '
                f'fill="#555">{escape(options.subtitle)}</text>'
            )
            title_h += 16
    legend, legend_w, legend_h = ("", 0.0, 0.0)
    if options.legend:
        legend, legend_w, legend_h = _legend_svg(kind, options, net)

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
        viewport = f'<g class="viewport" transform="translate({_f(tx)},{_f(ty)}) scale({scale:.5f})">{body}</g>'
        legend_part = (
            (
                f'<g transform="translate({_f(width - MARGIN - legend_w)},{_f(area_y)}) '
                f'scale({legend_scale:.4f})">{legend}</g>'
            )
            if legend
            else ""
        )
        size_attrs = f'width="{_f(mm_w)}mm" height="{_f(mm_h)}mm"'
    else:
        width = MARGIN * 2 + map_w + (legend_w + 20 if legend else 0)
        height = MARGIN * 2 + title_h + max(map_h, legend_h)
        viewport = (
            f'<g class="viewport" transform="translate({_f(MARGIN - x0)},{_f(MARGIN + title_h - y0)})">{body}</g>'
        )
        legend_part = (
            f'<g transform="translate({_f(MARGIN + map_w + 20)},{_f(MARGIN + title_h)})">{legend}</g>' if legend else ""
        )
        size_attrs = f'width="{_f(width)}" height="{_f(height)}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" data-kind="{_a(kind)}" {size_attrs} '
        f'viewBox="0 0 {_f(width)} {_f(height)}" font-family="sans-serif" role="img" '
        f'aria-label="{_a(options.title or kind)}">'
        f'{DEFS}<rect class="background" width="{_f(width)}" height="{_f(height)}" fill="#fff"/>'
        f"{head}{viewport}{legend_part}</svg>\n"
    )
