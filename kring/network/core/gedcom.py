"""GEDCOM 5.5.1 and 7.0 import and export, as plain data (no Django).

``parse_gedcom(bytes)`` reads a file into a ``GedcomFile`` (persons, families, associations) or raises
``GedcomError`` with the line number; ``select`` cuts out the part around one person; ``preview`` summarises it;
``to_network`` turns it into a ``Network``; ``to_gedcom`` writes a ``Network`` back out.

Decisions (see also the docstrings):
- Member ids are the xrefs without the ``@``. GEDCOM 5.5.1 xrefs are matched case-insensitively (real files and
  the 5.5.1 test files mix cases); GEDCOM 7 xrefs are case-sensitive and ``@VOID@`` is an empty pointer.
- PEDI BIRTH (or none) -> biological, ADOPTED -> adoptive, FOSTER -> foster, SEALING -> biological (an LDS
  ordinance that says nothing about birth, and birth is GEDCOM's default), OTHER -> step when its phrase says
  step, otherwise guardian (someone raising the child who is not a parent by birth, adoption or fostering).
- Vendor tags ``_FREL`` / ``_MREL`` (Family Tree Maker, Legacy) on FAM.CHIL give the kind per parent.
- Whatever cannot be parsed in a date is kept as text; the ``date`` is then None.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .graph import Member, Network, ParentLink, Partnership

__all__ = [
    "Association",
    "ChildLink",
    "Family",
    "GedcomDate",
    "GedcomError",
    "GedcomFile",
    "GedcomImport",
    "Individual",
    "PersonName",
    "parse_date",
    "parse_gedcom",
    "preview",
    "select",
    "to_gedcom",
    "to_network",
]


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

_HEAD_VERS = re.compile(rb"1[ \t]+GEDC[ \t]*\r?\n(?:[ \t]*[2-9][^\r\n]*\r?\n)*?[ \t]*2[ \t]+VERS[ \t]+([^\r\n]+)")
_HEAD_CHAR = re.compile(rb"(?m)^[ \t]*1[ \t]+CHAR[ \t]+([^\r\n]+)")
_CHARSETS = {
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
    "UNICODE": "utf-8",
    "ANSEL": "gedcom",
    "ASCII": "ascii",
    "ANSI": "cp1252",
    "WINDOWS-1252": "cp1252",
    "CP1252": "cp1252",
    "LATIN1": "latin-1",
    "ISO-8859-1": "latin-1",
    "ISO8859-1": "latin-1",
    "IBMPC": "cp437",
    "MACINTOSH": "mac_roman",
}


def _ansel_codec_ready() -> bool:
    # The `ansel` package (MIT) registers the "gedcom" codec: ANSEL plus GEDCOM's extra characters, with
    # combining marks moved from before the base letter (ANSEL) to after it (Unicode).
    try:
        codecs.lookup("gedcom")
        return True
    except LookupError:
        import ansel

        ansel.register()
        return True


def _decode(data: bytes) -> tuple[str, str]:
    """Bytes to text: BOM, then UTF-16 by NUL bytes, then HEAD.CHAR (GEDCOM 7 is always UTF-8)."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[3:]
    elif data.startswith(codecs.BOM_UTF16_LE):
        encoding, data = "utf-16-le", data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, data = "utf-16-be", data[2:]
    elif len(data) > 1 and data[0] == 0 and data[1] != 0:
        encoding = "utf-16-be"
    elif len(data) > 1 and data[1] == 0 and data[0] != 0:
        encoding = "utf-16-le"
    else:
        end = re.search(rb"[\r\n][ \t]*0[ \t]", data)
        head = data[: end.start() if end else 20000]
        vers = _HEAD_VERS.search(head)
        char = _HEAD_CHAR.search(head)
        if vers and vers.group(1).strip().startswith(b"7"):
            encoding = "utf-8"
        elif char:
            name = char.group(1).strip().decode("ascii", "replace").upper()
            encoding = _CHARSETS.get(name, "utf-8")
        else:
            encoding = "utf-8"
        if encoding == "ascii" or (encoding == "utf-8" and not char and not vers):
            # "ASCII" files often hold 8-bit text; try UTF-8, then the Windows code page.
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                return data.decode("cp1252", "replace"), "cp1252"
        if encoding == "gedcom":
            _ansel_codec_ready()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding.startswith("utf-16"):
            line = data[: exc.start].decode(encoding, "replace").count("\n") + 1
        else:
            line = data[: exc.start].count(b"\n") + 1
        raise GedcomError(
            line,
            f"Line {line} cannot be read as {encoding.upper()} text, the character set the file says it uses.",
            "encoding",
            encoding=encoding.upper(),
        ) from None
    if encoding == "gedcom":
        text = unicodedata.normalize("NFC", text)
    return text, encoding


# --- lines --------------------------------------------------------------------------------------------------

_LINE = re.compile(r"[ \t]*(\d+)[ \t]+(?:(@[^@]+@)[ \t]+)?([A-Za-z0-9_]+)(?: (.*))?$")
_POINTER = re.compile(r"@[^@#][^@]*@$")
_AGE5 = re.compile(
    r"(?i:CHILD|INFANT|STILLBORN)$|[<>]?(?:\d+[yY](?: \d+[mM])?(?: \d+[dD])?|\d+[mM](?: \d+[dD])?"
    r"|\d+[dD])$"
)
_AGE7 = re.compile(
    r"(?:[<>] )?(?:\d+y(?: \d+m)?(?: \d+w)?(?: \d+d)?|\d+m(?: \d+w)?(?: \d+d)?|\d+w(?: \d+d)?"
    r"|\d+d)?$"
)


class _Node:
    __slots__ = ("level", "xref", "tag", "value", "pointer", "line", "children")

    def __init__(self, level: int, xref: str | None, tag: str, value: str, pointer: str | None, line: int) -> None:
        self.level, self.xref, self.tag, self.value, self.pointer, self.line = level, xref, tag, value, pointer, line
        self.children: list[_Node] = []

    def first(self, tag: str) -> _Node | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None


def _version_of(lines: list[tuple[int, str]]) -> str:
    # GEDC.VERS inside HEAD, before the tree is built (the @@ rules differ per version).
    in_gedc = False
    for _number, raw in lines:
        m = _LINE.match(raw)
        if not m:
            continue
        level, tag = int(m.group(1)), m.group(3)
        if level == 0 and tag != "HEAD":
            break
        if level == 1:
            in_gedc = tag == "GEDC"
        elif level == 2 and in_gedc and tag == "VERS":
            return "7.0" if (m.group(4) or "").strip().startswith("7") else "5.5.1"
    return "5.5.1"


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    """The non-blank lines with their line numbers; refuses binary data, an empty file and one not opening with HEAD."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise GedcomError(line, f"Line {line} contains binary data; this is not a GEDCOM text file.", "binary")
    raw_lines = re.split(r"\r\n|\r|\n", text.rstrip("\x1a"))
    numbered = [(i, s) for i, s in enumerate(raw_lines, 1) if s.strip()]
    if not numbered:
        raise GedcomError(1, "The file is empty.", "empty")
    first_no, first = numbered[0]
    m = _LINE.match(first)
    if not m or m.group(1) != "0" or m.group(3) != "HEAD":
        raise GedcomError(
            first_no,
            f"Line {first_no} should be '0 HEAD': this is not a GEDCOM file, or it is damaged at the start.",
            "no_head",
        )
    return numbered


def _line_error(number: int, raw: str) -> GedcomError:
    """What is wrong with a line that is not a GEDCOM line: no level, no tag, or something else."""
    stripped = raw.strip()
    if not stripped[:1].isdigit():
        return GedcomError(number, f"Line {number} does not start with a level number.", "missing_level")
    if re.fullmatch(r"\d+(?:[ \t]+@[^@]+@)?", stripped):
        return GedcomError(number, f"Line {number} has no tag.", "missing_tag")
    return GedcomError(number, f"Line {number} is not a valid GEDCOM line.", "syntax")


def _pointer_and_value(value: str, v7: bool) -> tuple[str | None, str]:
    """A pointer (``@X1@`` → ``X1``, upper-cased in 5.5.1; 7.0's ``@VOID@`` points nowhere) or the value with its
    escaped ``@@`` undone (7.0 escapes only a leading one)."""
    if _POINTER.match(value):
        pointer = value[1:-1] if v7 else value[1:-1].upper()
        return (None if v7 and pointer == "VOID" else pointer), value
    if value.startswith("@@"):
        return None, value[1:] if v7 else value.replace("@@", "@")
    if not v7 and "@@" in value:
        return None, value.replace("@@", "@")
    return None, value


def _check_value(tag: str, value: str, number: int, version: str) -> None:
    """Refuses an AGE the version does not allow and, in 5.5.1, a DATE with a malformed dual year."""
    v7 = version == "7.0"
    if tag == "AGE" and value and not (_AGE7 if v7 else _AGE5).match(value.strip() if not v7 else value):
        raise GedcomError(
            number,
            f"Line {number} has an age the GEDCOM {version} standard does not allow: '{value}'.",
            "invalid_age",
            value=value,
        )
    if tag == "DATE" and value and not v7:
        _check_dual_years(value, number)


def _record_key(xref: str, number: int, v7: bool, defined: dict[str, int]) -> str:
    """The key of a record's identifier (5.5.1 ignores case); refuses one defined before and records it."""
    key = xref[1:-1] if v7 else xref[1:-1].upper()
    if key in defined:
        raise GedcomError(
            number,
            f"The identifier {xref} on line {number} is already used on line {defined[key]}.",
            "duplicate_xref",
            xref=xref,
            first_line=defined[key],
        )
    defined[key] = number
    return key


def _check_complete(
    numbered: list[tuple[int, str]], trlr: int | None, pointers: list[tuple[str, int]], defined: dict[str, int]
) -> None:
    """Refuses a file cut off before its closing TRLR and a pointer to a record that is not in the file."""
    if trlr is None:
        last = numbered[-1][0]
        raise GedcomError(
            last, f"The file ends on line {last} without the closing '0 TRLR' line; it may be cut off.", "no_trlr"
        )
    for target, number in pointers:
        if target not in defined:
            raise GedcomError(
                number,
                f"Line {number} points to @{target}@, which is not in the file.",
                "dangling_pointer",
                xref=f"@{target}@",
            )


def _tree(text: str) -> tuple[list[_Node], str]:
    """The records of a GEDCOM text, each a tree of nodes (CONC/CONT joined into their parent's value), and the
    version; a malformed file is refused with a ``GedcomError`` naming its line."""
    numbered = _numbered_lines(text)
    version = _version_of(numbered[:200])
    v7 = version == "7.0"
    records: list[_Node] = []
    stack: list[_Node] = []
    defined: dict[str, int] = {}
    pointers: list[tuple[str, int]] = []
    trlr = None
    for number, raw in numbered:
        if trlr is not None:
            raise GedcomError(number, f"Line {number} comes after the closing TRLR line.", "after_trlr")
        m = _LINE.match(raw)
        if not m:
            raise _line_error(number, raw)
        level, xref, tag = int(m.group(1)), m.group(2), m.group(3).upper()
        previous = stack[-1].level if stack else -1
        if level > previous + 1:
            raise GedcomError(
                number,
                f"Line {number} jumps from level {previous} to level {level}.",
                "level_jump",
                previous=previous,
                level=level,
            )
        del stack[level:]
        value = m.group(4) or ""
        pointer = None
        if "@" in value:  # only then can it be a pointer or hold an escaped @@ (a hot loop: skip the call)
            pointer, value = _pointer_and_value(value, v7)
            if pointer is not None:
                pointers.append((pointer, number))
        if tag in ("CONC", "CONT") and level > 0:
            parent = stack[level - 1]
            parent.value += ("\n" if tag == "CONT" else "") + value
            continue
        if tag == "AGE" or tag == "DATE":
            _check_value(tag, value, number, version)
        node = _Node(level, None, tag, value, pointer, number)
        if level == 0:
            if xref:
                node.xref = _record_key(xref, number, v7, defined)
            records.append(node)
            if tag == "TRLR":
                trlr = number
        else:
            stack[-1].children.append(node)
        stack.append(node)
    _check_complete(numbered, trlr, pointers, defined)
    return records, version


# --- dates --------------------------------------------------------------------------------------------------

_MONTHS = {
    m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)
}
_MONTH_NAMES = {
    "JANUARY": 1,
    "FEBRUARY": 2,
    "MARCH": 3,
    "APRIL": 4,
    "JUNE": 6,
    "JULY": 7,
    "AUGUST": 8,
    "SEPT": 9,
    "SEPTEMBER": 9,
    "OCTOBER": 10,
    "NOVEMBER": 11,
    "DECEMBER": 12,
}
_APPROX = {
    "ABT",
    "CAL",
    "EST",
    "BEF",
    "AFT",
    "BET",
    "AND",
    "FROM",
    "TO",
    "INT",
    "ABOUT",
    "CIRCA",
    "C.",
    "CA",
    "CA.",
    "BEFORE",
    "AFTER",
}


_DUAL_YEAR = re.compile(r"(?<![\d/])(\d{3,4})/(\d{1,2})(?![\d/])")


def _check_dual_years(value: str, number: int) -> None:
    """GEDCOM 5.5.1 writes a dual year (old and new style, before 1752) as the year and the last digits of the
    year after it: 1699/00, 1513/4. Anything else after the slash is not a dual year but an error."""
    # A date phrase in parentheses is free text, not a date.
    plain = re.sub(r"\([^)]*\)", "", value)
    for year, suffix in _DUAL_YEAR.findall(plain):
        following = str(int(year) + 1)
        if following[-len(suffix) :].zfill(len(suffix)) != suffix:
            raise GedcomError(
                number,
                f"Line {number} has the dual year {year}/{suffix}; after the slash must come the year after "
                f"{year} ({following[-2:]}).",
                "invalid_dual_year",
                value=f"{year}/{suffix}",
            )


def parse_date(text: str) -> GedcomDate:
    """A GEDCOM date value to a ``GedcomDate``; never raises. The first date in a range is taken."""
    original = text
    try:
        return _parse_date(original)
    except (ValueError, OverflowError, IndexError):
        return GedcomDate(original)


def _parse_date(original: str) -> GedcomDate:
    text = re.sub(r"\(.*?\)", " ", original.upper())  # date phrases
    text = text.replace("@#DGREGORIAN@", " ").replace("GREGORIAN", " ")
    if (
        "@#" in text
        or re.search(r"\b(JULIAN|HEBREW|FRENCH_R|ROMAN|UNKNOWN)\b", text)
        or "B.C" in text
        or re.search(r"\bBCE?\b", text)
    ):
        return GedcomDate(original)  # other calendars and BC dates do not fit datetime.date
    words = text.replace(",", " ").split()
    approximate = any(w in _APPROX for w in words)
    # Keep only the first date of "BET x AND y" / "FROM x TO y".
    start = 0
    while start < len(words) and words[start] in _APPROX:
        start += 1
    end = start
    while end < len(words) and words[end] not in _APPROX:
        end += 1
    parts = words[start:end]
    if not parts:
        return GedcomDate(original)
    year_text = parts[-1]
    dual = re.fullmatch(r"(\d{1,4})/(\d{1,2})", year_text)
    if dual:
        year = int(dual.group(1)) + 1  # the new-style year (the year then began on 25 March)
    elif year_text.isdigit():
        year = int(year_text)
    else:
        return GedcomDate(original)
    month = day = None
    if len(parts) >= 2:
        name = parts[-2]
        month = (
            _MONTHS.get(name[:3])
            if name[:3] in _MONTHS and (len(name) == 3 or name in _MONTH_NAMES or name.rstrip(".") in _MONTHS)
            else None
        )
        month = month or _MONTH_NAMES.get(name)
        if month is None:
            return GedcomDate(original)
        if dual:
            year = year if month <= 3 else year - 1  # only Jan–Mar (before 25 March) fall in the later year
    if len(parts) >= 3:
        if not parts[-3].isdigit():
            return GedcomDate(original)
        day = int(parts[-3])
    if len(parts) > 3 or year < 1:
        return GedcomDate(original)
    return GedcomDate(
        original, date(year, month or 1, day or 1), approximate or day is None or (dual is not None and month is None)
    )


# --- records ------------------------------------------------------------------------------------------------

_NAME = re.compile(r"^(.*?)/(.*?)/(.*)$")
_PEDI = {
    "BIRTH": "birth",
    "NATURAL": "birth",
    "BIOLOGICAL": "birth",
    "ADOPTED": "adopted",
    "FOSTER": "foster",
    "SEALING": "sealing",
    "OTHER": "other",
}
_RELA = {
    "FRIEND": "FRIEND",
    "NEIGHBOR": "NGHBR",
    "NEIGHBOUR": "NGHBR",
    "GODPARENT": "GODP",
    "GODFATHER": "GODP",
    "GODMOTHER": "GODP",
    "WITNESS": "WITN",
    "CLERGY": "CLERGY",
    "OFFICIATOR": "OFFICIATOR",
}


def _pedi(value: str) -> tuple[str, str]:
    key = value.strip().upper()
    if not key:
        return "", ""
    return (_PEDI[key], "") if key in _PEDI else ("other", value.strip())


def _event_date(node: _Node) -> GedcomDate | None:
    d = node.first("DATE")
    return parse_date(d.value) if d is not None and d.value.strip() else None


def _individual(xref: str, node: _Node, v7: bool) -> Individual:
    person = Individual(xref, line=node.line)
    for child in node.children:
        tag = child.tag
        if tag == "NAME":
            value = child.value.strip()
            m = _NAME.match(value)
            given, surname = (m.group(1).strip(), m.group(2).strip()) if m else (value, "")
            givn, surn = child.first("GIVN"), child.first("SURN")
            given = givn.value.strip() if givn is not None and not given else given
            surname = surn.value.strip() if surn is not None and not surname else surname
            if not value:
                value = f"{given} /{surname}/" if surname else given
            person.names.append(PersonName(value, given, surname))
        elif tag == "SEX":
            sex = child.value.strip().upper()[:1]
            person.sex = sex if sex in ("M", "F", "X") else "U"
        elif tag == "BIRT" and person.birth is None:
            person.birth = _event_date(child)
        elif tag == "DEAT":
            if child.value.strip().upper() != "N":
                person.deceased = True
                person.death = person.death or _event_date(child)
        elif tag in ("BURI", "CREM"):
            person.deceased = True
        elif tag == "FAMC" and child.pointer:
            pedi_node = child.first("PEDI")
            pedi, phrase = _pedi(pedi_node.value) if pedi_node is not None else ("", "")
            phrase_node = pedi_node.first("PHRASE") if pedi_node is not None else None
            if phrase_node is not None:
                phrase = phrase_node.value.strip()
            kring = child.first("_KRING_KIND")  # our own 5.5.1 extension for step / guardian
            if kring is not None and not pedi:
                pedi, phrase = "other", kring.value.strip()
            person.famc.append(ChildLink(child.pointer, pedi, phrase))
        elif tag == "FAMS" and child.pointer:
            person.fams.append(child.pointer)
    return person


def _association(source: str, node: _Node) -> Association | None:
    if not node.pointer:
        return None
    role_node, rela = node.first("ROLE"), node.first("RELA")
    if role_node is not None:
        role = role_node.value.strip().upper() or "OTHER"
        phrase_node = role_node.first("PHRASE")
        phrase = phrase_node.value.strip() if phrase_node is not None else ""
    elif rela is not None:
        phrase = rela.value.strip()
        role = _RELA.get(phrase.upper().replace("-", ""), "OTHER")
    else:
        role, phrase = "OTHER", ""
    return Association(source, node.pointer, role, phrase, node.line)


def _family(xref: str, node: _Node) -> Family:
    family = Family(xref, line=node.line)
    for child in node.children:
        tag = child.tag
        if tag == "HUSB" and child.pointer and not family.husband:
            family.husband = child.pointer
        elif tag == "WIFE" and child.pointer and not family.wife:
            family.wife = child.pointer
        elif tag == "CHIL" and child.pointer:
            if child.pointer not in family.children:
                family.children.append(child.pointer)
            frel, mrel = child.first("_FREL"), child.first("_MREL")
            if frel is not None or mrel is not None:
                family.child_relations[child.pointer] = (
                    _pedi(frel.value)[0] if frel is not None else "",
                    _pedi(mrel.value)[0] if mrel is not None else "",
                )
        elif tag in ("MARR", "DIV", "ANUL", "ENGA") and tag not in family.events:
            if tag == "MARR" and child.value.strip().upper() == "N":
                continue
            family.events[tag] = _event_date(child)
    return family


def parse_gedcom(data: bytes) -> GedcomFile:
    """Read a GEDCOM 5.5.1 or 7.0 file. Raises ``GedcomError`` (with the line number) if it is malformed."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise GedcomError(1, "The file is empty.", "empty")
    text, encoding = _decode(data)
    records, version = _tree(text)
    v7 = version == "7.0"
    result = GedcomFile(version, encoding)
    head = records[0]
    sour = head.first("SOUR")
    result.source = sour.value.strip() if sour is not None else ""
    note = head.first("NOTE")
    result.header_note = note.value if note is not None else ""
    asso_nodes: list[tuple[str, _Node]] = []
    for node in records:
        if node.tag == "INDI" and node.xref:
            result.individuals[node.xref] = _individual(node.xref, node, v7)
            asso_nodes.extend((node.xref, c) for c in node.children if c.tag == "ASSO")
        elif node.tag == "FAM" and node.xref:
            result.families[node.xref] = _family(node.xref, node)
        elif node.tag in ("NOTE", "SNOTE") and node.xref:
            result.notes[node.xref] = node.value
        elif node.tag == "SUBM" and not result.submitter:
            name = node.first("NAME")
            result.submitter = name.value.strip() if name is not None else ""
    for source, node in asso_nodes:
        association = _association(source, node)
        if association and association.target in result.individuals:
            result.associations.append(association)
    return result


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
