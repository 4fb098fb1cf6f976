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

from dataclasses import dataclass, field, replace
from datetime import date

from .graph import Member, Network, ParentLink

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
    # Children placed under the parents of a brother or sister (a sibling link; their own parents not recorded).
    inferred: set[str] = field(default_factory=set)

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


def wrap_words(text: str, width: int) -> list[str]:
    """Text in lines of at most ``width`` characters, broken between words or after a hyphen; a word longer
    than a line is split with a hyphen. Nothing is left out."""
    pieces: list[tuple[str, bool]] = []  # (text, glued to the piece before without a space)
    for word in (text or "").split():
        parts = word.replace("-", "-\n").split("\n")
        for n, part in enumerate(p for p in parts if p):
            glued = n > 0
            while len(part) > width:
                pieces.append((part[: width - 1] + "-", glued))
                part, glued = part[width - 1 :], True
            pieces.append((part, glued))
    lines: list[str] = []
    for piece, glued in pieces:
        sep = "" if glued else " "
        if lines and len(lines[-1]) + len(sep) + len(piece) <= width:
            lines[-1] += sep + piece
        else:
            lines.append(piece)
    return lines or [""]


def full_label_lines(member: Member, moment: date | None = None, width: int = MAX_NAME) -> list[str]:
    """The whole name wrapped in lines of ``width`` characters (not shortened), then the years line."""
    lines = wrap_words(member.name, width)
    if member.kind == "person":
        years = years_line(member, moment)
        if years:
            lines.append(years)
    return lines


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


def _sibling_groups(network: Network, kinds: tuple[str, ...] = ("sibling",)) -> dict[str, str]:
    """Union-find over the persons recorded as brothers and sisters (of ``kinds``) or twins."""
    ids = {m.id for m in network.members}
    group: dict[str, str] = {}
    pairs = [(t.a, t.b) for t in network.sibling_ties if t.kind in kinds] + [(t.a, t.b) for t in network.twins]
    for a, b in pairs:
        if a in ids and b in ids and a != b:
            group.setdefault(a, a)
            group.setdefault(b, b)
            _union(group, a, b)
    return group


def _ancestors(person: str, parents_of: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [person]
    while stack:
        for p in parents_of.get(stack.pop(), ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def inferred_parent_links(network: Network) -> list[ParentLink]:
    """A brother or sister (sibling link, not half or step) whose own parents are not recorded hangs from the
    parents of a sibling who has them: the links the drawing borrows, not stored ones."""
    group = _sibling_groups(network)
    if not group:
        return []
    placed = placement_parents(network)
    parents_of: dict[str, set[str]] = {}
    linked_children = set()
    for link in network.parents:
        parents_of.setdefault(link.child, set()).add(link.parent)
        linked_children.add(link.child)
    kind_of = {(link.parent, link.child): link.kind for link in network.parents}
    entry = {m.id: n for n, m in enumerate(network.members)}
    donors: dict[str, str] = {}
    for person in sorted(group, key=lambda i: entry.get(i, 0)):
        if person in placed:
            donors.setdefault(_find(group, person), person)
    links = []
    for person in group:
        donor = donors.get(_find(group, person))
        if donor is None or person in linked_children:
            continue
        parents = placed[donor]
        if any(p == person or person in _ancestors(p, parents_of) for p in parents):
            continue
        links += [ParentLink(p, person, kind_of.get((p, donor), "biological")) for p in parents]
    return links


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


def _birth_key(member: Member, index: int) -> tuple[int, int, int]:
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


# --- the layout, pass by pass ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kinship:
    """Who is tied to whom, as the layout sees it: links to persons outside the network and to oneself dropped."""

    by_id: dict[str, Member]
    entry: dict[str, int]  # input order: the last tie-breaker everywhere
    partners_of: dict[str, list[str]]
    parents_of: dict[str, tuple[str, ...]]  # child -> the parents it hangs from (placement_parents)
    children_of: dict[str, list[str]]  # the inverse of parents_of
    # Brothers and sisters with no parents on the map: person -> their group (they share a row, side by side).
    sibship: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Groups:
    """Union-find forests over the linked persons (read a group with ``_find``)."""

    row: dict[str, str]  # partners and twins share a row
    block: dict[str, str]  # partners stand side by side
    component: dict[str, str]  # everyone connected by any family tie


def _kinship(network: Network) -> _Kinship:
    """Partners (each pair once, both ways), placement parents and their inverse."""
    by_id = {m.id: m for m in network.members}
    partners_of: dict[str, list[str]] = {}
    for p in network.partners:
        if p.a in by_id and p.b in by_id and p.a != p.b:
            if p.b not in partners_of.setdefault(p.a, []):
                partners_of[p.a].append(p.b)
            if p.a not in partners_of.setdefault(p.b, []):
                partners_of[p.b].append(p.a)
    parents_of = placement_parents(network)
    children_of: dict[str, list[str]] = {}
    for child, ps in parents_of.items():
        for parent in ps:
            children_of.setdefault(parent, []).append(child)
    entry = {m.id: n for n, m in enumerate(network.members)}
    siblings = _sibling_groups(network, ("sibling", "half", "step"))
    sibship = {i: _find(siblings, i) for i in siblings if i not in parents_of}
    sibship = {i: root for i, root in sibship.items() if sum(1 for r in sibship.values() if r == root) > 1}
    return _Kinship(by_id, entry, partners_of, parents_of, children_of, sibship)


def _linked(network: Network, kin: _Kinship) -> set[str]:
    """The persons with any family tie (partner, parent, child, twin); the others go to the side grid."""
    linked: set[str] = set(kin.partners_of) | set(kin.parents_of) | set(kin.sibship)
    for link in network.parents:
        if link.parent in kin.by_id and link.child in kin.by_id:
            linked.add(link.parent)
    for t in network.twins:
        if t.a in kin.by_id and t.b in kin.by_id:
            linked.update((t.a, t.b))
    return linked


def _groups(network: Network, placed: list[str], kin: _Kinship) -> _Groups:
    """Decides who shares a row (partners, twins, siblings without parents), a block (partners) and a component
    (any tie)."""
    partners_of = kin.partners_of
    groups = _Groups({i: i for i in placed}, {i: i for i in placed}, {i: i for i in placed})
    for person, root in kin.sibship.items():
        if person in groups.row and root in groups.row:
            _union(groups.row, person, root)
            _union(groups.component, person, root)
    for a, bs in partners_of.items():
        for b in bs:
            _union(groups.row, a, b)
            _union(groups.block, a, b)
            _union(groups.component, a, b)
    for t in network.twins:
        if t.a in groups.row and t.b in groups.row:
            _union(groups.row, t.a, t.b)
            _union(groups.component, t.a, t.b)
    for link in network.parents:
        if link.parent in groups.component and link.child in groups.component:
            _union(groups.component, link.parent, link.child)
    return groups


def _partner_blocks(
    placed: list[str], generation: dict[str, int], block_group: dict[str, str], partners_of: dict[str, list[str]]
) -> list[list[str]]:
    """The blocks: each partner chain within a row, laid out in a line (partners stay adjacent)."""
    # Partners in different rows can only happen when a cycle was broken; keep blocks within one row.
    blocks_by_root: dict[tuple[str, int], list[str]] = {}
    for i in placed:
        blocks_by_root.setdefault((_find(block_group, i), generation[i]), []).append(i)
    return [_chain_order(ms, partners_of) for ms in blocks_by_root.values()]


def _component_numbers(placed: list[str], component_group: dict[str, str]) -> dict[str, int]:
    """Person -> number of their connected family, numbered in input order (families are never interleaved)."""
    component_rank: dict[str, int] = {}
    for i in placed:
        component_rank.setdefault(_find(component_group, i), len(component_rank))
    return {i: component_rank[_find(component_group, i)] for i in placed}


def _birth_ranks(network: Network, placed: list[str], kin: _Kinship) -> dict[str, tuple[int, ...]]:
    """Sibling order: oldest left; twins of one sibship side by side at the place of the eldest."""
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
            and set(kin.parents_of.get(t.a, ())) == set(kin.parents_of.get(t.b, ()))
        ):
            _union(twin_group, t.a, t.b)
    own_key = {i: _birth_key(kin.by_id[i], kin.entry[i]) for i in placed}
    group_key: dict[str, tuple[int, int, int]] = {}
    for i in placed:
        root = _find(twin_group, i)
        if root not in group_key or own_key[i] < group_key[root]:
            group_key[root] = own_key[i]
    return {i: group_key[_find(twin_group, i)] + own_key[i] for i in placed}


def _depth_first_order(
    blocks: list[list[str]], generation: dict[str, int], kin: _Kinship, birth_rank: dict[str, tuple[int, ...]]
) -> dict[str, int]:
    """The initial order: depth-first from the founders, children in birth order, so each family starts contiguous."""
    block_index = {}
    for n, b in enumerate(blocks):
        for m in b:
            block_index[m] = n
    visit_order: dict[str, int] = {}
    counter = 0
    starts = sorted(range(len(blocks)), key=lambda n: (generation[blocks[n][0]], min(kin.entry[m] for m in blocks[n])))
    for s in starts:
        stack = [s]
        while stack:
            n = stack.pop()
            if blocks[n][0] in visit_order:
                continue
            for m in blocks[n]:
                visit_order[m] = counter
                counter += 1
            kids = sorted(
                {k for m in blocks[n] for k in kin.children_of.get(m, ())}, key=birth_rank.__getitem__, reverse=True
            )
            stack.extend(block_index[k] for k in kids if k not in visit_order)
    return visit_order


def _renumber(row: list[list[str]], npos: dict[str, float]) -> None:
    """Normalised positions (0..1) of the persons in a row, so rows of different lengths compare."""
    flat = [m for b in row for m in b]
    n = len(flat)
    for k, m in enumerate(flat):
        npos[m] = (k + 0.5) / n


def _parent_position(m: str, parents_of: dict[str, tuple[str, ...]], npos: dict[str, float]) -> float | None:
    ps = [p for p in parents_of.get(m, ()) if p in npos]
    return sum(npos[p] for p in ps) / len(ps) if ps else None


def _orient_chain(block: list[str], kin: _Kinship, npos: dict[str, float]) -> None:
    """Turns a chain so the member whose parents stand further left sits left (else husband left, wife right)."""
    if len(block) <= 1:
        return
    first, last = _parent_position(block[0], kin.parents_of, npos), _parent_position(block[-1], kin.parents_of, npos)
    if first is not None and last is not None and first > last:
        block.reverse()
    elif (
        first is None
        and last is None
        and len(block) == 2
        and kin.by_id[block[0]].sex == "female"
        and kin.by_id[block[1]].sex == "male"
    ):
        block.reverse()  # husband left, wife right when nothing else decides


_BlockKey = tuple[int, float | None, tuple[str, ...], tuple[int, ...]]


def _block_key(
    block: list[str],
    kin: _Kinship,
    npos: dict[str, float],
    component: dict[str, int],
    visit_order: dict[str, int],
    birth_rank: dict[str, tuple[int, ...]],
) -> _BlockKey:
    """Where a block goes in its row: a block with parents under them (sibship together, in birth order, half-
    siblings under their own couple); a founder block over the barycenter of its children."""
    primary = next((m for m in block if m in kin.parents_of), None)
    if primary is not None:
        return (
            component[block[0]],
            _parent_position(primary, kin.parents_of, npos),
            tuple(sorted(kin.parents_of[primary])),
            birth_rank[primary],
        )
    kids = [k for m in block for k in kin.children_of.get(m, ()) if k in npos]
    sibling = next((m for m in block if m in kin.sibship), None)
    if sibling is not None and not kids:
        # Brothers and sisters without parents: together, in birth order, where their group stands.
        root = kin.sibship[sibling]
        group = [m for m, r in kin.sibship.items() if r == root and m in npos]
        return (component[block[0]], sum(npos[m] for m in group) / len(group), ("~", root), birth_rank[sibling])
    bary = sum(npos[k] for k in kids) / len(kids) if kids else sum(npos[m] for m in block) / len(block)
    return (component[block[0]], bary, (), (2, 0, visit_order[block[0]]))


def _order_rows(
    blocks: list[list[str]],
    generation: dict[str, int],
    component: dict[str, int],
    visit_order: dict[str, int],
    kin: _Kinship,
    birth_rank: dict[str, tuple[int, ...]],
    sweeps: int,
) -> list[list[list[str]]]:
    """The order within each row (top row first): the depth-first order, then ``sweeps`` barycenter sweeps down."""
    rows_blocks: dict[int, list[list[str]]] = {}
    for b in blocks:
        rows_blocks.setdefault(generation[b[0]], []).append(b)
    row_numbers = sorted(rows_blocks)
    for r in row_numbers:
        rows_blocks[r].sort(key=lambda b: (component[b[0]], visit_order[b[0]]))
    npos: dict[str, float] = {}
    for r in row_numbers:
        _renumber(rows_blocks[r], npos)
    for _ in range(sweeps):
        for r in row_numbers:
            keyed: list[tuple[_BlockKey, list[str]]] = []
            for b in rows_blocks[r]:
                _orient_chain(b, kin, npos)
                keyed.append((_block_key(b, kin, npos, component, visit_order, birth_rank), b))
            keyed.sort(key=lambda kb: kb[0])
            rows_blocks[r] = [b for _, b in keyed]
            _renumber(rows_blocks[r], npos)
    return [rows_blocks[r] for r in row_numbers]


def _minimum_offsets(
    rows: list[list[str]],
    block_id: dict[str, int],
    component: dict[str, int],
    parents_of: dict[str, tuple[str, ...]],
    half_width: dict[str, float],
) -> list[list[float]]:
    """Per row, the tightest x of each person after the first: half widths plus the gap their tie asks for."""
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
    return offsets


def _block_shift(block: list[str], x: dict[str, float], kin: _Kinship, upward: bool) -> tuple[float, float]:
    """How far a block wants to move and how strongly: down passes pull children under their parents, up passes
    (and parentless blocks) pull a couple over the centre of the children they have together."""
    pulls = 0.0
    total = 0.0
    has_parents = False
    for m in block:
        ps = kin.parents_of.get(m)
        if ps:
            has_parents = True
            mid = sum(x[p] for p in ps) / len(ps)
            w = 0.3 if upward else 1.0
            total += (mid - x[m]) * w
            pulls += w
    if upward or not has_parents:
        units: dict[tuple[str, ...], list[str]] = {}
        for m in block:
            for c in kin.children_of.get(m, ()):
                units.setdefault(kin.parents_of[c], []).append(c)
        for ps, kids in units.items():
            unique_kids = list(dict.fromkeys(kids))
            mid = sum(x[p] for p in ps) / len(ps)
            total += sum(x[c] for c in unique_kids) / len(unique_kids) - mid
            pulls += 1.0
    return (total / pulls if pulls else 0.0, max(pulls, 0.05))


def _x_coordinates(
    rows: list[list[str]],
    row_blocks: list[list[list[str]]],
    offsets: list[list[float]],
    block_id: dict[str, int],
    kin: _Kinship,
    passes: int,
) -> dict[str, float]:
    """x per person: from the tightest packing, alternating down/up passes, each row solved by isotonic regression
    (``_pava``) so the order and minimum gaps hold while blocks move as far as they want to."""
    x: dict[str, float] = {}
    for row, off in zip(rows, offsets):
        for m, o in zip(row, off):
            x[m] = o
    for p in range(passes):
        upward = p % 2 == 1
        order = range(len(rows) - 1, -1, -1) if upward else range(len(rows))
        for k in order:
            shift_of_block = {block_id[b[0]]: _block_shift(b, x, kin, upward) for b in row_blocks[k]}
            desired = []
            weight = []
            for m in rows[k]:
                shift, w = shift_of_block[block_id[m]]
                desired.append(x[m] + shift)
                weight.append(w)
            for m, v in zip(rows[k], _pava(desired, weight, offsets[k])):
                x[m] = v
    return x


def _place_unlinked(
    positions: dict[str, tuple[float, float]],
    side: list[str],
    x: dict[str, float],
    half_width: dict[str, float],
    row_count: int,
) -> None:
    """Persons without any link: a grid at the right-hand side, one person per row height, column by column."""
    if not side:
        return
    right = max((x[m] + half_width[m] for m in x), default=0.0) + PAD_COMPONENT
    per_column = max(row_count, 1)
    column_width = max(2 * half_width[m] for m in side) + PAD_GROUP
    for n, m in enumerate(side):
        col, r = divmod(n, per_column)
        positions[m] = (right + col * column_width + column_width / 2, r * ROW_HEIGHT)


def layout_genogram(
    network: Network, moment: date | None = None, *, sweeps: int = 3, passes: int = 6
) -> GenogramLayout:
    """The genogram layout of ``network`` (labels as at ``moment``); see the module docstring for the passes."""
    borrowed = inferred_parent_links(network)
    if borrowed:
        network = replace(network, parents=network.parents + tuple(borrowed))
    ids = [m.id for m in network.members]
    labels = {m.id: label_lines(m, moment) for m in network.members}
    half_width = {i: max(SYMBOL / 2, label_width(labels[i]) / 2) for i in ids}
    kin = _kinship(network)
    linked = _linked(network, kin)
    side = [i for i in ids if i not in linked]
    placed = [i for i in ids if i in linked]

    groups = _groups(network, placed, kin)
    generation = _generations(placed, network, groups.row)
    blocks = _partner_blocks(placed, generation, groups.block, kin.partners_of)
    component = _component_numbers(placed, groups.component)
    birth_rank = _birth_ranks(network, placed, kin)

    visit_order = _depth_first_order(blocks, generation, kin, birth_rank)
    row_blocks = _order_rows(blocks, generation, component, visit_order, kin, birth_rank, sweeps)
    rows = [[m for b in row for m in b] for row in row_blocks]

    block_id = {m: n for n, b in enumerate(blocks) for m in b}
    offsets = _minimum_offsets(rows, block_id, component, kin.parents_of, half_width)
    x = _x_coordinates(rows, row_blocks, offsets, block_id, kin, passes)

    positions: dict[str, tuple[float, float]] = {}
    for k, row in enumerate(rows):
        for m in row:
            positions[m] = (x[m], k * ROW_HEIGHT)
    _place_unlinked(positions, side, x, half_width, len(rows))
    layout = GenogramLayout(positions, rows, generation, kin.parents_of, labels, side)
    layout.inferred = {link.child for link in borrowed}
    _apply_pins(layout, network, half_width)
    _normalise(layout)
    return layout


def _apply_pins(layout: GenogramLayout, network: Network, half_width: dict[str, float]) -> None:
    """Pinned persons keep their (x, y); the others in a row are pushed right, past them, keeping their gaps."""
    pinned = {}
    for member in network.members:
        spot = (member.pinned or {}).get("genogram") if isinstance(member.pinned, dict) else None
        if member.id in layout.positions and spot is not None:
            try:
                pinned[member.id] = (float(spot[0]), float(spot[1]))
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
