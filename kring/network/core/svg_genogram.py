"""Drawing a genogram: household boundary, partner lines, sibships with twins, other parent links, persons."""

from __future__ import annotations

from dataclasses import dataclass, field

from .genogram import LABEL_TOP, SYMBOL, GenogramLayout
from .graph import Network
from .svg_drawing import (
    INK,
    PARENT_DASH,
    PARTNER_DASH,
    SIBLING_DASH,
    Bounds,
    RenderOptions,
    attr,
    bars_svg,
    dash_attr,
    emotional_layer,
    label_svg,
    line_svg,
    member_group,
    num,
    partner_glyph,
    symbol_svg,
)


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
        f'<rect class="household" x="{num(rx0)}" y="{num(ry0)}" width="{num(rx1 - rx0)}" '
        f'height="{num(ry1 - ry0)}" rx="18" fill="#f4f8ff" stroke="#5b7db1" stroke-width="1.4" '
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
            glyph = partner_glyph(p.kind, xa + h, ya, xb - h, yb)
            couple_mid[frozenset((p.a, p.b))] = ((xa + xb) / 2, ya)
        else:
            detour += 1
            top = min(ya, yb) - h - 10 - 5 * (detour % 4)
            d = f"M{num(xa)} {num(ya - h)}V{num(top)}H{num(xb)}V{num(yb - h)}"
            dash = PARTNER_DASH.get(p.kind)
            glyph = f'<path d="{d}" fill="none" stroke="{INK}" stroke-width="1.6"{dash_attr(dash)}/>'
            if p.kind in ("separated", "divorced"):
                glyph += bars_svg(xa, top, xb, top, (0.5,) if p.kind == "separated" else (0.45, 0.55), tilt=0.6)
            couple_mid[frozenset((p.a, p.b))] = ((xa + xb) / 2, max(ya, yb))
        out.append(f'<g class="tie" data-kind="{attr(p.kind)}" data-a="{attr(p.a)}" data-b="{attr(p.b)}">{glyph}</g>')
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
    inferred: set[str] = field(default_factory=set)  # children hanging from a sibling's parents (not recorded)
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
            out.append(line_svg(xa, ya, xb, yb, "1 3", 1.0, "#888"))
    child_top = min(pos[k][1] for k in kids) - h
    row_key = round(child_top)
    level = ctx.stagger.get(row_key, 0)
    ctx.stagger[row_key] = level + 1
    sy = child_top - 22 - 7 * (level % 4)
    groups = _twin_groups(kids, ctx.twin_kind)
    anchors = [sum(pos[k][0] for k in g) / len(g) for g in groups]
    left, right = min(anchors + [dx]), max(anchors + [dx])
    out.append(
        f'<g class="sibship" data-parents="{attr(" ".join(parents))}">'
        f"{line_svg(dx, dy, dx, sy)}{line_svg(left, sy, right, sy)}</g>"
    )
    for g, ax in zip(groups, anchors):
        for k in g:
            kind = ctx.link_kind.get((parents[0], k), "biological")
            for p in parents:
                ctx.used_links.add((p, k))
            kx, ky = pos[k]
            if k in ctx.inferred:
                # Parents not recorded for this child: hangs from a brother's or sister's parents, drawn lighter.
                out.append(
                    f'<g class="tie inferred" data-kind="sibling" data-a="{attr(parents[0])}" data-b="{attr(k)}">'
                    f"{line_svg(ax, sy, kx, ky - h, SIBLING_DASH, 1.3, '#777')}</g>"
                )
                continue
            out.append(
                f'<g class="tie" data-kind="{attr(kind)}" data-a="{attr(parents[0])}" data-b="{attr(k)}">'
                f"{line_svg(ax, sy, kx, ky - h, PARENT_DASH.get(kind))}</g>"
            )
        if len(g) > 1 and any(ctx.twin_kind.get(frozenset((a, b))) == "identical" for a, b in zip(g, g[1:])):
            ty = (sy + child_top) / 2
            lx = ax + (pos[g[0]][0] - ax) / 2
            rx = ax + (pos[g[-1]][0] - ax) / 2
            out.append(line_svg(lx, ty, rx, ty, None, 1.5))
    return out


def _sibling_links(network: Network, lay: GenogramLayout) -> str:
    """Brothers and sisters recorded as such who do not hang from the same parents on the map: on one row a line
    above them with a short drop to each (a sibship without parents), elsewhere a dashed curve between them."""
    pos = lay.positions
    h = SYMBOL / 2
    out: list[str] = []
    for tie in network.sibling_ties:
        if tie.a not in pos or tie.b not in pos or tie.a == tie.b:
            continue
        shared = lay.placement_parents.get(tie.a)
        if shared and set(shared) == set(lay.placement_parents.get(tie.b, ())):
            continue  # drawn as children of the same parents already
        (xa, ya), (xb, yb) = sorted((pos[tie.a], pos[tie.b]))
        dash = SIBLING_DASH if tie.kind != "sibling" else None
        if abs(ya - yb) < 1:
            top = ya - h - 16
            d = f"M{num(xa)} {num(ya - h)}V{num(top)}H{num(xb)}V{num(yb - h)}"
        else:
            d = f"M{num(xa)} {num(ya - h)}C{num(xa)} {num(ya - 60)} {num(xb)} {num(yb - 60)} {num(xb)} {num(yb - h)}"
        out.append(
            f'<g class="tie sibling" data-kind="{attr(tie.kind)}" data-a="{attr(tie.a)}" data-b="{attr(tie.b)}">'
            f'<path d="{d}" fill="none" stroke="{INK}" stroke-width="1.6"{dash_attr(dash)}/></g>'
        )
    return "".join(out)


def _other_parent_links(network: Network, pos: dict[str, tuple[float, float]], drawn: set[tuple[str, str]]) -> str:
    """Parent links that did not decide the placement (a foster parent beside the biological ones): curves."""
    h = SYMBOL / 2
    out: list[str] = []
    for link in network.parents:
        if (link.parent, link.child) in drawn or link.parent not in pos or link.child not in pos:
            continue
        (px, py), (cx, cy) = pos[link.parent], pos[link.child]
        out.append(
            f'<g class="tie" data-kind="{attr(link.kind)}" data-a="{attr(link.parent)}" data-b="{attr(link.child)}">'
            f'<path d="M{num(px)} {num(py + h)}C{num(px)} {num(py + 60)} {num(cx)} {num(cy - 60)} {num(cx)} {num(cy - h)}" '
            f'fill="none" stroke="#555" stroke-width="1.3"'
            f"{dash_attr(PARENT_DASH.get(link.kind) or '1 0')}/></g>"
        )
    return "".join(out)


def draw_genogram(network: Network, lay: GenogramLayout, options: RenderOptions) -> tuple[str, Bounds]:
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
        inferred=lay.inferred,
    )
    for parents, kids in sibships.items():
        out += _sibship_svg(parents, kids, ctx)
    out.append(_other_parent_links(network, pos, ctx.used_links))
    out.append(_sibling_links(network, lay))

    if options.show_emotional:
        out.append(emotional_layer(network, pos, SYMBOL / 2))
    for m in network.members:
        if m.id not in pos:
            continue
        x, y = pos[m.id]
        inner = symbol_svg(m, SYMBOL, options) + label_svg(lay.labels.get(m.id, []), LABEL_TOP)
        out.append(member_group(m, x, y, inner, "pinned" if m.id in lay.pinned else ""))
    b = lay.bounds()
    return "".join(out), (b.x0 - 20, b.y0 - 30, b.x1 + 20, b.y1 + 10)
