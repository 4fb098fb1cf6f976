"""The genogram links that the relations typed at intake imply ("moeder", "oma (moederskant)", "broer").

``links_from_relations`` is registered with the case file (``kring.cases.person_events``) and runs inside the
case service's transaction, after it locked the case and checked the permission, whenever persons are added or a
relation changes. It reads the relations with the pure ``core.kinship`` and adds the parent, sibling and twin
links that are not drawn yet, each with its history and in the access log. A link already drawn by hand (any
subtype, either direction) is left alone, and a link the network's own rules refuse (a third biological parent,
someone their own ancestor) is skipped: the person is saved whatever the map can make of the relation.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError

from kring.audit.services import Action, log_access
from kring.core.history import set_history_user

from .core.kinship import PersonFacts, derive_links
from .models import Relationship, RelationshipKind
from .queries import SEXES

_LINK_KINDS = (RelationshipKind.PARENT, RelationshipKind.SIBLING, RelationshipKind.TWIN)


def _drawn(relationships) -> set[tuple]:
    """Keys of the links recorded: parent links both ways round (so no cycle is made), siblings and twins as one."""
    keys: set[tuple] = set()
    for r in relationships:
        a, b = str(r.person_a_id), str(r.person_b_id)
        if r.kind == RelationshipKind.PARENT:
            keys.update({("parent", a, b), ("parent", b, a)})
        else:
            keys.add(("pair", frozenset((a, b))))
    return keys


def _key(link) -> tuple:
    return ("parent", link.a, link.b) if link.kind == "parent" else ("pair", frozenset((link.a, link.b)))


def links_from_relations(actor, case, persons: Sequence) -> list[Relationship]:
    """Add the links the relations of ``persons`` (added, or their relation changed) imply; returns those added."""
    from .services import network_access, relationship_errors

    everyone = list(case.persons.all())
    recorded = list(Relationship.objects.filter(case=case, kind__in=_LINK_KINDS))
    facts = [PersonFacts(str(p.pk), p.relation, p.is_central, SEXES.get(p.gender, "unknown")) for p in everyone]
    parent_links = [
        (str(r.person_a_id), str(r.person_b_id), r.subtype) for r in recorded if r.kind == RelationshipKind.PARENT
    ]
    drawn = _drawn(recorded)
    added: list[Relationship] = []
    for link in derive_links(facts, parent_links, [str(p.pk) for p in persons]):
        if _key(link) in drawn:
            continue
        relationship = Relationship(
            case=case,
            organisation=case.organisation,
            kind=link.kind,
            subtype=link.subtype,
            person_a_id=int(link.a),
            person_b_id=int(link.b),
        )
        try:
            errors = relationship_errors(case, relationship)
            if errors:
                raise ValidationError(errors)
            relationship.full_clean()
        except ValidationError:
            continue  # the map's rules refuse it: leave it to the user to draw
        set_history_user(relationship, actor.user)
        relationship.save()
        drawn |= _drawn([relationship])
        added.append(relationship)
    if added:
        log_access(actor, Action.CREATE, [network_access(case, "relationship", r.pk) for r in added])
    return added
