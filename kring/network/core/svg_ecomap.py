"""Drawing an eco-map: the household circle, the systems around it and the ties to them, then the persons."""

from __future__ import annotations

from html import escape

from .ecomap import SYSTEM_FONT, SYSTEM_LINE, EcomapLayout
from .graph import Network
from .svg_drawing import (
    INK,
    Bounds,
    RenderOptions,
    attr,
    bars_svg,
    emotional_layer,
    label_svg,
    line_svg,
    member_group,
    num,
    shorten,
    symbol_svg,
    unit_vector,
)


def strength_glyph(strength: str, x1: float, y1: float, x2: float, y2: float, energy: str) -> str:
    markers = ""
    if energy in ("to_system", "both"):
        markers += ' marker-end="url(#arrow)"'
    if energy in ("from_system", "both"):
        markers += ' marker-start="url(#arrow)"'
    if strength == "tenuous":
        return line_svg(x1, y1, x2, y2, "8 6", 1.4, INK, markers)
    if strength == "stressful":
        ux, uy, length = unit_vector(x1, y1, x2, y2)
        n = max(int(length // 12), 1)
        return line_svg(x1, y1, x2, y2, None, 1.4, INK, markers) + bars_svg(
            x1, y1, x2, y2, [(k + 0.5) / n for k in range(n)], half=6, tilt=0.5
        )
    return line_svg(x1, y1, x2, y2, None, 3.6, INK, markers)


def draw_ecomap(network: Network, lay: EcomapLayout, options: RenderOptions) -> tuple[str, Bounds]:
    pos = lay.positions
    size = 34.0
    out = [
        f'<circle class="household" r="{num(lay.household_radius)}" fill="#f4f8ff" stroke="#5b7db1" stroke-width="2"/>'
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
            x1, y1, x2, y2 = shorten(mx, my, sx, sy, size / 2 + 4, lay.system_radius + 3)
            a = tie.member
        else:
            ux, uy, _ = unit_vector(0, 0, sx, sy)
            x1, y1 = ux * lay.household_radius, uy * lay.household_radius
            _, _, x2, y2 = shorten(x1, y1, sx, sy, 0, lay.system_radius + 3)
            a = "household"
        out.append(
            f'<g class="tie" data-kind="{attr(tie.strength)}" data-energy="{attr(tie.energy)}" data-a="{attr(a)}" '
            f'data-b="{attr(tie.id)}">{strength_glyph(tie.strength, x1, y1, x2, y2, tie.energy)}</g>'
        )
    for name, (sx, sy) in lay.systems.items():
        words = lay.system_lines.get(name) or [name]
        text = "".join(
            f'<text y="{num((n - (len(words) - 1) / 2) * SYSTEM_LINE + 4)}" text-anchor="middle" '
            f'font-size="{num(SYSTEM_FONT)}">{escape(w)}</text>'
            for n, w in enumerate(words)
        )
        out.append(
            f'<g class="system" data-id="{attr(first_tie[name])}" data-system="{attr(name)}" '
            f'data-system-kind="{attr(lay.system_kind[name])}" transform="translate({num(sx)},{num(sy)})">'
            f'<title>{escape(name)}</title><circle r="{num(lay.system_radius)}" fill="#fff" stroke="{INK}" '
            f'stroke-width="1.6"/>{text}</g>'
        )
    if options.show_emotional:
        out.append(emotional_layer(network, pos, size / 2))
    for m in network.members:
        if m.id in pos:
            x, y = pos[m.id]
            inner = symbol_svg(m, size, options) + label_svg(lay.labels.get(m.id, []), size / 2 + 4, 10, 12)
            out.append(member_group(m, x, y, inner))
    r = max(lay.ring_radius + lay.system_radius, lay.outer_radius + 60, lay.household_radius) + 20
    return "".join(out), (-r, -r, r, r)
