"""Figures about a network, for the network circle's side panel and for registration.

Pure: takes a ``Network`` (see ``graph.py``) and returns plain data; knows nothing of Django.

What counts as "the network" of a case: every living person on the map other than the central persons. The
central persons (the child, sometimes a parent) are the ones the network is *around*, so they are not part of
its size; a pregnancy, miscarriage or stillbirth is a genogram symbol, not a person who can help, and a person
who has died can no longer support the family. Everyone else counts, professionals included; the informal
network is the network minus the professionals (life domain "professional"). A person without a life domain
counts as informal: most of them are family drawn in the genogram.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .graph import DOMAINS, RINGS, SUPPORT_TYPES, TIE_STRENGTHS, Member, Network

UNSPECIFIED = "unspecified"


@dataclass(frozen=True)
class NetworkSummary:
    """What the side panel shows. Names are in the order of the network's members."""

    size: int
    informal: int
    professional: int
    informal_share: float | None  # None for an empty network
    central: tuple[str, ...]
    by_domain: dict[str, int]  # every domain, and "unspecified"
    by_ring: dict[str, int]  # "1", "2", "3" and "unspecified"
    domain_ring: dict[str, dict[str, int]]  # domain -> ring -> count
    support: dict[str, tuple[str, ...]]  # "practical" / "emotional" / "information" -> names
    invitable: tuple[str, ...]
    small_threshold: int
    small_informal_network: bool
    system_ties: dict[str, int] = field(default_factory=dict)  # strength -> count
    # The institutions tied to the family (school, GP, club: the eco-map's systems), each once, as first tied.
    institutions: tuple[str, ...] = ()

    @property
    def professional_ties(self) -> int:
        """Formal ties: the professionals on the map and the institutions."""
        return self.professional + len(self.institutions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "informal": self.informal,
            "professional": self.professional,
            "informal_share": self.informal_share,
            "central": list(self.central),
            "by_domain": dict(self.by_domain),
            "by_ring": dict(self.by_ring),
            "domain_ring": {d: dict(r) for d, r in self.domain_ring.items()},
            "support": {k: list(v) for k, v in self.support.items()},
            "invitable": list(self.invitable),
            "small_threshold": self.small_threshold,
            "small_informal_network": self.small_informal_network,
            "system_ties": dict(self.system_ties),
            "institutions": list(self.institutions),
            "professional_ties": self.professional_ties,
        }


def network_persons(network: Network, moment: date | None = None) -> list[Member]:
    """The persons who make up the network: living persons other than the central persons."""
    return [m for m in network.members if not m.central and m.kind == "person" and m.alive_at(moment)]


def is_invitable(member: Member, moment: date | None = None) -> bool:
    """Could be invited to a meeting: marked safe, allowed to be invited, reachable, alive."""
    return (
        member.kind == "person"
        and not member.central
        and member.safety == "safe"
        and member.may_invite
        and member.reachable
        and member.alive_at(moment)
    )


def invitable(network: Network, moment: date | None = None) -> list[Member]:
    return [m for m in network.members if is_invitable(m, moment)]


def _ring_key(ring: int | None) -> str:
    return str(ring) if ring in RINGS else UNSPECIFIED


def summarize(network: Network, *, small_threshold: int, moment: date | None = None) -> NetworkSummary:
    """Size, composition by life domain and closeness, support, who can be invited, and ties to systems.

    ``small_threshold``: the informal network is "small" when it has fewer persons than this (an
    organisation setting). ``moment``: judge who is alive on that day (default: today's state of the map).
    """
    persons = network_persons(network, moment)
    domain_keys = [*DOMAINS, UNSPECIFIED]
    ring_keys = [*(str(r) for r in RINGS), UNSPECIFIED]
    by_domain = dict.fromkeys(domain_keys, 0)
    by_ring = dict.fromkeys(ring_keys, 0)
    domain_ring = {d: dict.fromkeys(ring_keys, 0) for d in domain_keys}
    support: dict[str, list[str]] = {kind: [] for kind in SUPPORT_TYPES}
    for member in persons:
        domain = member.domain if member.domain in DOMAINS else UNSPECIFIED
        ring = _ring_key(member.ring)
        by_domain[domain] += 1
        by_ring[ring] += 1
        domain_ring[domain][ring] += 1
        for kind in SUPPORT_TYPES:
            if kind in member.support:
                support[kind].append(member.name)
    professional = by_domain["professional"]
    informal = len(persons) - professional
    strengths = dict.fromkeys(TIE_STRENGTHS, 0)
    for tie in network.systems:
        strengths[tie.strength] = strengths.get(tie.strength, 0) + 1
    return NetworkSummary(
        size=len(persons),
        informal=informal,
        professional=professional,
        informal_share=round(informal / len(persons), 4) if persons else None,
        central=tuple(m.name for m in network.members if m.central),
        by_domain=by_domain,
        by_ring=by_ring,
        domain_ring=domain_ring,
        support={k: tuple(v) for k, v in support.items()},
        invitable=tuple(m.name for m in invitable(network, moment)),
        small_threshold=small_threshold,
        small_informal_network=informal < small_threshold,
        system_ties=strengths,
        institutions=tuple(dict.fromkeys(tie.system for tie in network.systems)),
    )


TIE_GROUPS = ("parents", "partners", "twins", "emotional", "systems")


def changes_between(network: Network, date_from: date, date_to: date) -> dict[str, Any]:
    """What changed in the network from one day to another.

    ``members_added``: ids on the map on ``date_to`` but not yet on ``date_from`` (born in between);
    ``members_died``: alive on ``date_from``, not on ``date_to``; ``ties_added`` / ``ties_ended``: per kind of
    tie (parents, partners, twins, emotional, systems), the ties present on one day and not on the other.
    Dates in either order; ``members_ended`` is the reverse of ``members_added`` (left the map going forward,
    which happens only when ``date_to`` is before ``date_from``).
    """
    before, after = network.at(date_from), network.at(date_to)
    before_ids = [m.id for m in before.members]
    after_ids = [m.id for m in after.members]
    before_set, after_set = set(before_ids), set(after_ids)
    by_id = network.by_id()
    return {
        "members_added": [i for i in after_ids if i not in before_set],
        "members_ended": [i for i in before_ids if i not in after_set],
        "members_died": [
            i for i in before_ids if i in after_set and by_id[i].alive_at(date_from) and not by_id[i].alive_at(date_to)
        ],
        "ties_added": {
            group: [t for t in getattr(after, group) if t not in set(getattr(before, group))] for group in TIE_GROUPS
        },
        "ties_ended": {
            group: [t for t in getattr(before, group) if t not in set(getattr(after, group))] for group in TIE_GROUPS
        },
    }
