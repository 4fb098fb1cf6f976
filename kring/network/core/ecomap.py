"""Eco-map layout (Hartman 1978): the household in a central circle, each system as a circle around it.

Household members stand in rows inside the central circle; other persons who have their own tie to a system
stand on a ring just outside it; the systems (one circle per distinct ``SystemTie.system``) are spread evenly on
an outer ring, grouped by kind so schools sit next to schools. Radii grow with the counts, so nothing overlaps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .genogram import full_label_lines, label_width, wrap_words
from .graph import SYSTEM_KINDS, Member, Network

MEMBER_SPACING = 90.0  # centre to centre, room for a symbol and its label
MEMBER_ROW = 80.0
PER_ROW = 5
SYSTEM_RADIUS = 48.0
SYSTEM_GAP = 24.0
RING_GAP = 70.0
SYMBOL = 34.0
SYSTEM_FONT = 11.0  # a system's name inside its circle
SYSTEM_LINE = 13.0
SYSTEM_CHAR = 0.62 * SYSTEM_FONT  # generous average glyph width, as for the persons' labels


@dataclass
class EcomapLayout:
    positions: dict[str, tuple[float, float]]  # member id -> centre (0, 0 is the household centre)
    household: list[str]
    household_radius: float
    outer: list[str]  # members outside the household
    outer_radius: float
    systems: dict[str, tuple[float, float]]  # system name -> centre
    system_kind: dict[str, str]
    system_radius: float
    ring_radius: float
    labels: dict[str, list[str]]
    system_lines: dict[str, list[str]] = field(default_factory=dict)  # system name -> its lines in the circle


def _needed_radius(lines: list[str]) -> float:
    """The radius of a circle that holds these centred lines whole."""
    n = len(lines)
    radius = 0.0
    for k, line in enumerate(lines):
        y = abs(k - (n - 1) / 2) * SYSTEM_LINE + SYSTEM_LINE / 2
        radius = max(radius, math.hypot(len(line) * SYSTEM_CHAR / 2, y))
    return radius + 5


def fit_system_name(name: str) -> tuple[list[str], float]:
    """The name wrapped in the way that needs the smallest circle, and that circle's radius (never shortened)."""
    best: tuple[float, list[str]] | None = None
    # Words up to 16 characters stay whole ("Huisartsenpraktijk" is split, "Basisschool" is not).
    longest = max((len(part) for word in name.split() for part in word.split("-")), default=1)
    for width in range(max(6, min(longest, 16)), 31):
        lines = wrap_words(name, width)
        radius = _needed_radius(lines)
        if best is None or radius < best[0] - 1e-9:
            best = (radius, lines)
    assert best is not None
    return best[1], best[0]


def layout_ecomap(network: Network, moment: date | None = None) -> EcomapLayout:
    members = list(network.members)
    labels = {m.id: full_label_lines(m, moment) for m in members}
    household = [m.id for m in members if m.household] or [m.id for m in members if m.central]
    in_house = set(household)
    outer = [m.id for m in members if m.id not in in_house]

    positions: dict[str, tuple[float, float]] = {}
    spacing = max([MEMBER_SPACING] + [label_width(labels[i]) + 12 for i in members_ids(members)])
    rows = [household[k : k + PER_ROW] for k in range(0, len(household), PER_ROW)]
    height = (len(rows) - 1) * MEMBER_ROW
    for r, row in enumerate(rows):
        width = (len(row) - 1) * spacing
        for c, m in enumerate(row):
            positions[m] = (-width / 2 + c * spacing, -height / 2 + r * MEMBER_ROW - 8)
    widest = max(((len(row) - 1) * spacing for row in rows), default=0.0)
    # The circle must hold the corners of the block of rows, symbols and labels included.
    household_radius = max(70.0, math.hypot(widest / 2 + spacing / 2, height / 2 + MEMBER_ROW / 2) + 10)

    outer_radius = household_radius
    if outer:
        needed = spacing / (2 * math.sin(math.pi / len(outer))) if len(outer) > 1 else 0.0
        outer_radius = max(household_radius + RING_GAP, needed)
        for n, m in enumerate(outer):
            angle = -math.pi / 2 + (n + 0.5) * 2 * math.pi / len(outer)
            positions[m] = (outer_radius * math.cos(angle), outer_radius * math.sin(angle))

    kind_rank = {k: n for n, k in enumerate(SYSTEM_KINDS)}
    system_kind: dict[str, str] = {}
    for tie in network.systems:
        system_kind.setdefault(tie.system, tie.kind)
    names = sorted(system_kind, key=lambda s: (kind_rank.get(system_kind[s], len(kind_rank)), s.lower()))
    systems: dict[str, tuple[float, float]] = {}
    fitted = {name: fit_system_name(name) for name in names}
    # One size for every system circle: the default, or larger so the longest name fits whole.
    system_radius = max([SYSTEM_RADIUS] + [radius for _lines, radius in fitted.values()])
    inner_edge = outer_radius + (spacing / 2 + 20 if outer else 0)
    ring_radius = inner_edge + RING_GAP + system_radius
    if names:
        # Chord between neighbours must exceed two radii plus a gap.
        step = 2 * math.pi / len(names)
        if len(names) > 1:
            needed = (2 * system_radius + SYSTEM_GAP) / (2 * math.sin(min(step, math.pi) / 2))
            ring_radius = max(ring_radius, needed)
        for n, s in enumerate(names):
            angle = -math.pi / 2 + n * step
            systems[s] = (ring_radius * math.cos(angle), ring_radius * math.sin(angle))
    return EcomapLayout(
        positions,
        household,
        household_radius,
        outer,
        outer_radius,
        systems,
        system_kind,
        system_radius,
        ring_radius,
        labels,
        {name: lines for name, (lines, _radius) in fitted.items()},
    )


def members_ids(members: Iterable[Member]) -> list[str]:
    return [m.id for m in members]
