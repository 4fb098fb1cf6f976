"""Drawing the legend of a map: one row per symbol and line kind the map can show, in the caller's words."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape
from typing import Any

from .graph import Member, Network
from .svg_circle import warning_glyph
from .svg_drawing import (
    INK,
    PARENT_DASH,
    RED,
    SIBLING_DASH,
    RenderOptions,
    dash_attr,
    emotional_glyph,
    line_svg,
    num,
    partner_glyph,
    symbol_svg,
)
from .svg_ecomap import strength_glyph

LEGEND_WIDTH = 250.0
LEGEND_ROW = 20.0


def _sibling_entries(options: RenderOptions, network: Network) -> list[tuple[str, str]]:
    """Brothers and sisters linked as such: the line above them, dashed for half or step siblings."""
    if not network.sibling_ties:
        return []
    bracket = '<path d="M-10 8V-6H10V8" fill="none" stroke="#222" stroke-width="1.5"'
    return [
        (bracket + "/>", options.word("siblings")),
        (bracket + dash_attr(SIBLING_DASH) + "/>", options.word("siblings_dashed")),
    ]


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
            entries.append((seg(partial(partner_glyph, pk)), w(pk)))
        for ck in ("biological", "adoptive", "foster", "step", "guardian"):
            entries.append(
                (f'<path d="M0 -8V8" stroke="{INK}" stroke-width="1.5"{dash_attr(PARENT_DASH[ck])}/>', w(ck))
            )
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
        entries += _sibling_entries(options, network)
    elif kind == "ecomap":
        for st in ("strong", "tenuous", "stressful"):
            entries.append((strength_glyph(st, -14, 0, 14, 0, "none"), w(st)))
        entries.append((line_svg(-14, 0, 14, 0, None, 1.4, INK, ' marker-end="url(#arrow)"'), w("energy")))
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
            (symbol_svg(Member("l", "", sex="male"), s, options, stroke=RED) + warning_glyph(10, -6), w("unsafe"))
        )
        entries.append((symbol_svg(Member("l", "", sex="male"), s, options), w("informal")))
        entries.append(
            (symbol_svg(Member("l", "", sex="male"), s, options, fill="#eef0f3", dashed=True), w("professional"))
        )
        entries += [(sym("male"), w("male")), (sym("female"), w("female")), (sym("male", deceased=True), w("deceased"))]
        if network.systems:
            entries.append(
                (
                    f'<rect x="-12" y="-7" width="24" height="14" rx="4" fill="#eef0f3" stroke="{INK}" '
                    'stroke-dasharray="5 3"/>',
                    w("institution"),
                )
            )
    if options.show_emotional and network.emotional:
        for ek in dict.fromkeys(t.kind for t in network.emotional):
            entries.append((seg(partial(emotional_glyph, ek)), w(ek)))
    return entries


def legend_svg(kind: str, options: RenderOptions, network: Network) -> tuple[str, float, float]:
    entries = _legend_entries(kind, options, network)
    out = [f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(options.word("legend"))}</text>']
    for n, (glyph, text) in enumerate(entries):
        y = 34 + n * LEGEND_ROW
        out.append(
            f'<g transform="translate(16,{num(y)})">{glyph}</g>'
            f'<text x="38" y="{num(y + 4)}" font-size="11">{escape(text)}</text>'
        )
    height = 34 + len(entries) * LEGEND_ROW
    return f'<g class="legend">{"".join(out)}</g>', LEGEND_WIDTH, height
