"""Writing a ``Network`` as GEDCOM 5.5.1 or 7.0 text (``to_gedcom``). The overview and the decisions are in
``kring.network.core.gedcom``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .gedcom_data import ROLE_LABELS
from .graph import Member, Network, Partnership

# --- export -------------------------------------------------------------------------------------------------

_MONTH_ABBR = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_PEDI_OUT = {"biological": "birth", "adoptive": "adopted", "foster": "foster"}


def _gdate(d: date) -> str:
    return f"{d.day} {_MONTH_ABBR[d.month - 1]} {d.year}"


def _text(value: str, v7: bool) -> str:
    value = " ".join(value.split())  # one line; no CONT needed for names
    if v7:
        return "@" + value if value.startswith("@") else value
    return value.replace("@", "@@")


_ROLE_OF_LABEL = {label: role for role, label in ROLE_LABELS.items()}


@dataclass
class _ExportFamily:
    xref: str
    partners: list[str]
    children: list[str] = field(default_factory=list)
    partnership: Partnership | None = None


class _ExportFamilies:
    """The FAM records of an export, numbered F1, F2… past the xrefs already taken; one per couple."""

    def __init__(self, used: set[str]) -> None:
        self.used = used
        self.families: list[_ExportFamily] = []
        self.of_pair: dict[frozenset[str], _ExportFamily] = {}

    def new(self, a: str, b: str | None) -> _ExportFamily:
        n = len(self.families) + 1
        while f"F{n}" in self.used:
            n += 1
        self.used.add(f"F{n}")
        fam = _ExportFamily(f"F{n}", [p for p in (a, b) if p])
        self.families.append(fam)
        if a and b:
            self.of_pair[frozenset((a, b))] = fam
        return fam

    def of_couple(self, a: str, b: str) -> _ExportFamily:
        return self.of_pair.get(frozenset((a, b))) or self.new(a, b)

    def of_single_parent(self, parent: str) -> _ExportFamily:
        """A one-parent family of theirs (not a partnership's), else a new one."""
        return next((f for f in self.families if f.partners == [parent] and f.partnership is None), None) or self.new(
            parent, None
        )


def _export_xrefs(network: Network) -> tuple[dict[str, str], set[str]]:
    """Member id -> INDI xref (the id upper-cased when it is a short plain word not taken yet, else I<n>), and
    the xrefs taken."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for m in network.members:
        candidate = m.id.upper() if re.fullmatch(r"[A-Za-z0-9_]{1,20}", m.id) else ""
        if not candidate or candidate in used or candidate in ("VOID", "SUBM1"):
            n = len(ids) + 1
            while f"I{n}" in used:
                n += 1
            candidate = f"I{n}"
        ids[m.id] = candidate
        used.add(candidate)
    return ids, used


def _export_families(
    network: Network, by_id: dict[str, Member], used: set[str]
) -> tuple[list[_ExportFamily], dict[str, list[tuple[str, str]]]]:
    """The families (one per partnership, then per child the parents of one kind in twos, each pair reusing its
    couple's family, a single parent a one-parent family) and per child its FAMC: (family xref, kind)."""
    book = _ExportFamilies(used)
    for p in network.partners:
        if p.a in by_id and p.b in by_id:
            fam = book.of_couple(p.a, p.b)
            fam.partnership = fam.partnership or p
    links_by_child: dict[str, dict[str, list[str]]] = {}
    for link in network.parents:
        if link.parent in by_id and link.child in by_id:
            links_by_child.setdefault(link.child, {}).setdefault(link.kind, []).append(link.parent)
    famc: dict[str, list[tuple[str, str]]] = {}
    for child, kinds in links_by_child.items():
        for kind, parents in kinds.items():
            remaining = list(dict.fromkeys(parents))
            while remaining:
                pair = remaining[:2]
                remaining = remaining[2:]
                fam = book.of_couple(pair[0], pair[1]) if len(pair) == 2 else book.of_single_parent(pair[0])
                fam.children.append(child)
                famc.setdefault(child, []).append((fam.xref, kind))
    return book.families, famc


def _header_lines(source_name: str, v7: bool) -> list[str]:
    if v7:
        return ["0 HEAD", "1 GEDC", "2 VERS 7.0", f"1 SOUR {_text(source_name, v7)}"]
    return [
        "0 HEAD",
        f"1 SOUR {_text(source_name, v7)}",
        "1 GEDC",
        "2 VERS 5.5.1",
        "2 FORM LINEAGE-LINKED",
        "1 CHAR UTF-8",
        "1 SUBM @SUBM1@",
        "0 @SUBM1@ SUBM",
        f"1 NAME {_text(source_name, v7)}",
    ]


def _individual_lines(
    m: Member,
    ids: dict[str, str],
    famc: dict[str, list[tuple[str, str]]],
    fams: dict[str, list[str]],
    associations: Sequence[tuple[str, str, str]],
    v7: bool,
) -> list[str]:
    """The INDI record: name, sex, birth, death, FAMC with the kind of parenthood, FAMS, associations."""
    sex_out = {"male": "M", "female": "F", "other": "X" if v7 else "U", "unknown": "U"}
    out = [f"0 @{ids[m.id]}@ INDI", f"1 NAME {_text(m.name.replace('/', ' '), v7)}", f"1 SEX {sex_out.get(m.sex, 'U')}"]
    if m.birth_date:
        out += ["1 BIRT", f"2 DATE {_gdate(m.birth_date)}"]
    if m.death_date:
        out += ["1 DEAT", f"2 DATE {_gdate(m.death_date)}"]
    elif m.deceased or m.kind in ("miscarriage", "stillbirth"):
        out.append("1 DEAT Y")
    for fam_xref, kind in famc.get(m.id, []):
        out.append(f"1 FAMC @{fam_xref}@")
        if kind in _PEDI_OUT:
            out.append(f"2 PEDI {_PEDI_OUT[kind].upper() if v7 else _PEDI_OUT[kind]}")
        elif v7:
            out += ["2 PEDI OTHER", f"3 PHRASE {kind}"]
        else:
            out.append(f"2 _KRING_KIND {kind}")
    for fam_xref in fams.get(m.id, []):
        out.append(f"1 FAMS @{fam_xref}@")
    for a, b, label in associations:
        if a == m.id and b in ids:
            out.append(f"1 ASSO @{ids[b]}@")
            role = _ROLE_OF_LABEL.get(label.lower(), "OTHER")
            if v7:
                out.append(f"2 ROLE {role}")
                if role == "OTHER":
                    out.append(f"3 PHRASE {_text(label, v7)}")
            else:
                out.append(f"2 RELA {_text(label, v7)}")
    return out


def _family_lines(fam: _ExportFamily, ids: dict[str, str], by_id: dict[str, Member]) -> list[str]:
    """The FAM record: partners (the man as HUSB), children, and the engagement, marriage or divorce."""
    out = [f"0 @{fam.xref}@ FAM"]
    partners = fam.partners
    if len(partners) == 2 and by_id[partners[0]].sex == "female" and by_id[partners[1]].sex != "female":
        partners = partners[::-1]  # 5.5.1 readers expect the man as HUSB
    if len(partners) == 1:
        out.append(f"1 {'WIFE' if by_id[partners[0]].sex == 'female' else 'HUSB'} @{ids[partners[0]]}@")
    else:
        for tag, p in zip(("HUSB", "WIFE"), partners):
            out.append(f"1 {tag} @{ids[p]}@")
    for c in fam.children:
        out.append(f"1 CHIL @{ids[c]}@")
    ship = fam.partnership
    if ship:
        if ship.kind == "engaged":
            out.append("1 ENGA" if not ship.start else f"1 ENGA\n2 DATE {_gdate(ship.start)}")
        elif ship.kind in ("married", "divorced", "widowed", "separated"):
            out.append("1 MARR Y" if not ship.start else f"1 MARR\n2 DATE {_gdate(ship.start)}")
            if ship.kind == "divorced":
                out.append("1 DIV Y" if not ship.end else f"1 DIV\n2 DATE {_gdate(ship.end)}")
    return out


def to_gedcom(
    network: Network,
    version: str = "5.5.1",
    source_name: str = "Kring",
    associations: Sequence[tuple[str, str, str]] = (),
) -> str:
    """Write a network as GEDCOM 5.5.1 or 7.0 text (UTF-8; encode it as such).

    Families come from partnerships, then from each child's parents of one kind (two parents → one family,
    reusing their partnership's family; one parent → a one-partner family). Adoptive and foster links get
    PEDI; step and guardian get PEDI OTHER + PHRASE in 7.0 and the extension ``_KRING_KIND`` in 5.5.1.
    ``associations``: (from id, to id, label) triples written as ASSO (RELA in 5.5.1, ROLE in 7.0).
    """
    v7 = version.startswith("7")
    ids, used = _export_xrefs(network)
    by_id = network.by_id()
    families, famc = _export_families(network, by_id, used)
    fams: dict[str, list[str]] = {}
    for fam in families:
        for p in fam.partners:
            fams.setdefault(p, []).append(fam.xref)
    out = _header_lines(source_name, v7)
    for m in network.members:
        out += _individual_lines(m, ids, famc, fams, associations, v7)
    for fam in families:
        out += _family_lines(fam, ids, by_id)
    out.append("0 TRLR")
    return "\n".join(out) + "\n"
