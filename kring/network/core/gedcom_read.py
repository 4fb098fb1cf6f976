"""Reading a GEDCOM 5.5.1 or 7.0 file: character sets, lines into a tree of records, dates, and the persons,
families and associations of the file (``parse_gedcom``, ``parse_date``). The overview and the decisions are
in ``kring.network.core.gedcom``.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from datetime import date

from .gedcom_data import Association, ChildLink, Family, GedcomDate, GedcomError, GedcomFile, Individual, PersonName

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
