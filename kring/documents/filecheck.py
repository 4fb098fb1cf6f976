"""What an uploaded document may be: the allow-list, checked by content, not by name. Pure: no Django.

A file is accepted when all of these hold, checked in this order so the message names the first problem:

- its name is a plain file name: no folder (``/`` or ``\\``), no control or direction-changing characters (a
  right-to-left override makes ``report\u202efdp.exe`` read as ``reportexe.pdf``), not empty, not too long;
- it is not empty and not larger than the limit;
- it is not a program (Windows, Linux or macOS executables, scripts starting with ``#!``);
- its first bytes make it one of the allowed types (``TYPES``), and its extension is one of that type's;
- a PDF holds no active content (JavaScript, launch actions, embedded files), also not inside its compressed
  streams;
- an office file (a zip container) declares its type in ``[Content_Types].xml`` or ``mimetype``, holds no macros,
  and its declared sizes stay within bounds (a zip bomb expands a few kilobytes to gigabytes; nothing is
  decompressed beyond the small type declaration, so the bomb never goes off here); an archive inside it is
  refused.

Each refusal is a ``FileRefused`` with a code and its values; the service turns it into a sentence.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

NAME_MAX = 200

# content type -> (what the page calls it, the extensions a file of that type may have)
TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": ("PDF", (".pdf",)),
    "image/png": ("PNG", (".png",)),
    "image/jpeg": ("JPEG", (".jpg", ".jpeg")),
    "image/gif": ("GIF", (".gif",)),
    "text/plain": ("text", (".txt",)),
    "text/csv": ("CSV", (".csv",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("Word", (".docx",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("Excel", (".xlsx",)),
    "application/vnd.oasis.opendocument.text": ("OpenDocument text", (".odt",)),
    "application/vnd.oasis.opendocument.spreadsheet": ("OpenDocument spreadsheet", (".ods",)),
}

# Executables and scripts, by their first bytes: refused whatever their name says.
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows (PE), DOS
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # a script
)

# PDF names that run or open something: script, actions that start programs or forms, embedded files and media.
PDF_ACTIVE = {"JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA", "ImportData"}
PDF_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
PDF_STREAM = re.compile(rb"stream\r?\n")

# Zip containers (the office formats): bounds on what the central directory declares.
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_RATIO = 100  # declared size over compressed size, per entry of any size worth counting
ZIP_RATIO_FLOOR = 1_000_000  # an entry that expands to less than this is never a bomb by itself
ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"BZh")
ARCHIVE_EXTENSIONS = (".zip", ".jar", ".gz", ".tgz", ".7z", ".rar", ".bz2", ".xz", ".cab", ".docx", ".xlsx", ".odt")

PROGRAM_EXTENSIONS = (".exe", ".dll", ".js", ".vbs", ".ps1", ".bat", ".cmd", ".scr", ".msi")

BIDI_AND_INVISIBLE = {
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",
}


@dataclass
class FileRefused(Exception):
    """Why a file was refused: a code (``name_path``, ``too_large``, ``pdf_active`` ...) and the values its
    sentence needs."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.values}"


@dataclass(frozen=True)
class CheckedFile:
    name: str  # the file name as given, normalised (NFC), checked
    content_type: str
    size: int
    sha256: str


def clean_name(name: str) -> str:
    """The file name as the user gave it, if it is a plain one; else ``FileRefused``."""
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name:
        raise FileRefused("name_missing")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise FileRefused("name_path")
    if any(ch in BIDI_AND_INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise FileRefused("name_characters")
    if len(name) > NAME_MAX:
        raise FileRefused("name_too_long", {"limit": NAME_MAX})
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem.strip(". "):
        raise FileRefused("name_extension")
    return name


def extension_of(name: str) -> str:
    return "." + name.rpartition(".")[2].lower()


def check_file(name: str, content: bytes, max_bytes: int) -> CheckedFile:
    """The checked file, or ``FileRefused`` with the first problem found."""
    name = clean_name(name)
    size = len(content)
    if size == 0:
        raise FileRefused("empty")
    if size > max_bytes:
        raise FileRefused("too_large", {"limit": max_bytes})
    if content.startswith(EXECUTABLE_MAGIC):
        raise FileRefused("executable")
    content_type = sniff(content)
    if content_type is None:
        raise FileRefused("type")
    if content_type == "text/plain" and extension_of(name) == ".csv":
        content_type = "text/csv"  # text either way; the name says which kind
    if extension_of(name) not in TYPES[content_type][1]:
        raise FileRefused("extension", {"type": TYPES[content_type][0], "extensions": TYPES[content_type][1]})
    if content_type == "application/pdf":
        check_pdf(content, max_bytes)
    return CheckedFile(name=name, content_type=content_type, size=size, sha256=hashlib.sha256(content).hexdigest())


def sniff(content: bytes) -> str | None:
    """The allowed type the content is, by its first bytes (and for zip containers, their declaration)."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if content.startswith(b"PK\x03\x04"):
        return sniff_zip(content)
    return sniff_text(content)


def sniff_text(content: bytes) -> str | None:
    """UTF-8 text without control characters other than tab, line ends and form feed: a letter, a note, a CSV."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text):
        return None
    return "text/plain"


def sniff_zip(content: bytes) -> str | None:
    """The office type a zip container declares, after its declared sizes passed; an archive or macros inside are
    refused. Only the declaration is read (bounded), so a zip bomb is never expanded."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise FileRefused("damaged") from None
    if len(entries) > ZIP_MAX_ENTRIES:
        raise FileRefused("zip_entries", {"limit": ZIP_MAX_ENTRIES})
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > ZIP_RATIO_FLOOR and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1):
            raise FileRefused("zip_bomb")
    # Everything together may expand to a hundred times the file, at most 200 MB: more is a bomb, not a letter.
    if total > min(ZIP_MAX_RATIO * len(content), 200 * 1024 * 1024) and total > ZIP_RATIO_FLOOR:
        raise FileRefused("zip_bomb")
    names = [entry.filename for entry in entries]
    for name in names:
        lowered = name.lower()
        if lowered.endswith(ARCHIVE_EXTENSIONS):
            raise FileRefused("zip_nested")
        embedded_program = ("embeddings/" in lowered or "activex" in lowered) and lowered.endswith(".bin")
        if "vbaproject" in lowered or embedded_program or lowered.endswith(PROGRAM_EXTENSIONS):
            raise FileRefused("macros")
    declared = _read_small(archive, "mimetype") if "mimetype" in names else None
    if declared is not None:
        declared_type = declared.decode("ascii", "replace").strip()
        if declared_type in TYPES and declared_type.startswith("application/vnd.oasis"):
            return declared_type
        return None
    if "[Content_Types].xml" not in names:
        return None
    types_xml = _read_small(archive, "[Content_Types].xml") or b""
    if b"macroEnabled" in types_xml or b"vbaProject" in types_xml:
        raise FileRefused("macros")
    if b"wordprocessingml.document.main+xml" in types_xml:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if b"spreadsheetml.sheet.main+xml" in types_xml:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def _read_small(archive: zipfile.ZipFile, name: str, limit: int = 256 * 1024) -> bytes | None:
    try:
        with archive.open(name) as entry:
            return entry.read(limit)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error):
        raise FileRefused("damaged") from None


def _pdf_names(data: bytes) -> set[str]:
    """The PDF names in ``data``, with ``#xx`` escapes undone (``/J#61vaScript`` is ``/JavaScript``)."""
    found = set()
    for match in PDF_NAME.finditer(data):
        raw = match.group(1)
        try:
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")
        except ValueError:
            continue
        found.add(name)
    return found


def check_pdf(content: bytes, max_bytes: int) -> None:
    """Refuse a PDF with active content, in its plain objects or its compressed streams. A stream that will not
    decompress is left alone (a viewer shows nothing of it either); one that expands beyond the limit is a bomb."""
    if _pdf_names(content) & PDF_ACTIVE:
        raise FileRefused("pdf_active")
    budget = 4 * max_bytes
    for match in PDF_STREAM.finditer(content):
        start = match.end()
        end = content.find(b"endstream", start)
        if end < 0:
            break
        decompressor = zlib.decompressobj()
        try:
            data = decompressor.decompress(content[start:end], budget + 1)
        except zlib.error:
            continue
        budget -= len(data)
        if budget < 0:
            raise FileRefused("zip_bomb")
        if _pdf_names(data) & PDF_ACTIVE:
            raise FileRefused("pdf_active")
