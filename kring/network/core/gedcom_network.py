"""Using a read GEDCOM file: the part around one person (``select``), its summary for the preview before
importing (``preview``), and the ``Network`` Kring draws and imports (``to_network``). The overview and the
decisions are in ``kring.network.core.gedcom``.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .gedcom_data import Family, GedcomDate, GedcomFile, GedcomImport, Individual
from .graph import Member, Network, ParentLink, Partnership

# --- selection and preview ----------------------------------------------------------------------------------


def _parents(g: GedcomFile, xref: str) -> list[str]:
    out: list[str] = []
    for link in g.individuals[xref].famc:
        family = g.families.get(link.family)
        if family:
            out.extend(p for p in family.partners if p in g.individuals)
    return out


def _children(g: GedcomFile, xref: str) -> list[str]:
    out: list[str] = []
    for fam in g.individuals[xref].fams:
        family = g.families.get(fam)
        if family:
            out.extend(c for c in family.children if c in g.individuals)
    return out


def _partners(g: GedcomFile, xref: str) -> list[str]:
    out: list[str] = []
    for fam in g.individuals[xref].fams:
        family = g.families.get(fam)
        if family:
            out.extend(p for p in family.partners if p != xref and p in g.individuals)
    return out


def _clean(xref: str) -> str:
    return xref.strip().strip("@")


def generations(g: GedcomFile, center: str) -> dict[str, int]:
    """Generation of every person reachable by family ties: 0 the centre, -1 parents, +1 children."""
    center = _clean(center)
    found = {center: 0}
    queue = deque([center])
    while queue:
        xref = queue.popleft()
        gen = found[xref]
        for other, step in (
            [(p, -1) for p in _parents(g, xref)]
            + [(c, 1) for c in _children(g, xref)]
            + [(p, 0) for p in _partners(g, xref)]
        ):
            if other not in found:
                found[other] = gen + step
                queue.append(other)
    return found


def select(
    gedcom: GedcomFile,
    center_xref: str,
    generations_up: int = 1,
    generations_down: int = 1,
    include_partners: bool = True,
    include_siblings: bool = True,
    include_associations: bool = True,
) -> GedcomFile:
    """The part of the tree to bring in around one person.

    Ancestors up to ``generations_up`` and descendants down to ``generations_down``; siblings = every child of
    a selected ancestor (so brothers, sisters and half-siblings, and with 2 up also aunts and uncles); partners
    of everyone selected so far (one step: step-parents, children's partners); associations (ASSO, either
    direction) of everyone selected. Families keep only selected people and are dropped below two.
    """
    center = _clean(center_xref)
    if center not in gedcom.individuals:
        raise KeyError(center_xref)
    chosen = {center}
    ancestors: set[str] = set()
    layer = {center}
    for _ in range(max(generations_up, 0)):
        layer = {p for x in layer for p in _parents(gedcom, x)} - chosen
        ancestors |= layer
        chosen |= layer
    layer = {center}
    for _ in range(max(generations_down, 0)):
        layer = {c for x in layer for c in _children(gedcom, x)} - chosen
        chosen |= layer
    if include_siblings:
        chosen |= {c for a in ancestors for c in _children(gedcom, a)}
    if include_partners:
        chosen |= {p for x in list(chosen) for p in _partners(gedcom, x)}
    associations = []
    if include_associations:
        for a in gedcom.associations:
            if a.source in chosen or a.target in chosen:
                associations.append(a)
        chosen |= {x for a in associations for x in (a.source, a.target)}
    return _subset(gedcom, chosen, center)


def _subset(g: GedcomFile, chosen: set[str], center: str | None) -> GedcomFile:
    families = {}
    for xref, f in g.families.items():
        partners = [p if p in chosen else None for p in (f.husband, f.wife)]
        children = [c for c in f.children if c in chosen]
        if len([p for p in partners if p]) + len(children) < 2:
            continue
        families[xref] = Family(
            xref,
            partners[0],
            partners[1],
            children,
            dict(f.events),
            {c: r for c, r in f.child_relations.items() if c in chosen},
            f.line,
        )
    individuals = {}
    for xref, p in g.individuals.items():
        if xref in chosen:
            individuals[xref] = Individual(
                p.xref,
                list(p.names),
                p.sex,
                p.birth,
                p.death,
                p.deceased,
                [link for link in p.famc if link.family in families],
                [f for f in p.fams if f in families],
                p.line,
            )
    associations = [a for a in g.associations if a.source in chosen and a.target in chosen]
    return GedcomFile(
        g.version, g.encoding, individuals, families, associations, g.source, center, g.header_note, g.submitter
    )


def preview(gedcom: GedcomFile) -> dict[str, Any]:
    """A summary for the preview page: counts, people (with generation if a centre is set), per generation."""
    gens = generations(gedcom, gedcom.center) if gedcom.center else {}
    people: list[dict[str, Any]] = []
    for p in gedcom.individuals.values():
        people.append(
            {
                "id": p.xref,
                "name": p.name,
                "sex": p.sex,
                "birth": p.birth.text if p.birth else "",
                "death": p.death.text if p.death else "",
                "deceased": p.deceased,
                "generation": gens.get(p.xref),
                "center": p.xref == gedcom.center,
            }
        )
    people.sort(key=lambda r: (r["generation"] is None, r["generation"] or 0, r["name"]))
    per_generation: dict[int | None, int] = {}
    for r in people:
        per_generation[r["generation"]] = per_generation.get(r["generation"], 0) + 1
    kinds: dict[str, int] = {}
    for link in to_network(gedcom).network.parents:
        kinds[link.kind] = kinds.get(link.kind, 0) + 1
    return {
        "version": gedcom.version,
        "encoding": gedcom.encoding,
        "source": gedcom.source,
        "persons": len(gedcom.individuals),
        "families": len(gedcom.families),
        "associations": len(gedcom.associations),
        "parent_links": kinds,
        "generations": per_generation,
        "people": people,
        "associations_list": [{"from": a.source, "to": a.target, "label": a.label} for a in gedcom.associations],
    }


# --- to Network ---------------------------------------------------------------------------------------------

_SEX = {"M": "male", "F": "female", "X": "other", "U": "unknown"}
_KIND = {"": "biological", "birth": "biological", "sealing": "biological", "adopted": "adoptive", "foster": "foster"}


def _parent_kind(pedi: str, phrase: str) -> str:
    if pedi in _KIND:
        return _KIND[pedi]
    p = phrase.lower()
    if "step" in p:
        return "step"
    if "adopt" in p:
        return "adoptive"
    if "foster" in p:
        return "foster"
    return "guardian"


def _family_members(gedcom: GedcomFile) -> set[str]:
    """The persons in a family together with someone else (partner, parent or child)."""
    kin = set()
    for f in gedcom.families.values():
        people = f.partners + f.children
        if len(people) > 1:
            kin.update(people)
    return kin


def _association_domains(gedcom: GedcomFile) -> dict[str, str]:
    """Person -> network domain by their first FRIEND or NGHBR association (as its target)."""
    assoc_domain: dict[str, str] = {}
    for a in gedcom.associations:
        if a.role in ("FRIEND", "NGHBR"):
            assoc_domain.setdefault(a.target, "friends" if a.role == "FRIEND" else "neighbourhood_clubs")
    return assoc_domain


def _members(gedcom: GedcomFile) -> list[Member]:
    """One member per individual; a person tied to the others only by an association gets its domain."""
    kin = _family_members(gedcom)
    assoc_domain = _association_domains(gedcom)
    members = []
    for p in gedcom.individuals.values():
        members.append(
            Member(
                id=p.xref,
                name=p.name or p.xref,
                sex=_SEX.get(p.sex, "unknown"),
                birth_date=p.birth.date if p.birth else None,
                death_date=p.death.date if p.death else None,
                deceased=p.deceased,
                central=p.xref == gedcom.center,
                domain=None if p.xref in kin else assoc_domain.get(p.xref),
            )
        )
    return members


def _parent_links(gedcom: GedcomFile) -> list[ParentLink]:
    """Parent links from each person's FAMC (PEDI, else the vendor _FREL/_MREL), then from FAM.CHIL lines that
    have no FAMC; each parent-child pair once."""
    parents: list[ParentLink] = []
    seen: set[tuple[str, str]] = set()
    for p in gedcom.individuals.values():
        for link in p.famc:
            family = gedcom.families.get(link.family)
            if not family:
                continue
            relations = family.child_relations.get(p.xref, ("", ""))
            for parent, vendor in ((family.husband, relations[0]), (family.wife, relations[1])):
                if not parent or parent not in gedcom.individuals or (parent, p.xref) in seen:
                    continue
                pedi, phrase = (link.pedi, link.phrase) if link.pedi else (vendor, "")
                seen.add((parent, p.xref))
                parents.append(ParentLink(parent, p.xref, _parent_kind(pedi, phrase)))
    # Children listed only under FAM.CHIL (no FAMC on the person) still count.
    for family in gedcom.families.values():
        for child in family.children:
            if child not in gedcom.individuals:
                continue
            frel, mrel = family.child_relations.get(child, ("", ""))
            for parent, vendor in ((family.husband, frel), (family.wife, mrel)):
                if parent and parent in gedcom.individuals and (parent, child) not in seen:
                    seen.add((parent, child))
                    parents.append(ParentLink(parent, child, _parent_kind(vendor, "")))
    return parents


def _partnership(husband: str, wife: str, events: dict[str, GedcomDate | None]) -> Partnership:
    """Divorced if DIV or ANUL (end = its date), else married if MARR (start = its date), else engaged if ENGA,
    else a relationship."""
    end = events.get("DIV") or events.get("ANUL")
    if "DIV" in events or "ANUL" in events:
        kind = "divorced"
    elif "MARR" in events:
        kind = "married"
    elif "ENGA" in events:
        kind = "engaged"
    else:
        kind = "relationship"
    start = events.get("MARR") or events.get("ENGA")
    return Partnership(
        husband,
        wife,
        kind,
        start.date if start else None,
        end.date if end and kind == "divorced" else None,
    )


def to_network(gedcom: GedcomFile) -> GedcomImport:
    """Members (id = xref), parent links from FAMC (+PEDI), one partnership per two-partner family.

    Partnership kind: divorced if DIV or ANUL (end = that date), else married if MARR (start = its date), else
    engaged if ENGA, else relationship. Associations come back separately; a person tied to the others only by
    an association gets domain "friends" (FRIEND), "neighbourhood_clubs" (NGHBR) or stays None.
    """
    partners = [
        _partnership(family.husband, family.wife, family.events)
        for family in gedcom.families.values()
        if family.husband and family.wife and family.husband in gedcom.individuals and family.wife in gedcom.individuals
    ]
    network = Network(members=tuple(_members(gedcom)), parents=tuple(_parent_links(gedcom)), partners=tuple(partners))
    return GedcomImport(network, tuple(gedcom.associations))
