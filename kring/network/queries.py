"""Reads of a case's network. Every one starts from ``kring.cases.queries.get_case`` (what the user may see)
and logs the person records it returns.

The records are mapped to the plain ``Network`` of ``core.graph``, which the layouts, the SVG drawing, the
statistics and GEDCOM work on.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from kring.audit.services import Action, case_access, log_access, person_access
from kring.cases.models import Case
from kring.cases.queries import get_case

from .core import graph, stats
from .models import NetworkMember, NetworkSettings, Relationship, RelationshipKind, SystemTie

# What the map knows of a person beyond the case file; the fields a member's form and the API take.
MEMBER_FIELDS = [
    "kind",
    "deceased",
    "death_date",
    "domain",
    "ring",
    "practical_support",
    "emotional_support",
    "information_support",
    "critical",
    "help_direction",
    "contact_frequency",
    "known_for",
    "safety",
    "may_invite",
    "reachable",
]
RELATIONSHIP_FIELDS = ["kind", "subtype", "person_a", "person_b", "start", "end", "note"]
SYSTEM_TIE_FIELDS = ["system", "system_kind", "person", "strength", "energy", "start", "end", "note"]
# The person fields a network document carries. Contact details (phone, e-mail, address) are left out: a map
# does not need them, and a file that travels should hold as little as it can.
EXPORT_PERSON_FIELDS = [
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "gender_description",
    "relation",
    "is_central",
    "in_household",
]
EXPORT_FORMAT = "kring-network"
EXPORT_VERSION = 1
MAP_KINDS = ("genogram", "ecomap", "circle")

SEXES = {"female": "female", "male": "male", "non_binary": "other", "other": "other", "unknown": "unknown"}


@dataclass
class NetworkRecords:
    """The stored records of one case's network and the plain ``Network`` made of them."""

    case: Case
    persons: list  # cases.Person, each with ``member`` (a NetworkMember, possibly unsaved defaults)
    relationships: list
    system_ties: list
    network: graph.Network


def member_of(person, case=None) -> NetworkMember:
    """The person's NetworkMember, or an unsaved one with the defaults if the map knows nothing yet."""
    try:
        return person.network
    except NetworkMember.DoesNotExist:
        return NetworkMember(person=person, case_id=person.case_id, organisation_id=person.organisation_id)


def to_member(person, member) -> graph.Member:
    support = frozenset(
        kind
        for kind, flag in (
            ("practical", member.practical_support),
            ("emotional", member.emotional_support),
            ("information", member.information_support),
        )
        if flag
    )
    return graph.Member(
        id=str(person.pk),
        name=person.full_name,
        sex=SEXES.get(person.gender, "unknown"),
        kind=member.kind,
        birth_date=person.birth_date,
        death_date=member.death_date,
        deceased=member.deceased or bool(member.death_date),
        central=person.is_central,
        household=person.in_household,
        domain=member.domain or None,
        ring=member.ring,
        support=support,
        critical=member.critical,
        help_direction=member.help_direction or None,
        contact_frequency=member.contact_frequency,
        known_for=member.known_for,
        safety=member.safety,
        may_invite=member.may_invite,
        reachable=member.reachable,
        pinned=dict(member.positions or {}),
    )


def to_network(persons, relationships, system_ties) -> graph.Network:
    """Stored records to the plain network of ``core.graph``."""
    parents, partners, twins, emotional, sibling_ties = [], [], [], [], []
    for r in relationships:
        a, b = str(r.person_a_id), str(r.person_b_id)
        if r.kind == RelationshipKind.PARENT:
            parents.append(graph.ParentLink(parent=a, child=b, kind=r.subtype, start=r.start, end=r.end))
        elif r.kind == RelationshipKind.PARTNER:
            partners.append(graph.Partnership(a=a, b=b, kind=r.subtype, start=r.start, end=r.end))
        elif r.kind == RelationshipKind.TWIN:
            twins.append(graph.Twins(a=a, b=b, kind=r.subtype))
        elif r.kind == RelationshipKind.SIBLING:
            sibling_ties.append(graph.SiblingTie(a=a, b=b, kind=r.subtype))
        elif r.kind == RelationshipKind.EMOTIONAL:
            emotional.append(graph.EmotionalTie(a=a, b=b, kind=r.subtype, note=r.note, start=r.start, end=r.end))
    systems = [
        graph.SystemTie(
            id=str(t.pk),
            system=t.system,
            kind=t.system_kind,
            member=str(t.person_id) if t.person_id else None,
            strength=t.strength,
            energy=t.energy,
            start=t.start,
            end=t.end,
        )
        for t in system_ties
    ]
    return graph.Network(
        members=tuple(to_member(p, p.member) for p in persons),
        parents=tuple(parents),
        partners=tuple(partners),
        twins=tuple(twins),
        emotional=tuple(emotional),
        systems=tuple(systems),
        sibling_ties=tuple(sibling_ties),
    )


def load_records(case) -> NetworkRecords:
    """The case's persons (with their map data), relationships and system ties: three queries."""
    persons = list(case.persons.select_related("network"))
    for person in persons:
        person.member = member_of(person)
    relationships = list(Relationship.objects.filter(case=case).order_by("id"))
    system_ties = list(SystemTie.objects.filter(case=case).order_by("id"))
    return NetworkRecords(case, persons, relationships, system_ties, to_network(persons, relationships, system_ties))


def network_records(actor, case_id, action: str = Action.VIEW) -> NetworkRecords:
    """The network records of a case the user may see (else NotFound); the case and every person are logged
    in one INSERT."""
    case = get_case(actor, case_id, log=False)
    records = load_records(case)
    log_access(actor, action, [case_access(case)] + [person_access(p) for p in records.persons])
    return records


def relations_of_case(actor, case_id, a: str = "", b: str = "", person: str = ""):
    """(case, relationships, system ties) for the list of ties: all, those between persons ``a`` and ``b`` (a line
    clicked on the map), or those of one ``person``. The case and every person the list names are logged."""
    case = get_case(actor, case_id, log=False)
    relations = Relationship.objects.filter(case=case).select_related("person_a", "person_b").order_by("kind", "id")
    ties = SystemTie.objects.filter(case=case).select_related("person").order_by("system")
    if a.isdigit() and b.isdigit():
        relations = relations.filter(Q(person_a_id=a, person_b_id=b) | Q(person_a_id=b, person_b_id=a))
        ties = ties.none()
    elif person.isdigit():
        relations = relations.filter(Q(person_a_id=person) | Q(person_b_id=person))
        ties = ties.filter(person_id=person)
    relation_rows, tie_rows = list(relations), list(ties)
    named = {p.pk: p for r in relation_rows for p in (r.person_a, r.person_b)}
    named.update((t.person.pk, t.person) for t in tie_rows if t.person is not None)
    log_access(actor, Action.VIEW, [case_access(case)] + [person_access(p) for p in named.values()])
    return case, relation_rows, tie_rows


def network_for_case(actor, case_id, moment: date | None = None) -> tuple[Case, graph.Network]:
    """The case and its network (as it was on ``moment``, if given)."""
    records = network_records(actor, case_id)
    return records.case, records.network.at(moment)


def network_settings(organisation) -> NetworkSettings:
    """The organisation's network settings, or the defaults (unsaved) if it has none."""
    found = NetworkSettings.objects.filter(organisation=organisation).first()
    return found if found is not None else NetworkSettings(organisation=organisation)


def summary(case, network: graph.Network, moment: date | None = None) -> stats.NetworkSummary:
    threshold = network_settings(case.organisation).small_network_threshold
    return stats.summarize(network, small_threshold=threshold, moment=moment)


def invitable_persons(network: graph.Network, moment: date | None = None) -> list[graph.Member]:
    """Who could be invited to a meeting: safe, allowed to be invited, reachable and alive (not central)."""
    return stats.invitable(network, moment)


def _plain(value):
    """A value as JSON has it (dates as ISO text)."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_document(records: NetworkRecords) -> dict:
    """The network as a versioned JSON document; persons are referred to by their id as text."""
    persons = []
    for person in records.persons:
        item: dict[str, Any] = {"ref": str(person.pk)}
        item.update({name: _plain(getattr(person, name)) for name in EXPORT_PERSON_FIELDS})
        member = person.member
        item["network"] = {name: _plain(getattr(member, name)) for name in MEMBER_FIELDS}
        item["network"]["positions"] = dict(member.positions or {})
        persons.append(item)
    relationships = [
        {
            "kind": r.kind,
            "subtype": r.subtype,
            "person_a": str(r.person_a_id),
            "person_b": str(r.person_b_id),
            "start": _plain(r.start),
            "end": _plain(r.end),
            "note": r.note,
        }
        for r in records.relationships
    ]
    system_ties = [
        {
            "system": t.system,
            "system_kind": t.system_kind,
            "person": str(t.person_id) if t.person_id else None,
            "strength": t.strength,
            "energy": t.energy,
            "start": _plain(t.start),
            "end": _plain(t.end),
            "note": t.note,
        }
        for t in records.system_ties
    ]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "persons": persons,
        "relationships": relationships,
        "system_ties": system_ties,
    }


def export_json(actor, case_id) -> dict:
    """The case's network as a JSON document (``format`` "kring-network", ``version`` 1), logged as export."""
    records = network_records(actor, case_id, action=Action.EXPORT)
    return export_document(records)


def export_gedcom(actor, case_id, version: str = "5.5.1") -> str:
    """The case's family tree as GEDCOM text, logged as export."""
    from .core.gedcom import to_gedcom

    records = network_records(actor, case_id, action=Action.EXPORT)
    return to_gedcom(records.network, version=version)


__all__ = [
    "MEMBER_FIELDS",
    "RELATIONSHIP_FIELDS",
    "SYSTEM_TIE_FIELDS",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "MAP_KINDS",
    "NetworkRecords",
    "network_records",
    "network_for_case",
    "network_settings",
    "summary",
    "invitable_persons",
    "export_json",
    "export_gedcom",
    "export_document",
    "to_network",
    "load_records",
]
