"""The plain data of a GEDCOM file as Kring reads it (persons, families, associations) and the error a file that
cannot be read raises. The overview and the decisions are in ``kring.network.core.gedcom``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .graph import Network


class GedcomError(ValueError):
    """A file that cannot be imported. ``code`` and ``params`` are stable, so the caller can translate."""

    def __init__(self, line: int, message: str, code: str = "invalid", **params: object) -> None:
        self.line = line
        self.message = message
        self.code = code
        self.params = {"line": line, **params}
        super().__init__(message)  # the messages name their line themselves


# --- data ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GedcomDate:
    text: str
    date: date | None = None
    approximate: bool = False  # a modifier (ABT, BEF, BET…) or only a year / month known


@dataclass(frozen=True)
class PersonName:
    value: str  # as written, e.g. "John /Smith/ Jr."
    given: str = ""
    surname: str = ""

    @property
    def full(self) -> str:
        return " ".join(self.value.replace("/", " ").split())


@dataclass(frozen=True)
class ChildLink:
    family: str
    pedi: str = ""  # "birth" | "adopted" | "foster" | "sealing" | "other" | "" (not given)
    phrase: str = ""


@dataclass
class Individual:
    xref: str
    names: list[PersonName] = field(default_factory=list)
    sex: str = "U"  # M F X U
    birth: GedcomDate | None = None
    death: GedcomDate | None = None
    deceased: bool = False
    famc: list[ChildLink] = field(default_factory=list)
    fams: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def name(self) -> str:
        return self.names[0].full if self.names else ""


@dataclass
class Family:
    xref: str
    husband: str | None = None
    wife: str | None = None
    children: list[str] = field(default_factory=list)
    events: dict[str, GedcomDate | None] = field(default_factory=dict)  # MARR, DIV, ANUL, ENGA → first date
    # Per-child relation to father / mother from _FREL / _MREL, normalised like PEDI.
    child_relations: dict[str, tuple[str, str]] = field(default_factory=dict)
    line: int = 0

    @property
    def partners(self) -> list[str]:
        return [p for p in (self.husband, self.wife) if p]


ROLE_LABELS = {
    "FRIEND": "friend",
    "NGHBR": "neighbour",
    "GODP": "godparent",
    "CLERGY": "clergy",
    "WITN": "witness",
    "OFFICIATOR": "officiator",
    "MULTIPLE": "multiple birth sibling",
    "FATH": "father",
    "MOTH": "mother",
    "PARENT": "parent",
    "SPOU": "spouse",
    "HUSB": "husband",
    "WIFE": "wife",
    "CHIL": "child",
}


@dataclass(frozen=True)
class Association:
    source: str  # the individual holding the ASSO
    target: str
    role: str  # GEDCOM 7 ROLE (FRIEND, NGHBR, GODP, OTHER…); 5.5.1 RELA text is mapped onto these
    phrase: str = ""  # 5.5.1 RELA text or 7 PHRASE
    line: int = 0

    @property
    def label(self) -> str:
        if self.role == "OTHER" or self.role not in ROLE_LABELS:
            return self.phrase or "other"
        return ROLE_LABELS[self.role]


@dataclass
class GedcomFile:
    version: str  # "5.5.1" or "7.0"
    encoding: str
    individuals: dict[str, Individual] = field(default_factory=dict)
    families: dict[str, Family] = field(default_factory=dict)
    associations: list[Association] = field(default_factory=list)
    source: str = ""
    center: str | None = None  # set by select()
    header_note: str = ""  # HEAD.NOTE, CONC/CONT joined
    submitter: str = ""  # name of the first SUBM record
    notes: dict[str, str] = field(default_factory=dict)  # shared NOTE (5.5.1) / SNOTE (7.0) records by xref

    @property
    def counts(self) -> dict[str, int]:
        return {
            "individuals": len(self.individuals),
            "families": len(self.families),
            "associations": len(self.associations),
        }


@dataclass(frozen=True)
class GedcomImport:
    network: Network
    associations: tuple[Association, ...] = ()


# --- encodings ----------------------------------------------------------------------------------------------
