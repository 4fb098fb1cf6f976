"""The drawing primitives every network map shares: options and default words, person symbols, labels, lines
and the relationship glyphs (partner, emotional), in map coordinates; ``svg`` puts them into a document."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from .genogram import LABEL_FONT, LABEL_LINE
from .graph import Member, Network

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
    "siblings": "Brothers and sisters",
    "siblings_dashed": "Half or step sibling; parents not recorded",
    "institution": "Institution (school, GP, club)",
}

INK = "#222"
RED = "#c0392b"

# Dash patterns that tell parent-link kinds apart.
PARENT_DASH = {"biological": None, "adoptive": "7 4", "foster": "2 3", "step": "9 3 2 3", "guardian": "12 3 2 3 2 3"}
PARTNER_DASH = {"relationship": "7 4", "cohabiting": "7 4", "engaged": "2 3"}
# Half and step siblings, and a child drawn under a sibling's parents (their own not recorded).
SIBLING_DASH = "4 4"


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


def dash_attr(pattern: str | None) -> str:
    """The stroke-dasharray attribute of a dash pattern; nothing for a solid line."""
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def attr(value: object) -> str:
    """A value escaped for use inside a quoted attribute."""
    return escape(str(value), quote=True)


def num(v: float) -> str:
    """A coordinate or size as SVG text: at most one decimal, no trailing zeros."""
    return f"{v:.1f}".rstrip("0").rstrip(".") if abs(v) < 1e9 else "0"


# --- symbols ----------------------------------------------------------------------------------------------


def _shape(sex: str, size: float, attrs: str) -> str:
    h = size / 2
    if sex == "male":
        return f'<rect x="{num(-h)}" y="{num(-h)}" width="{num(size)}" height="{num(size)}" {attrs}/>'
    if sex == "female":
        return f'<circle r="{num(h)}" {attrs}/>'
    if sex == "other":
        return f'<path d="M0 {num(-h)}L{num(h)} 0L0 {num(h)}L{num(-h)} 0Z" {attrs}/>'
    # Unknown sex: a square with a question mark (GenoPro's genogram convention).
    return (
        f'<rect x="{num(-h)}" y="{num(-h)}" width="{num(size)}" height="{num(size)}" {attrs}/>'
        f'<text y="{num(h * 0.35)}" text-anchor="middle" font-size="{num(size * 0.55)}">?</text>'
    )


def _death_mark(size: float, style: str) -> str:
    h = size / 2 + 4
    if style == "slash":
        return f'<path class="death" d="M{num(-h)} {num(h)}L{num(h)} {num(-h)}" stroke="{INK}" stroke-width="1.6"/>'
    return (
        f'<path class="death" d="M{num(-h)} {num(-h)}L{num(h)} {num(h)}M{num(-h)} {num(h)}L{num(h)} {num(-h)}" '
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
        parts.append(f'<path d="M0 {num(-h)}L{num(h)} {num(h * 0.8)}L{num(-h)} {num(h * 0.8)}Z" {attrs}/>')
    elif member.kind == "miscarriage":
        parts.append(f'<circle r="{num(size / 6)}" fill="{stroke}" stroke="{stroke}"/>')
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


def label_svg(lines: list[str], top: float, font: float = LABEL_FONT, line: float = LABEL_LINE) -> str:
    # A white halo behind the text keeps it readable where a line runs underneath. The halo is a copy of the
    # text drawn first, rather than paint-order, which PDF and PNG converters such as cairosvg ignore.
    out = []
    for n, text in enumerate(lines):
        weight = ' font-weight="bold"' if n == 0 else ""
        common = f'y="{num(top + font + n * line - 2)}" text-anchor="middle" font-size="{num(font)}"{weight}'
        out.append(
            f'<text class="label-halo" {common} fill="#fff" stroke="#fff" stroke-width="3" '
            f'aria-hidden="true">{escape(text)}</text>'
            f'<text class="label" {common} fill="#000">{escape(text)}</text>'
        )
    return "".join(out)


def member_group(member: Member, x: float, y: float, inner: str, extra_class: str = "") -> str:
    cls = "member" + (f" {extra_class}" if extra_class else "")
    return (
        f'<g class="{cls}" data-id="{attr(member.id)}" tabindex="0" role="button" aria-label="{attr(member.name)}" '
        f'transform="translate({num(x)},{num(y)})"><title>{escape(member.name)}</title>{inner}</g>'
    )


# --- line helpers -----------------------------------------------------------------------------------------


def line_svg(
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
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" stroke="{color}" '
        f'stroke-width="{num(width)}"{d}{extra}/>'
    )


def unit_vector(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float, float]:
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    return dx / length, dy / length, length


def shorten(x1: float, y1: float, x2: float, y2: float, r1: float, r2: float) -> tuple[float, float, float, float]:
    ux, uy, length = unit_vector(x1, y1, x2, y2)
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
    ux, uy, _ = unit_vector(x1, y1, x2, y2)
    nx, ny = -uy, ux
    out = []
    for k in range(count):
        o = (k - (count - 1) / 2) * gap
        out.append(line_svg(x1 + nx * o, y1 + ny * o, x2 + nx * o, y2 + ny * o, dash, width, color))
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
    ux, uy, length = unit_vector(x1, y1, x2, y2)
    nx, ny = -uy, ux
    n = max(int(length // step), 2)
    pts = [f"{num(x1)} {num(y1)}"]
    for k in range(1, n):
        t = k * length / n
        s = amplitude if k % 2 else -amplitude
        pts.append(f"{num(x1 + ux * t + nx * s)} {num(y1 + uy * t + ny * s)}")
    pts.append(f"{num(x2)} {num(y2)}")
    return f'<path d="M{"L".join(pts)}" fill="none" stroke="{color}" stroke-width="{num(width)}"{extra}/>'


def bars_svg(
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
    ux, uy, length = unit_vector(x1, y1, x2, y2)
    nx, ny = -uy, ux
    out = []
    for f in fractions:
        cx, cy = x1 + ux * length * f, y1 + uy * length * f
        ax, ay = nx + ux * tilt, ny + uy * tilt
        out.append(line_svg(cx - ax * half, cy - ay * half, cx + ax * half, cy + ay * half, None, 1.5, color))
    return "".join(out)


def partner_glyph(kind: str, x1: float, y1: float, x2: float, y2: float) -> str:
    dash = PARTNER_DASH.get(kind)
    out = line_svg(x1, y1, x2, y2, dash, 1.6)
    if kind == "separated":
        out += bars_svg(x1, y1, x2, y2, (0.5,), tilt=0.6)
    elif kind == "divorced":
        out += bars_svg(x1, y1, x2, y2, (0.45, 0.55), tilt=0.6)
    elif kind == "widowed":
        out += bars_svg(x1, y1, x2, y2, (0.5,), half=4)  # a short upright tick
    return out


def emotional_glyph(kind: str, x1: float, y1: float, x2: float, y2: float) -> str:
    if kind == "close":
        return _parallel(x1, y1, x2, y2, 2, 4)
    if kind == "very_close":
        return _parallel(x1, y1, x2, y2, 3, 4)
    if kind == "distant":
        return line_svg(x1, y1, x2, y2, "6 5", 1.3)
    if kind == "conflict":
        return _zigzag(x1, y1, x2, y2)
    if kind == "hostile":
        return _zigzag(x1, y1, x2, y2, amplitude=6, color=RED, width=1.8)
    if kind == "cut_off":
        return line_svg(x1, y1, x2, y2, None, 1.3) + bars_svg(x1, y1, x2, y2, (0.46, 0.54))
    if kind == "neglect":
        return line_svg(x1, y1, x2, y2, "6 4", 1.6, RED, ' marker-end="url(#arrow-red)"')
    # physical, emotional and sexual abuse: red zigzag pointing at the one harmed
    return _zigzag(x1, y1, x2, y2, color=RED, width=1.6, extra=' marker-end="url(#arrow-red)"')


def emotional_layer(network: Network, positions: dict[str, tuple[float, float]], radius: float) -> str:
    out = ['<g class="layer-emotional">']
    for tie in network.emotional:
        if tie.a not in positions or tie.b not in positions or tie.a == tie.b:
            continue
        (xa, ya), (xb, yb) = positions[tie.a], positions[tie.b]
        x1, y1, x2, y2 = shorten(xa, ya, xb, yb, radius + 4, radius + 6)
        out.append(
            f'<g class="tie emotional" data-kind="{attr(tie.kind)}" data-a="{attr(tie.a)}" data-b="{attr(tie.b)}">'
            f"{emotional_glyph(tie.kind, x1, y1, x2, y2)}</g>"
        )
    out.append("</g>")
    return "".join(out)
