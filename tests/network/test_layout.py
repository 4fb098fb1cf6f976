"""Properties of the genogram, eco-map and network-circle layouts and of the SVG drawing (no database)."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kring.network.core.circle import layout_circle, name_width
from kring.network.core.ecomap import layout_ecomap
from kring.network.core.genogram import SYMBOL, Box, layout_genogram
from kring.network.core.graph import (
    DOMAINS,
    EmotionalTie,
    Member,
    Network,
    ParentLink,
    Partnership,
    SystemTie,
    Twins,
)
from kring.network.core.pedigree import parse_ped, read_ped
from kring.network.core.svg import RenderOptions, layout, render_map

PEDIGREES = Path("/work/shared/testdata/pedigrees")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- a random family ----------------------------------------------------------------------------------


@st.composite
def families(draw, max_persons: int = 60) -> Network:
    """Founder couples, children in birth order, remarriages (half-siblings), single parents, twins, loners."""
    members: list[Member] = []
    parents: list[ParentLink] = []
    partners: list[Partnership] = []
    twins: list[Twins] = []
    partner_count: dict[str, int] = {}

    def person(sex=None, born=None, **kw):
        i = f"p{len(members)}"
        members.append(
            Member(
                i,
                f"Person {len(members)} " + "x" * draw(st.integers(0, 14)),
                sex=sex or draw(st.sampled_from(["male", "female", "other", "unknown"])),
                birth_date=born,
                **kw,
            )
        )
        return i

    def couple(a, b, kind):
        partners.append(Partnership(a, b, kind))
        partner_count[a] = partner_count.get(a, 0) + 1
        partner_count[b] = partner_count.get(b, 0) + 1

    def children(parent_ids, year):
        kids = []
        for k in range(draw(st.integers(0, 4))):
            known = draw(st.booleans())
            born = date(year + k * 2, 1 + k, 1) if known else None
            c = person(born=born)
            for p in parent_ids:
                parents.append(ParentLink(p, c, draw(st.sampled_from(["biological"] * 4 + ["adoptive", "foster"]))))
            kids.append((c, year))
        if len(kids) >= 2 and draw(st.booleans()) and members[-1].birth_date is None:
            # last two children are twins (same birth date unknown, adjacent by entry order)
            a, b = kids[-2][0], kids[-1][0]
            twins.append(Twins(a, b, draw(st.sampled_from(["fraternal", "identical"]))))
        return kids

    wave = []
    for _ in range(draw(st.integers(1, 3))):
        a, b = person("male", date(1940, 1, 1)), person("female", date(1942, 1, 1))
        couple(a, b, draw(st.sampled_from(["married", "divorced", "cohabiting"])))
        wave.append(((a, b), 1965))
    for _generation in range(3):
        nxt = []
        for parent_ids, year in wave:
            if len(members) >= max_persons:
                break
            for c, y in children(parent_ids, year):
                if len(members) >= max_persons:
                    break
                roll = draw(st.integers(0, 9))
                if roll < 5:  # marries an in-law
                    s = person(born=date(y, 6, 1))
                    couple(c, s, draw(st.sampled_from(["married", "separated", "relationship"])))
                    nxt.append(((c, s), y + 25))
                    if roll == 0 and partner_count[c] < 2:  # and later a second partner: half-siblings
                        s2 = person(born=date(y, 7, 1))
                        couple(c, s2, "married")
                        nxt.append(((c, s2), y + 30))
                elif roll == 5:
                    nxt.append(((c,), y + 25))  # a single parent
        wave = nxt
    for _ in range(draw(st.integers(0, 3))):
        person()  # no links at all
    return Network(tuple(members), tuple(parents), tuple(partners), tuple(twins))


# --- helpers ------------------------------------------------------------------------------------------


def _drawn_ids(svg: str) -> list[str]:
    root = ET.fromstring(svg.split("\n", 1)[1] if svg.startswith("<?xml") else svg)
    ns = "{http://www.w3.org/2000/svg}"
    return [g.get("data-id") for g in root.iter(f"{ns}g") if "member" in (g.get("class") or "").split()]


def _assert_clean_svg(svg: str) -> None:
    ET.fromstring(svg.split("\n", 1)[1])
    assert not re.search(r'href="(?!#)', svg)
    assert not re.search(r"url\((?!#)", svg)
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def _no_overlaps(boxes: list[Box]) -> None:
    boxes = sorted(boxes, key=lambda b: b.x0)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b.x0 >= a.x1:
                break
            assert not a.overlaps(b), (a, b)


def _symbol_boxes(positions, size):
    return [Box(x - size / 2, y - size / 2, x + size / 2, y + size / 2) for x, y in positions.values()]


# --- genogram properties ------------------------------------------------------------------------------


@SETTINGS
@given(families())
def test_genogram_properties(net):
    lay = layout_genogram(net)
    pos = lay.positions
    assert set(pos) == {m.id for m in net.members}
    # no overlaps: symbols and labels of everybody against everybody
    _no_overlaps([lay.symbol_box(i) for i in pos] + [lay.label_box(i) for i in pos])
    # parents above children
    for link in net.parents:
        assert pos[link.parent][1] < pos[link.child][1]
    # partners adjacent in their row (only their own partner chain in between)
    row_of = {m: (k, n) for k, row in enumerate(lay.rows) for n, m in enumerate(row)}
    chain = {}
    for p in net.partners:
        chain.setdefault(p.a, set()).add(p.b)
        chain.setdefault(p.b, set()).add(p.a)
    for p in net.partners:
        (ra, na), (rb, nb) = row_of[p.a], row_of[p.b]
        assert ra == rb and pos[p.a][1] == pos[p.b][1]
        between = lay.rows[ra][min(na, nb) + 1 : max(na, nb)]
        assert all(m in chain.get(p.a, ()) or m in chain.get(p.b, ()) for m in between)
    # siblings of one couple in birth order (known dates; unknown dates after known). Twins in one sibship hang
    # from one point, so they stand side by side, and an undated twin was born on the day of their dated twin.
    sibships = {}
    for child, ps in lay.placement_parents.items():
        sibships.setdefault(tuple(sorted(ps)), []).append(child)
    for kids in sibships.values():
        kids.sort(key=lambda k: pos[k][0])
    sibship_of = {child: tuple(sorted(ps)) for child, ps in lay.placement_parents.items()}
    born = {m.id: m.birth_date for m in net.members}
    for t in net.twins:
        if t.a in sibship_of and sibship_of.get(t.a) == sibship_of.get(t.b):
            kids = sibships[sibship_of[t.a]]
            assert abs(kids.index(t.a) - kids.index(t.b)) == 1, (t, kids)
            born[t.a] = born[t.a] or born[t.b]
            born[t.b] = born[t.b] or born[t.a]
    for kids in sibships.values():
        dated = [born[k] for k in kids]
        known = [d for d in dated if d]
        assert known == sorted(known)
        if None in dated:
            assert all(d is None for d in dated[dated.index(None) :]), dated
    # half-siblings beside the shared parent: children of the left couple left of those of the right couple
    for person_id, others in chain.items():
        if len(others) != 2:
            continue
        left, right = sorted(others, key=lambda o: pos[o][0])
        kids_left = sibships.get(tuple(sorted((person_id, left))), [])
        kids_right = sibships.get(tuple(sorted((person_id, right))), [])
        if kids_left and kids_right:
            assert max(pos[k][0] for k in kids_left) < min(pos[k][0] for k in kids_right)
    # persons without any link stand at the side
    if lay.side:
        linked_right = max((pos[m][0] for row in lay.rows for m in row), default=-math.inf)
        assert all(pos[m][0] > linked_right for m in lay.side)


@SETTINGS
@given(
    families(),
    st.sampled_from(["genogram", "ecomap", "circle"]),
    st.sampled_from(["cross", "slash"]),
    st.sampled_from([None, "A4", "A3"]),
)
def test_every_member_drawn_once_and_svg_clean(net, kind, death_mark, page):
    svg = render_map(
        net, kind, options=RenderOptions(death_mark=death_mark, page=page, title="A & <B>", subtitle="case 1 – 2024")
    )
    _assert_clean_svg(svg)
    ids = _drawn_ids(svg)
    assert sorted(ids) == sorted(m.id for m in net.members)
    assert f'data-kind="{kind}"' in svg and 'class="viewport"' in svg


def test_pinned_positions_kept_and_no_overlap():
    members = [
        Member("a", "Anna", "female"),
        Member("b", "Bert", "male"),
        Member("c", "Cas", "male"),
        Member("d", "Dirk", "male"),
        Member("e", "Eva", "female"),
    ]
    net = Network(
        tuple(members),
        (
            ParentLink("a", "c"),
            ParentLink("b", "c"),
            ParentLink("a", "d"),
            ParentLink("b", "d"),
            ParentLink("a", "e"),
            ParentLink("b", "e"),
        ),
        (Partnership("a", "b", "married"),),
    )
    free = layout_genogram(net).positions
    # pin Cas right on top of where Dirk stands now
    pinned = Member("c", "Cas", "male", pinned={"genogram": [free["d"][0], free["d"][1]]})
    net2 = Network((members[0], members[1], pinned, members[3], members[4]), net.parents, net.partners)
    lay = layout_genogram(net2)
    assert lay.positions["c"] == (free["d"][0], free["d"][1])
    _no_overlaps([lay.symbol_box(i) for i in lay.positions] + [lay.label_box(i) for i in lay.positions])
    assert layout(net2, "genogram")["c"] == (free["d"][0], free["d"][1])


def test_symbols_and_marks_in_svg():
    net = Network(
        (
            Member("f", "Frank", "male", deceased=True),
            Member("m", "Mia", "female", central=True, household=True),
            Member("k", "Kim", "unknown", household=True),
            Member("t1", "T1", "male"),
            Member("t2", "T2", "male"),
            Member("p", "", kind="pregnancy"),
            Member("x", "Misc", kind="miscarriage"),
        ),
        (
            ParentLink("f", "k"),
            ParentLink("m", "k"),
            ParentLink("f", "t1"),
            ParentLink("m", "t1"),
            ParentLink("f", "t2"),
            ParentLink("m", "t2"),
            ParentLink("m", "p", "biological"),
            ParentLink("m", "x"),
        ),
        (Partnership("f", "m", "divorced"),),
        (Twins("t1", "t2", "identical"),),
        (EmotionalTie("f", "k", "physical_abuse"), EmotionalTie("m", "k", "very_close")),
    )
    svg = render_map(net, "genogram", options=RenderOptions(show_emotional=True, labels={"deceased": "Overleden"}))
    _assert_clean_svg(svg)
    assert 'class="layer-emotional"' in svg and 'data-kind="physical_abuse"' in svg
    assert 'data-kind="divorced"' in svg and 'class="household"' in svg and "Overleden" in svg
    assert 'class="death"' in svg
    svg = render_map(net, "genogram", options=RenderOptions(show_emotional=False))
    assert 'class="layer-emotional"' not in svg


# --- eco-map and circle -------------------------------------------------------------------------------


@st.composite
def ego_networks(draw) -> Network:
    members = []
    for n in range(draw(st.integers(1, 45))):
        members.append(
            Member(
                f"m{n}",
                f"Name {n}",
                draw(st.sampled_from(["male", "female", "other", "unknown"])),
                central=(n == 0 or (n == 1 and draw(st.booleans()))),
                household=draw(st.booleans()),
                domain=draw(st.sampled_from(list(DOMAINS) + [None])),
                ring=draw(st.sampled_from([1, 2, 3, None])),
                support=frozenset(draw(st.sets(st.sampled_from(["practical", "emotional", "information"])))),
                safety=draw(st.sampled_from(["safe", "unsafe", "unknown"])),
            )
        )
    systems = []
    for n in range(draw(st.integers(0, 14))):
        name = f"System {draw(st.integers(0, 9))}"
        member = draw(st.sampled_from([None] + [m.id for m in members]))
        systems.append(
            SystemTie(
                f"s{n}",
                name,
                draw(st.sampled_from(["school", "gp", "police", "other"])),
                member,
                draw(st.sampled_from(["strong", "tenuous", "stressful"])),
                draw(st.sampled_from(["to_system", "from_system", "both", "none"])),
            )
        )
    return Network(tuple(members), systems=tuple(systems))


@SETTINGS
@given(ego_networks())
def test_ecomap_no_overlaps(net):
    lay = layout_ecomap(net)
    assert set(lay.positions) == {m.id for m in net.members}
    boxes = _symbol_boxes(lay.positions, 34)
    r = lay.system_radius
    boxes += [Box(x - r, y - r, x + r, y + r) for x, y in lay.systems.values()]
    _no_overlaps(boxes)
    for m in lay.household:
        assert math.hypot(*lay.positions[m]) + 17 < lay.household_radius
    for m in lay.outer:
        assert math.hypot(*lay.positions[m]) > lay.household_radius
    assert len(lay.systems) == len({t.system for t in net.systems})


@SETTINGS
@given(ego_networks())
def test_circle_rings_and_sectors(net):
    lay = layout_circle(net)
    assert set(lay.positions) == {m.id for m in net.members}
    # Symbols and the names under them (drawn 10 px high, from 2 px below the 30 px symbol) never collide.
    names = [
        Box(x - name_width(lay.labels[i]) / 2, y + 17, x + name_width(lay.labels[i]) / 2, y + 29)
        for i, (x, y) in lay.positions.items()
        if lay.domain.get(i) is not None
    ]
    _no_overlaps(_symbol_boxes(lay.positions, 30) + names)
    for m in net.members:
        x, y = lay.positions[m.id]
        if m.central:
            assert math.hypot(x, y) < lay.bands[1][0]
            continue
        inner, outer = lay.bands[lay.ring[m.id]]
        assert inner < math.hypot(x, y) < outer
        angle = math.atan2(x, -y) % (2 * math.pi)
        start, end = lay.sector[lay.domain[m.id]]
        assert start < angle < end
        if m.ring is None:
            assert lay.ring[m.id] == 3
        if m.domain:
            assert lay.domain[m.id] == m.domain


def test_circle_marks_unsafe_and_professional():
    net = Network(
        (
            Member("c", "Child", central=True),
            Member("u", "Uncle", "male", domain="family", ring=2, safety="unsafe", support=frozenset({"practical"})),
            Member("w", "Worker", "female", domain="professional", ring=3),
        )
    )
    svg = render_map(net, "circle", options=RenderOptions())
    _assert_clean_svg(svg)
    assert 'class="member unsafe"' in svg and 'class="unsafe-mark"' in svg and 'class="member professional"' in svg


# --- pedigree files -----------------------------------------------------------------------------------


def test_parse_ped_basics():
    nets = parse_ped("#fam id pa ma sex\nF1 c f m 1 2\nF1 f 0 0 1 1\nF1 m 0 0 2 1\nF2 x 0 y 0 1\n")
    assert list(nets) == ["F1", "F2"]
    f1 = nets["F1"]
    assert {m.id: m.sex for m in f1.members} == {"c": "male", "f": "male", "m": "female"}
    assert {(link.parent, link.child) for link in f1.parents} == {("f", "c"), ("m", "c")}
    assert len(f1.partners) == 1 and f1.partners[0].kind == "relationship"
    assert {m.id for m in nets["F2"].members} == {"x", "y"}  # a named parent without a row is added


def _ped_files():
    return sorted(p for p in PEDIGREES.rglob("*") if p.is_file() and p.suffix == ".ped")


def test_pedigree_files_found():
    files = [p for p in PEDIGREES.rglob("*") if p.is_file()]
    # everything is a .ped file except the licence
    assert sorted(p.name for p in files if p.suffix != ".ped") == ["LICENSE.md"]
    assert len(_ped_files()) == 37


@pytest.mark.parametrize("path", _ped_files(), ids=lambda p: p.name)
def test_pedigree_file_renders(path):
    rows = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    nets = read_ped(path)
    assert sum(len(n.members) for n in nets.values()) == len(rows)
    for net in nets.values():
        lay = layout_genogram(net)
        _no_overlaps([lay.symbol_box(i) for i in lay.positions] + [lay.label_box(i) for i in lay.positions])
        for link in net.parents:
            assert lay.positions[link.parent][1] < lay.positions[link.child][1]
        svg = render_map(net, "genogram", options=RenderOptions(death_mark="slash"))
        _assert_clean_svg(svg)
        assert len(_drawn_ids(svg)) == len(net.members)


def test_symbol_size_constant():
    assert SYMBOL == 40.0


def test_circle_keeps_long_names_apart():
    # Six relatives in one cell with names as long as real ones: the names must not run into each other.
    relatives = tuple(
        Member(f"r{n}", f"Wendy van den Berg-Claessens {n}", "female", domain="family", ring=2) for n in range(6)
    )
    lay = layout_circle(Network((Member("c", "Kind", central=True),) + relatives))
    names = [
        Box(x - name_width(lay.labels[i]) / 2, y + 17, x + name_width(lay.labels[i]) / 2, y + 29)
        for i, (x, y) in lay.positions.items()
        if i != "c"
    ]
    _no_overlaps(names)
