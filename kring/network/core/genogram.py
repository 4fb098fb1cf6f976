"""Genogram layout: generations in rows, couples side by side, children hanging from their parents' sibship line.

A layered (Sugiyama-style) layout tuned for families rather than general graphs:

1. generations: partners (and twins) are merged with union-find so they share a row; a person's row is the
   longest parent chain above them; founders who only marry in are pulled down next to their partner;
2. blocks: each partner chain in a row is one block (partner A, the person, partner B), so partners stay adjacent;
3. order: a few barycenter sweeps; a block is keyed by the position of its parents (so a sibship stays together
   and in birth order, and half-siblings sit under their own couple), founder blocks by their children;
4. x: alternating down/up passes, each solving a per-row isotonic regression (pool-adjacent-violators) — it keeps
   the order and the minimum gaps (symbol and label widths) while pulling children under their parents and
   parents over their children. Linear per pass, so thousands of persons take well under a second.

Everything is plain Python over ``graph.Network``; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .graph import Member, Network

SYMBOL = 40.0  # symbol width and height
ROW_HEIGHT = 150.0
LABEL_FONT = 11.0
LABEL_LINE = 13.0
LABEL_TOP = SYMBOL / 2 + 6  # label starts this far below the symbol centre
CHAR_WIDTH = 0.62 * LABEL_FONT  # generous average for a generic sans-serif, so labels never run into neighbours
MAX_NAME = 22
PAD_PARTNER = 14.0
PAD_SIBLING = 16.0
PAD_GROUP = 34.0
PAD_COMPONENT = 70.0
MARGIN = 40.0

# Which parent links decide where a child hangs: the first kind present wins.
PLACEMENT_PRIORITY = ("biological", "adoptive", "foster", "guardian", "step")


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


@dataclass
class GenogramLayout:
    positions: dict[str, tuple[float, float]]
    rows: list[list[str]]  # member ids per generation, left to right (side persons and pinned not included)
    generation: dict[str, int]
    placement_parents: dict[str, tuple[str, ...]]  # child -> the parents it hangs from
    labels: dict[str, list[str]]
    side: list[str] = field(default_factory=list)  # persons without any link, placed at the right
    pinned: set[str] = field(default_factory=set)

    def symbol_box(self, member_id: str) -> Box:
        x, y = self.positions[member_id]
        h = SYMBOL / 2
        return Box(x - h, y - h, x + h, y + h)

    def label_box(self, member_id: str) -> Box:
        x, y = self.positions[member_id]
        lines = self.labels.get(member_id) or [""]
        w = label_width(lines)
        return Box(x - w / 2, y + LABEL_TOP - 2, x + w / 2, y + LABEL_TOP + LABEL_LINE * len(lines))

    def bounds(self) -> Box:
        if not self.positions:
            return Box(0, 0, 0, 0)
        boxes = [self.symbol_box(i) for i in self.positions] + [self.label_box(i) for i in self.positions]
        return Box(
            min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes)
        )


# --- labels -----------------------------------------------------------------------------------------------


def short_name(name: str, limit: int = MAX_NAME) -> str:
    name = " ".join((name or "").split())
    return name if len(name) <= limit else name[: limit - 1] + "…"


def years_line(member: Member, moment: date | None = None) -> str:
    """'1970 (54)' for the living, '1970 – 2020' for the dead; age counted up to ``moment`` or today."""
    born = member.birth_date
    died = member.death_date
    if died and (moment is None or died <= moment):
        return f"{born.year if born else '?'} – {died.year}"
    if member.deceased and moment is None:
        return f"{born.year} – ?" if born else "†"
    if born:
        ref = moment or date.today()
        age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
        return f"{born.year} ({max(age, 0)})"
    return ""


def label_lines(member: Member, moment: date | None = None) -> list[str]:
    lines = [short_name(member.name)]
    if member.kind == "person":
        years = years_line(member, moment)
        if years:
            lines.append(years)
    return lines


def label_width(lines: list[str]) -> float:
    return max((len(s) for s in lines), default=0) * CHAR_WIDTH + 4


# --- union-find -------------------------------------------------------------------------------------------


def _find(parent: dict[str, str], x: str) -> str:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        parent[x], x = root, parent[x]
    return root


def _union(parent: dict[str, str], a: str, b: str) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[rb] = ra


# --- the layout -------------------------------------------------------------------------------------------


def placement_parents(network: Network) -> dict[str, tuple[str, ...]]:
    """Child -> the one or two parents it hangs from (the best kind of link present, see PLACEMENT_PRIORITY)."""
    ids = {m.id for m in network.members}
    by_child: dict[str, dict[str, list[str]]] = {}
    for link in network.parents:
        if link.parent in ids and link.child in ids and link.parent != link.child:
            by_child.setdefault(link.child, {}).setdefault(link.kind, []).append(link.parent)
    result = {}
    for child, kinds in by_child.items():
        for kind in PLACEMENT_PRIORITY + tuple(k for k in kinds if k not in PLACEMENT_PRIORITY):
            if kind in kinds:
                result[child] = tuple(dict.fromkeys(kinds[kind]))[:2]
                break
    return result


def _generations(ids: list[str], network: Network, group: dict[str, str]) -> dict[str, int]:
    """Row per group: longest parent chain from the top; parentless groups pulled down to just above their children."""
    children_of: dict[str, set[str]] = {}
    indegree: dict[str, int] = {}
    roots = {_find(group, i) for i in ids}
    for r in roots:
        children_of[r] = set()
        indegree[r] = 0
    idset = set(ids)
    for link in network.parents:
        if link.parent not in idset or link.child not in idset:
            continue
        gp, gc = _find(group, link.parent), _find(group, link.child)
        if gp != gc and gc not in children_of[gp]:
            children_of[gp].add(gc)
            indegree[gc] += 1
    # Kahn's topological order; a cycle (a person partnered with a descendant) is broken at its lowest indegree.
    order: list[str] = []
    remaining = dict(indegree)
    ready = [r for r in roots if remaining[r] == 0]
    done: set[str] = set()
    while len(order) < len(roots):
        if not ready:
            stuck = min((r for r in roots if r not in done), key=lambda r: remaining[r])
            ready.append(stuck)
            remaining[stuck] = 0
        node = ready.pop()
        if node in done:
            continue
        done.add(node)
        order.append(node)
        for c in children_of[node]:
            if c in done:
                continue
            remaining[c] -= 1
            if remaining[c] == 0:
                ready.append(c)
    position = {r: i for i, r in enumerate(order)}
    gen = {r: 0 for r in roots}
    for node in order:
        for c in children_of[node]:
            if position[c] > position[node] and gen[c] < gen[node] + 1:
                gen[c] = gen[node] + 1
    # Founders who married into a later generation hang right above their children, not at the very top.
    for node in reversed(order):
        if indegree[node] == 0 and children_of[node]:
            lowest = (
                min(gen[c] for c in children_of[node] if position[c] > position[node])
                if any(position[c] > position[node] for c in children_of[node])
                else None
            )
            if lowest is not None:
                gen[node] = max(gen[node], lowest - 1)
    return {i: gen[_find(group, i)] for i in ids}


def _chain_order(members: list[str], partners_of: dict[str, list[str]]) -> list[str]:
    """Lay a partner chain out in a line: start at an end so A–P–B reads partner A, the person, partner B."""
    if len(members) == 1:
        return members
    inside = set(members)
    degree = {m: len([p for p in partners_of.get(m, ()) if p in inside]) for m in members}
    ends = [m for m in members if degree[m] <= 1]
    start = ends[0] if ends else members[0]
    if not ends:
        # Not a path (star or ring): put the best-connected person in the middle of their partners.
        hub = max(members, key=lambda m: degree[m])
        rest = [m for m in members if m != hub]
        half = len(rest) // 2
        return rest[:half] + [hub] + rest[half:]
    seen = {start}
    line = [start]
    current = start
    while True:
        nxt = [p for p in partners_of.get(current, ()) if p in inside and p not in seen]
        if not nxt:
            break
        current = nxt[0]
        seen.add(current)
        line.append(current)
    if len(line) < len(members):  # a branching chain: append the rest, keeping the main path intact
        line += [m for m in members if m not in seen]
    return line


def _birth_key(member: Member, index: int) -> tuple:
    # Oldest left; persons with no birth date after those with one, in entry order.
    return (0, member.birth_date.toordinal(), index) if member.birth_date else (1, 0, index)


def _pava(desired: list[float], weight: list[float], offset: list[float]) -> list[float]:
    """Positions x closest (weighted least squares) to ``desired`` with x[i+1] - x[i] >= offset[i+1] - offset[i]."""
    # Substituting z = x - offset turns the gap constraints into z nondecreasing: isotonic regression.
    blocks_value: list[float] = []
    blocks_weight: list[float] = []
    blocks_size: list[int] = []
    for d, w, o in zip(desired, weight, offset):
        value, wt, size = d - o, w, 1
        while blocks_value and blocks_value[-1] > value:
            pv, pw, ps = blocks_value.pop(), blocks_weight.pop(), blocks_size.pop()
            value = (pv * pw + value * wt) / (pw + wt)
            wt += pw
            size += ps
        blocks_value.append(value)
        blocks_weight.append(wt)
        blocks_size.append(size)
    result = []
    i = 0
    for value, size in zip(blocks_value, blocks_size):
        for _ in range(size):
            result.append(value + offset[i])
            i += 1
    return result


def layout_genogram(
    network: Network, moment: date | None = None, *, sweeps: int = 3, passes: int = 6
) -> GenogramLayout:
    members = list(network.members)
    by_id = {m.id: m for m in members}
    ids = [m.id for m in members]
    entry = {i: n for n, i in enumerate(ids)}
    labels = {m.id: label_lines(m, moment) for m in members}
    half_width = {i: max(SYMBOL / 2, label_width(labels[i]) / 2) for i in ids}

    partners_of: dict[str, list[str]] = {}
    for p in network.partners:
        if p.a in by_id and p.b in by_id and p.a != p.b:
            if p.b not in partners_of.setdefault(p.a, []):
                partners_of[p.a].append(p.b)
            if p.a not in partners_of.setdefault(p.b, []):
                partners_of[p.b].append(p.a)
    parents_of = placement_parents(network)

    linked: set[str] = set(partners_of) | set(parents_of)
    for link in network.parents:
        if link.parent in by_id and link.child in by_id:
            linked.add(link.parent)
    for t in network.twins:
        if t.a in by_id and t.b in by_id:
            linked.update((t.a, t.b))
    side = [i for i in ids if i not in linked]
    placed = [i for i in ids if i in linked]

    row_group = {i: i for i in placed}
    block_of_uf = {i: i for i in placed}
    component_uf = {i: i for i in placed}
    for a, bs in partners_of.items():
        for b in bs:
            _union(row_group, a, b)
            _union(block_of_uf, a, b)
            _union(component_uf, a, b)
    for t in network.twins:
        if t.a in row_group and t.b in row_group:
            _union(row_group, t.a, t.b)
            _union(component_uf, t.a, t.b)
    for link in network.parents:
        if link.parent in component_uf and link.child in component_uf:
            _union(component_uf, link.parent, link.child)
    generation = _generations(placed, network, row_group)
    # Partners in different rows can only happen when a cycle was broken; keep blocks within one row.
    blocks_by_root: dict[tuple[str, int], list[str]] = {}
    for i in placed:
        blocks_by_root.setdefault((_find(block_of_uf, i), generation[i]), []).append(i)
    blocks = [_chain_order(ms, partners_of) for ms in blocks_by_root.values()]
    component_rank: dict[str, int] = {}
    for i in placed:
        component_rank.setdefault(_find(component_uf, i), len(component_rank))
    component = {i: component_rank[_find(component_uf, i)] for i in placed}

    # Twins hang from one point of their sibship line, so they share one birth key: that of the eldest dated
    # twin (or, with no dates at all, of the first entered). Only twins in the same sibship are grouped — a twin
    # who hangs from other parents (say, a biological link where the other twin has an adoptive one) is ordered
    # by their own date in their own sibship, not dragged to their twin's place.
    twin_group = {i: i for i in placed}
    for t in network.twins:
        if (
            t.a in twin_group
            and t.b in twin_group
            and t.a != t.b
            and set(parents_of.get(t.a, ())) == set(parents_of.get(t.b, ()))
        ):
            _union(twin_group, t.a, t.b)
    own_key = {i: _birth_key(by_id[i], entry[i]) for i in placed}
    group_key: dict[str, tuple] = {}
    for i in placed:
        root = _find(twin_group, i)
        if root not in group_key or own_key[i] < group_key[root]:
            group_key[root] = own_key[i]

    def birth_rank(i: str) -> tuple:
        return group_key[_find(twin_group, i)] + own_key[i]

    children_of: dict[str, list[str]] = {}
    for child, ps in parents_of.items():
        for p in ps:
            children_of.setdefault(p, []).append(child)

    # Initial order: depth-first from the founders, so each family starts out contiguous.
    block_index = {}
    for n, b in enumerate(blocks):
        for m in b:
            block_index[m] = n
    visit_order: dict[str, int] = {}
    counter = 0
    starts = sorted(range(len(blocks)), key=lambda n: (generation[blocks[n][0]], min(entry[m] for m in blocks[n])))
    for s in starts:
        stack = [s]
        while stack:
            n = stack.pop()
            if blocks[n][0] in visit_order:
                continue
            for m in blocks[n]:
                visit_order[m] = counter
                counter += 1
            kids = sorted({k for m in blocks[n] for k in children_of.get(m, ())}, key=birth_rank, reverse=True)
            stack.extend(block_index[k] for k in kids if k not in visit_order)

    rows_blocks: dict[int, list[list[str]]] = {}
    for b in blocks:
        rows_blocks.setdefault(generation[b[0]], []).append(b)
    row_numbers = sorted(rows_blocks)
    for r in row_numbers:
        rows_blocks[r].sort(key=lambda b: (component[b[0]], visit_order[b[0]]))

    npos: dict[str, float] = {}

    def renumber(r: int) -> None:
        flat = [m for b in rows_blocks[r] for m in b]
        n = len(flat)
        for k, m in enumerate(flat):
            npos[m] = (k + 0.5) / n

    for r in row_numbers:
        renumber(r)

    def parent_key(m: str) -> float | None:
        ps = [p for p in parents_of.get(m, ()) if p in npos]
        return sum(npos[p] for p in ps) / len(ps) if ps else None

    def primary(block: list[str]) -> str | None:
        for m in block:
            if m in parents_of:
                return m
        return None

    for _ in range(sweeps):
        for r in row_numbers:
            keyed = []
            for b in rows_blocks[r]:
                # Orient a chain so the member whose parents stand further left sits left.
                if len(b) > 1:
                    first, last = parent_key(b[0]), parent_key(b[-1])
                    if first is not None and last is not None and first > last:
                        b.reverse()
                    elif (
                        first is None
                        and last is None
                        and len(b) == 2
                        and by_id[b[0]].sex == "female"
                        and by_id[b[1]].sex == "male"
                    ):
                        b.reverse()  # husband left, wife right when nothing else decides
                p = primary(b)
                if p is not None:
                    key = (component[b[0]], parent_key(p), tuple(sorted(parents_of[p])), birth_rank(p))
                else:
                    kids = [k for m in b for k in children_of.get(m, ()) if k in npos]
                    bary = sum(npos[k] for k in kids) / len(kids) if kids else sum(npos[m] for m in b) / len(b)
                    key = (component[b[0]], bary, (), (2, 0, visit_order[b[0]]))
                keyed.append((key, b))
            keyed.sort(key=lambda kb: kb[0])
            rows_blocks[r] = [b for _, b in keyed]
            renumber(r)

    # --- x coordinates ---
    rows = [[m for b in rows_blocks[r] for m in b] for r in row_numbers]
    block_id = {m: n for n, b in enumerate(blocks) for m in b}
    offsets: list[list[float]] = []
    for row in rows:
        off = [0.0]
        for a, b in zip(row, row[1:]):
            if block_id[a] == block_id[b]:
                pad = PAD_PARTNER
            elif component[a] != component[b]:
                pad = PAD_COMPONENT
            elif a in parents_of and b in parents_of and set(parents_of[a]) == set(parents_of[b]):
                pad = PAD_SIBLING
            else:
                pad = PAD_GROUP
            off.append(off[-1] + half_width[a] + half_width[b] + pad)
        offsets.append(off)
    x: dict[str, float] = {}
    for row, off in zip(rows, offsets):
        for m, o in zip(row, off):
            x[m] = o

    row_blocks_list = [rows_blocks[r] for r in row_numbers]

    def solve_row(k: int, upward: bool) -> None:
        row = rows[k]
        shift_of_block: dict[int, tuple[float, float]] = {}
        for b in row_blocks_list[k]:
            pulls = 0.0
            total = 0.0
            has_parents = False
            for m in b:
                ps = parents_of.get(m)
                if ps:
                    has_parents = True
                    mid = sum(x[p] for p in ps) / len(ps)
                    w = 0.3 if upward else 1.0
                    total += (mid - x[m]) * w
                    pulls += w
            if upward or not has_parents:
                # Pull the couple over the centre of the children they have together.
                units: dict[tuple, list[str]] = {}
                for m in b:
                    for c in children_of.get(m, ()):
                        units.setdefault(parents_of[c], []).append(c)
                for ps, kids in units.items():
                    kids = list(dict.fromkeys(kids))
                    mid = sum(x[p] for p in ps) / len(ps)
                    total += sum(x[c] for c in kids) / len(kids) - mid
                    pulls += 1.0
            shift_of_block[block_id[b[0]]] = (total / pulls if pulls else 0.0, max(pulls, 0.05))
        desired = []
        weight = []
        for m in row:
            shift, w = shift_of_block[block_id[m]]
            desired.append(x[m] + shift)
            weight.append(w)
        for m, v in zip(row, _pava(desired, weight, offsets[k])):
            x[m] = v

    for p in range(passes):
        upward = p % 2 == 1
        order = range(len(rows) - 1, -1, -1) if upward else range(len(rows))
        for k in order:
            solve_row(k, upward)

    positions: dict[str, tuple[float, float]] = {}
    for k, row in enumerate(rows):
        for m in row:
            positions[m] = (x[m], k * ROW_HEIGHT)

    # Persons without any link: a grid at the right-hand side.
    if side:
        right = max((x[m] + half_width[m] for m in x), default=0.0) + PAD_COMPONENT
        per_column = max(len(rows), 1)
        column_width = max(2 * half_width[m] for m in side) + PAD_GROUP
        for n, m in enumerate(side):
            col, r = divmod(n, per_column)
            positions[m] = (right + col * column_width + column_width / 2, r * ROW_HEIGHT)
    layout = GenogramLayout(positions, rows, generation, parents_of, labels, side)
    _apply_pins(layout, network, half_width)
    _normalise(layout)
    return layout


def _apply_pins(layout: GenogramLayout, network: Network, half_width: dict[str, float]) -> None:
    """Pinned persons keep their (x, y); the others in a row are pushed right, past them, keeping their gaps."""
    pinned = {}
    for m in network.members:
        spot = (m.pinned or {}).get("genogram") if isinstance(m.pinned, dict) else None
        if m.id in layout.positions and spot is not None:
            try:
                pinned[m.id] = (float(spot[0]), float(spot[1]))
            except (TypeError, ValueError, IndexError, KeyError):
                continue
    if not pinned:
        return
    layout.pinned = set(pinned)
    layout.positions.update(pinned)
    obstacles = [_full_box(layout, p) for p in pinned]
    rows = [row for row in layout.rows] + ([layout.side] if layout.side else [])
    for row in rows:
        free = [m for m in row if m not in pinned]
        previous = None
        for m in free:
            x, y = layout.positions[m]
            if previous is not None:
                px = layout.positions[previous][0]
                x = max(x, px + half_width[previous] + half_width[m] + PAD_SIBLING)
            for _ in range(len(obstacles) + 1):
                layout.positions[m] = (x, y)
                box = _full_box(layout, m)
                hit = [o for o in obstacles if box.overlaps(o)]
                if not hit:
                    break
                x = max(o.x1 for o in hit) + half_width[m] + 1
            layout.positions[m] = (x, y)
            previous = m


def _full_box(layout: GenogramLayout, m: str) -> Box:
    a, b = layout.symbol_box(m), layout.label_box(m)
    return Box(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1))


def _normalise(layout: GenogramLayout) -> None:
    if not layout.positions or layout.pinned:
        return  # pinned coordinates are the user's; do not move the frame under them
    b = layout.bounds()
    dx, dy = MARGIN - b.x0, MARGIN - b.y0
    layout.positions = {m: (x + dx, y + dy) for m, (x, y) in layout.positions.items()}
