"""Drawing a network circle: rings, domain sectors and names, then the persons with their support marks."""

from __future__ import annotations

import math
from html import escape

from .circle import NAME_CHAR_WIDTH, CircleLayout
from .graph import DOMAINS, Network
from .svg_drawing import (
    INK,
    RED,
    Bounds,
    RenderOptions,
    attr,
    emotional_layer,
    label_svg,
    line_svg,
    member_group,
    num,
    symbol_svg,
)


def _domain_word(domain: str, options: RenderOptions) -> str:
    return options.word("professional_domain" if domain == "professional" else domain)


def warning_glyph(x: float, y: float) -> str:
    return (
        f'<g class="unsafe-mark" transform="translate({num(x)},{num(y)})"><path d="M0 -8L8 6H-8Z" fill="{RED}"/>'
        f'<text y="5" text-anchor="middle" font-size="10" font-weight="bold" fill="#fff">!</text></g>'
    )


def _institutions_svg(network: Network, lay: CircleLayout) -> str:
    """The institutions (school, GP, club: the eco-map's systems) as boxes holding their whole name."""
    first_tie: dict[str, str] = {}
    for tie in network.systems:
        first_tie.setdefault(tie.system, tie.id)
    out = []
    for name, (x, y) in lay.systems.items():
        lines = lay.system_lines.get(name) or [name]
        width = max(len(line) for line in lines) * NAME_CHAR_WIDTH + 10
        height = len(lines) * 12 + 8
        text = "".join(
            f'<text y="{num((n - (len(lines) - 1) / 2) * 12 + 3.5)}" text-anchor="middle" font-size="10">'
            f"{escape(line)}</text>"
            for n, line in enumerate(lines)
        )
        out.append(
            f'<g class="system" data-id="{attr(first_tie.get(name, ""))}" data-system="{attr(name)}" '
            f'data-system-kind="{attr(lay.system_kind.get(name, "other"))}" transform="translate({num(x)},{num(y)})">'
            f"<title>{escape(name)}</title>"
            f'<rect x="{num(-width / 2)}" y="{num(-height / 2)}" width="{num(width)}" height="{num(height)}" rx="6" '
            f'fill="#eef0f3" stroke="{INK}" stroke-width="1.2" stroke-dasharray="5 3"/>{text}</g>'
        )
    return "".join(out)


def draw_circle(network: Network, lay: CircleLayout, options: RenderOptions) -> tuple[str, Bounds]:
    pos = lay.positions
    size = 30.0
    out = []
    outer = lay.radius
    for r in sorted(lay.bands):
        inner_r, outer_r = lay.bands[r]
        out.append(
            f'<circle class="ring" data-ring="{r}" r="{num(outer_r)}" fill="none" stroke="#9aa" stroke-width="1"/>'
        )
    first_inner = lay.bands[min(lay.bands)][0]
    out.append(f'<circle class="ring centre" r="{num(first_inner)}" fill="#f4f8ff" stroke="#9aa"/>')
    for d in DOMAINS:
        start, end = lay.sector[d]
        out.append(
            line_svg(
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
            f'<text class="domain" x="{num(tx)}" y="{num(ty + 4)}" text-anchor="{anchor}" font-size="13" '
            f'font-weight="bold" fill="#456">{escape(_domain_word(d, options))}</text>'
        )
    out.append(_institutions_svg(network, lay))
    if options.show_emotional:
        out.append(emotional_layer(network, pos, size / 2))
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
            inner += warning_glyph(size / 2 + 4, -size / 2)
        marks = "".join(letters[s] for s in ("practical", "emotional", "information") if s in m.support)
        if m.critical:
            marks += "!"
        if marks:
            inner += (
                f'<text class="support" x="{num(size / 2 + 3)}" y="{num(size / 2)}" font-size="9" '
                f'fill="#246">{escape(marks)}</text>'
            )
        inner += label_svg(lay.labels.get(m.id, [])[:1], size / 2 + 2, 10, 12)
        extra = " ".join(c for c in ("unsafe" if unsafe else "", "professional" if m.is_professional else "") if c)
        out.append(member_group(m, x, y, inner, extra))
    reach = outer + 150  # room for the domain names outside the rings
    return "".join(out), (-reach, -outer - 40, reach, outer + 40)
