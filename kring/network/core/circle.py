"""Network circle layout: the central person(s) in the middle, rings by closeness, sectors by life domain.

Ring 1 is very close, 2 close, 3 further away; an unknown ring counts as the outermost. Each of the six
domains (``DOMAINS``) gets an equal sector. Inside a cell (sector x ring band) the persons stand on arcs; when
an arc is full the band gets another arc further out, and every band after it moves out — so crowded cells
grow the circle instead of overlapping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from .genogram import label_lines
from .graph import DOMAINS, RINGS, Member, Network

SPACING = 76.0  # minimum centre-to-centre distance between two persons
NAME_CHAR_WIDTH = 0.62 * 10  # the circle writes names at 10 px (svg.py); generous average glyph width
ARC_GAP = 70.0  # distance between two arcs in one band
CENTRE_SPACING = 64.0
FIRST_RING_MIN = 130.0
BAND_PAD = 36.0


@dataclass
class CircleLayout:
    positions: dict[str, tuple[float, float]]
    central: list[str]
    domain: dict[str, str]
    ring: dict[str, int]
    bands: dict[int, tuple[float, float]]  # ring -> (inner radius, outer radius)
    sector: dict[str, tuple[float, float]]  # domain -> (start angle, end angle), radians, clockwise from 12 o'clock
    labels: dict[str, list[str]]

    @property
    def radius(self) -> float:
        return max(outer for _, outer in self.bands.values())


def member_domain(member: Member) -> str:
    """The sector a person goes in; without a domain: household members in 'household', others in 'family'."""
    if member.domain in DOMAINS:
        return member.domain
    return "household" if member.household else "family"


def member_ring(member: Member) -> int:
    return member.ring if member.ring in RINGS else RINGS[-1]


def name_width(lines: list[str]) -> float:
    """How wide the name under a person is drawn on the circle (only the first label line is shown there)."""
    return len(lines[0]) * NAME_CHAR_WIDTH if lines else 0.0


def _chord(radius: float, angle: float) -> float:
    return 2 * radius * math.sin(min(angle, math.pi) / 2)


def layout_circle(network: Network, moment: date | None = None) -> CircleLayout:
    members = list(network.members)
    labels = {m.id: label_lines(m, moment) for m in members}
    central = [m.id for m in members if m.central]
    others = [m for m in members if not m.central]
    sector_angle = 2 * math.pi / len(DOMAINS)
    sectors = {d: (k * sector_angle, (k + 1) * sector_angle) for k, d in enumerate(DOMAINS)}

    positions: dict[str, tuple[float, float]] = {}
    # Central persons: a small circle of their own in the middle.
    centre_radius = 0.0
    if len(central) == 1:
        positions[central[0]] = (0.0, 0.0)
    elif central:
        centre_radius = max(CENTRE_SPACING / (2 * math.sin(math.pi / len(central))), CENTRE_SPACING / 2)
        for n, m in enumerate(central):
            a = n * 2 * math.pi / len(central)
            positions[m] = (centre_radius * math.sin(a), -centre_radius * math.cos(a))

    cells: dict[tuple[int, str], list[str]] = {}
    domain = {}
    ring = {}
    for person in others:
        domain[person.id] = member_domain(person)
        ring[person.id] = member_ring(person)
        cells.setdefault((ring[person.id], domain[person.id]), []).append(person.id)

    bands: dict[int, tuple[float, float]] = {}
    inner = max(FIRST_RING_MIN - SPACING / 2, centre_radius + SPACING)
    for r in RINGS:
        first_arc = inner + SPACING / 2
        deepest = 0
        for d in DOMAINS:
            ids = cells.get((r, d), [])
            if not ids:
                continue
            # Fill arcs from the inside; an arc at radius R holds as many as fit side by side, names included.
            need = max(SPACING, max(name_width(labels[i]) for i in ids) + 8)
            placed = 0
            arc = 0
            while placed < len(ids):
                radius = first_arc + arc * ARC_GAP
                capacity = 1
                while capacity < len(ids) - placed and _chord(radius, sector_angle / (capacity + 1)) >= need:
                    capacity += 1
                chunk = ids[placed : placed + capacity]
                start, _ = sectors[d]
                step = sector_angle / len(chunk)
                for k, m in enumerate(chunk):
                    a = start + (k + 0.5) * step
                    positions[m] = (radius * math.sin(a), -radius * math.cos(a))
                placed += len(chunk)
                arc += 1
            deepest = max(deepest, arc)
        outer = first_arc + max(deepest - 1, 0) * ARC_GAP + SPACING / 2 + BAND_PAD / 2
        bands[r] = (inner, outer)
        inner = outer
    return CircleLayout(positions, central, domain, ring, bands, sectors, labels)
