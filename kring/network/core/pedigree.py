"""Reader for LINKAGE/PLINK pedigree (.ped) files: one ``Network`` per family.

Columns (whitespace separated): family, person, father, mother, sex (1 male, 2 female, other unknown),
phenotype, and any further columns (ignored). '0' means an unknown parent. Lines starting with '#' and blank
lines are skipped. A parent named in a row but without a row of their own is still added, with unknown sex
unless the column it appears in tells it, so every link has both ends.
"""

from __future__ import annotations

from pathlib import Path

from .graph import Member, Network, ParentLink, Partnership

SEX_CODES = {"1": "male", "2": "female"}
UNKNOWN_PARENT = {"0", "", "."}


class PedigreeError(ValueError):
    pass


def parse_ped(text: str) -> dict[str, Network]:
    """Family id -> Network, in the order families first appear."""
    rows: dict[str, list[tuple[str, str, str, str]]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split()
        if len(cols) < 5:
            raise PedigreeError(f"line {number}: expected at least 5 columns, found {len(cols)}")
        family, person, father, mother, sex = cols[:5]
        rows.setdefault(family, []).append((person, father, mother, SEX_CODES.get(sex, "unknown")))
    return {family: _family_network(family, entries) for family, entries in rows.items()}


def _family_network(family: str, entries: list[tuple[str, str, str, str]]) -> Network:
    members: dict[str, Member] = {}
    for person, _, _, sex in entries:
        if person in members:
            raise PedigreeError(f"family {family}: person {person} appears twice")
        members[person] = Member(id=person, name=person, sex=sex)
    parents: list[ParentLink] = []
    couples: dict[frozenset[str], Partnership] = {}
    for person, father, mother, _ in entries:
        known = []
        for parent_id, sex in ((father, "male"), (mother, "female")):
            if parent_id in UNKNOWN_PARENT:
                continue
            members.setdefault(parent_id, Member(id=parent_id, name=parent_id, sex=sex))
            parents.append(ParentLink(parent=parent_id, child=person, kind="biological"))
            known.append(parent_id)
        if len(known) == 2 and known[0] != known[1]:
            couples.setdefault(frozenset(known), Partnership(a=known[0], b=known[1], kind="relationship"))
    return Network(members=tuple(members.values()), parents=tuple(parents), partners=tuple(couples.values()))


def read_ped(path: str | Path) -> dict[str, Network]:
    return parse_ped(Path(path).read_text(encoding="utf-8-sig"))
