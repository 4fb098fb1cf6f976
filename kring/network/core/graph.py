"""A family network as plain data: the persons on the map and the ties between them.

Everything that computes on a network (layouts, SVG drawing, statistics, GEDCOM) takes a ``Network`` and
knows nothing of Django or the database. Ids are strings so imported files and stored records look alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

# --- vocabularies (the stored values; the interface translates them) ---------------------------------------

SEXES = ("female", "male", "other", "unknown")
SYMBOL_KINDS = ("person", "pregnancy", "miscarriage", "stillbirth")

# Parent-child links: who raises or raised the child, and how.
PARENT_KINDS = ("biological", "adoptive", "foster", "step", "guardian")
# Partner links, in the order a partnership usually goes.
PARTNER_KINDS = ("relationship", "engaged", "cohabiting", "married", "separated", "divorced", "widowed")
TWIN_KINDS = ("fraternal", "identical")
# Brothers and sisters recorded as such (beside those who share recorded parents): unknown, half, step.
SIBLING_KINDS = ("sibling", "half", "step")
EMOTIONAL_KINDS = (
    "close",
    "very_close",
    "distant",
    "conflict",
    "hostile",
    "cut_off",
    "physical_abuse",
    "emotional_abuse",
    "sexual_abuse",
    "neglect",
)
# Emotional kinds that point from one person to another (who harms whom).
DIRECTED_EMOTIONAL_KINDS = ("physical_abuse", "emotional_abuse", "sexual_abuse", "neglect")

DOMAINS = ("household", "family", "friends", "school_work", "neighbourhood_clubs", "professional")
INFORMAL_DOMAINS = ("household", "family", "friends", "school_work", "neighbourhood_clubs")
RINGS = (1, 2, 3)  # 1 = very close, 2 = close, 3 = further away
SUPPORT_TYPES = ("practical", "emotional", "information")
HELP_DIRECTIONS = ("gives", "receives", "both")
SAFETY_FLAGS = ("safe", "unsafe", "unknown")

SYSTEM_KINDS = (
    "school",
    "work",
    "faith",
    "sports_club",
    "gp",
    "youth_care",
    "police",
    "hospital",
    "mental_health",
    "social_services",
    "neighbourhood",
    "other",
)
TIE_STRENGTHS = ("strong", "tenuous", "stressful")
ENERGY_DIRECTIONS = ("to_system", "from_system", "both", "none")


_Tie = TypeVar("_Tie")


def _active(start: date | None, end: date | None, moment: date | None) -> bool:
    if moment is None:
        return True
    return (start is None or start <= moment) and (end is None or end >= moment)


@dataclass(frozen=True)
class Member:
    """A person on the map (or a pregnancy, miscarriage or stillbirth in a genogram)."""

    id: str
    name: str
    sex: str = "unknown"
    kind: str = "person"
    birth_date: date | None = None
    death_date: date | None = None
    deceased: bool = False
    central: bool = False
    household: bool = False
    # Network circle and support
    domain: str | None = None
    ring: int | None = None
    support: frozenset[str] = frozenset()
    critical: bool = False
    help_direction: str | None = None
    contact_frequency: str = ""
    known_for: str = ""
    safety: str = "unknown"
    may_invite: bool = False
    reachable: bool = True
    # Where the user dragged the person, per map kind ("genogram", "ecomap", "circle"), if they did.
    pinned: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_professional(self) -> bool:
        return self.domain == "professional"

    def alive_at(self, moment: date | None) -> bool:
        if moment is None:
            return not (self.deceased or self.death_date)
        if self.birth_date and self.birth_date > moment:
            return False
        return not (self.death_date and self.death_date <= moment)


@dataclass(frozen=True)
class ParentLink:
    parent: str
    child: str
    kind: str = "biological"
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Partnership:
    a: str
    b: str
    kind: str = "relationship"
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Twins:
    a: str
    b: str
    kind: str = "fraternal"


@dataclass(frozen=True)
class SiblingTie:
    """Two persons recorded as brother or sister of each other, whether or not their parents are on the map."""

    a: str
    b: str
    kind: str = "sibling"


@dataclass(frozen=True)
class EmotionalTie:
    a: str  # for directed kinds: the one who harms
    b: str
    kind: str
    note: str = ""
    start: date | None = None
    end: date | None = None

    @property
    def directed(self) -> bool:
        return self.kind in DIRECTED_EMOTIONAL_KINDS


@dataclass(frozen=True)
class SystemTie:
    """An eco-map line from the household (member None) or one member to a system such as a school."""

    id: str
    system: str
    kind: str = "other"
    member: str | None = None
    strength: str = "strong"
    energy: str = "none"
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Network:
    members: tuple[Member, ...] = ()
    parents: tuple[ParentLink, ...] = ()
    partners: tuple[Partnership, ...] = ()
    twins: tuple[Twins, ...] = ()
    emotional: tuple[EmotionalTie, ...] = ()
    systems: tuple[SystemTie, ...] = ()
    sibling_ties: tuple[SiblingTie, ...] = ()

    def member(self, member_id: str) -> Member:
        return self.by_id()[member_id]

    def by_id(self) -> dict[str, Member]:
        return {m.id: m for m in self.members}

    def at(self, moment: date | None) -> Network:
        """The network as it was on ``moment``: ties outside their dates and the not-yet-born left out."""
        if moment is None:
            return self
        members = tuple(m for m in self.members if not (m.birth_date and m.birth_date > moment))
        present = {m.id for m in members}

        def keep(items: tuple[_Tie, ...], *ends: str) -> tuple[_Tie, ...]:
            return tuple(
                t
                for t in items
                if _active(getattr(t, "start", None), getattr(t, "end", None), moment)
                and all(getattr(t, e) in present for e in ends if getattr(t, e) is not None)
            )

        return replace(
            self,
            members=members,
            parents=keep(self.parents, "parent", "child"),
            partners=keep(self.partners, "a", "b"),
            twins=keep(self.twins, "a", "b"),
            emotional=keep(self.emotional, "a", "b"),
            systems=keep(self.systems, "member"),
            sibling_ties=keep(self.sibling_ties, "a", "b"),
        )

    def siblings(self, member_id: str) -> dict[str, str]:
        """Siblings derived from shared parents: {sibling id: 'full' | 'half'}."""
        parents_of: dict[str, set[str]] = {}
        for link in self.parents:
            if link.kind == "biological" or link.kind == "adoptive":
                parents_of.setdefault(link.child, set()).add(link.parent)
        mine = parents_of.get(member_id, set())
        result = {}
        for other, theirs in parents_of.items():
            if other == member_id or not (mine & theirs):
                continue
            result[other] = "full" if mine == theirs else "half"
        return result
