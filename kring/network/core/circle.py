"""Network circle layout: the central person(s) in the middle, rings by closeness, sectors by life domain.

Ring 1 is very close, 2 close, 3 further away; an unknown ring counts as the outermost. Each of the six
domains (``DOMAINS``) gets an equal sector. Inside a cell (sector x ring band) the persons stand on arcs; when
an arc is full the band gets another arc further out, and every band after it moves out — so crowded cells
grow the circle instead of overlapping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from .genogram import label_lines, wrap_words
from .graph import DOMAINS, RINGS, Member, Network

SPACING = 76.0  # minimum centre-to-centre distance between two persons
NAME_CHAR_WIDTH = 0.62 * 10  # the circle writes names at 10 px (svg.py); generous average glyph width
ARC_GAP = 70.0  # distance between two arcs in one band
CENTRE_SPACING = 64.0
FIRST_RING_MIN = 130.0
BAND_PAD = 36.0
SYSTEM_NAME_WIDTH = 18  # characters per line of an institution's name

# Where the institutions of the eco-map (its ties to systems) stand on the circle: school and work in
# "school or work", clubs, faith and the neighbourhood in "neighbourhood and clubs", the services in "professional".
SYSTEM_DOMAINS = {
    "school": "school_work",
    "work": "school_work",
    "sports_club": "neighbourhood_clubs",
    "faith": "neighbourhood_clubs",
    "neighbourhood": "neighbourhood_clubs",
}
SYSTEM_PREFIX = "system:"  # keys of institutions among the persons while they are placed


@dataclass
class CircleLayout:
    positions: dict[str, tuple[float, float]]
    central: list[str]
    domain: dict[str, str]
    ring: dict[str, int]
    bands: dict[int, tuple[float, float]]  # ring -> (inner radius, outer radius)
    sector: dict[str, tuple[float, float]]  # domain -> (start angle, end angle), radians, clockwise from 12 o'clock
    labels: dict[str, list[str]]
    # The institutions (one per distinct system name of the eco-map's ties): centre, kind, ring and name lines.
    systems: dict[str, tuple[float, float]] = field(default_factory=dict)
    system_kind: dict[str, str] = field(default_factory=dict)
    system_lines: dict[str, list[str]] = field(default_factory=dict)

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


def system_place(kind: str, strengths: set[str]) -> tuple[str, int]:
    """An institution's sector and ring: by its kind; close (ring 2) when a tie to it is strong, else further."""
    return SYSTEM_DOMAINS.get(kind, "professional"), 2 if "strong" in strengths else 3


def _drawn_width(key: str, lines: list[str]) -> float:
    """Width of what stands at a place: a person's name, or an institution's box with every line of its name."""
    if key.startswith(SYSTEM_PREFIX):
        return max(len(line) for line in lines) * NAME_CHAR_WIDTH + 10 if lines else 0.0
    return name_width(lines)


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
    system_kind: dict[str, str] = {}
    strengths: dict[str, set[str]] = {}
    for tie in network.systems:
        system_kind.setdefault(tie.system, tie.kind)
        strengths.setdefault(tie.system, set()).add(tie.strength)
    system_lines = {name: wrap_words(name, max(SYSTEM_NAME_WIDTH, -(-len(name) // 4))) for name in system_kind}
    for name in sorted(system_kind, key=str.lower):
        key = SYSTEM_PREFIX + name
        sector, band = system_place(system_kind[name], strengths[name])
        labels[key] = system_lines[name]
        cells.setdefault((band, sector), []).append(key)

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
            need = max(SPACING, max(_drawn_width(i, labels[i]) for i in ids) + 8)
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
    systems = {
        key[len(SYSTEM_PREFIX) :]: positions.pop(key) for key in list(positions) if key.startswith(SYSTEM_PREFIX)
    }
    for key in [k for k in labels if k.startswith(SYSTEM_PREFIX)]:
        del labels[key]
    return CircleLayout(positions, central, domain, ring, bands, sectors, labels, systems, system_kind, system_lines)
