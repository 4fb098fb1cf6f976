"""The signed package that carries a transfer between two Kring installations (decision 196). No Django here.

A package is a zip of exactly these members:

- ``manifest.json``: format and version, the sender (installation id, organisation, key fingerprint), when it was
  made, the transfer's summary and legal basis, what went (``items``) and the SHA-256 of every other member;
- ``signature``: the Ed25519 signature of the exact bytes of ``manifest.json``, hex;
- ``content.json``: the case file that goes (persons, network, journal entries, plan summaries, document details);
- ``documents/<n>``: the files of the documents, numbered.

``read_package`` refuses, before anything is trusted: a package too large or unpacking to far more than it is, a
member with a path in its name or one not listed, a wrong format version, a manifest not signed by a key the
receiver trusts, or a member whose checksum differs from the manifest. Each refusal is a ``PackageRefused`` with a
code; the caller turns the code into a sentence.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "kring-transfer"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "signature"
CONTENT = "content.json"
DOCUMENT_NAME = re.compile(r"documents/[1-9][0-9]{0,5}")
MAX_MEMBERS = 2_000
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_RATIO = 100  # unpacked size over packed size, for a member worth counting
RATIO_FLOOR = 1_000_000


class PackageRefused(Exception):
    def __init__(self, code: str, values: dict | None = None):
        self.code = code
        self.values = values or {}
        super().__init__(code)


@dataclass(frozen=True)
class Package:
    manifest: dict
    content: dict
    documents: dict[str, bytes]  # member name -> bytes
    fingerprint: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint_of(public_key_hex: str) -> str:
    """The fingerprint people compare: SHA-256 of the raw public key, hex."""
    return sha256(bytes.fromhex(public_key_hex))


def public_key_hex(private_key: Ed25519PrivateKey) -> str:
    return private_key.public_key().public_bytes_raw().hex()


def valid_public_key(text: str) -> str | None:
    """The key as 64 hex digits, or None when it is no Ed25519 public key."""
    text = (text or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        return None
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
    except ValueError:
        return None
    return text


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def digest_of(items: dict) -> str:
    """The digest of what went: SHA-256 over the items in canonical JSON, the same on both sides."""
    return sha256(canonical(items))


def build(manifest: dict, content: dict, documents: list[bytes], private_key: Ed25519PrivateKey) -> bytes:
    """The zip: ``manifest`` completed with the format, the files' checksums and the key, then signed."""
    content_bytes = canonical(content)
    files = {CONTENT: sha256(content_bytes)}
    for number, data in enumerate(documents, start=1):
        files[f"documents/{number}"] = sha256(data)
    manifest = {
        **manifest,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "files": files,
    }
    manifest["sender"] = {**manifest.get("sender", {}), "fingerprint": fingerprint_of(public_key_hex(private_key))}
    manifest_bytes = json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=1, default=str).encode()
    buffer = io.BytesIO()
    members = [
        (MANIFEST, manifest_bytes),
        (SIGNATURE, private_key.sign(manifest_bytes).hex().encode()),
        (CONTENT, content_bytes),
    ]
    members += [(f"documents/{number}", data) for number, data in enumerate(documents, start=1)]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            # A fixed date: the same package is made byte for byte again (Ed25519 signatures are deterministic).
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _member_name_ok(name: str) -> bool:
    return name in (MANIFEST, SIGNATURE, CONTENT) or bool(DOCUMENT_NAME.fullmatch(name))


def _open(data: bytes, max_bytes: int) -> zipfile.ZipFile:
    if not data:
        raise PackageRefused("empty")
    if len(data) > max_bytes:
        raise PackageRefused("too_large", {"limit": max_bytes})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise PackageRefused("not_a_package") from None
    if len(entries) > MAX_MEMBERS:
        raise PackageRefused("too_many_members", {"limit": MAX_MEMBERS})
    total = 0
    names = set()
    for entry in entries:
        name = entry.filename
        if name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/") or ":" in name or "\x00" in name:
            raise PackageRefused("path", {"name": name[:80]})
        if not _member_name_ok(name) or entry.is_dir():
            raise PackageRefused("unexpected_member", {"name": name[:80]})
        if name in names:
            raise PackageRefused("unexpected_member", {"name": name[:80]})
        names.add(name)
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise PackageRefused("zip_bomb")
        total += entry.file_size
    if total > max_bytes * 2 and total > RATIO_FLOOR:
        raise PackageRefused("zip_bomb")
    for required in (MANIFEST, SIGNATURE, CONTENT):
        if required not in names:
            raise PackageRefused("missing_member", {"name": required})
    return archive


def _read(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, never more than ``limit`` (a member that lies about its size is caught here)."""
    try:
        with archive.open(name) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        raise PackageRefused("not_a_package") from None
    if len(data) > limit:
        raise PackageRefused("zip_bomb")
    return data


def read(data: bytes, max_bytes: int, trusted_key: Callable[[str], str | None]) -> Package:
    """Check a package and return what it holds. ``trusted_key(fingerprint)`` gives the public key (hex) the
    receiver trusts under that fingerprint, or None."""
    archive = _open(data, max_bytes)
    manifest_bytes = _read(archive, MANIFEST, MAX_MANIFEST_BYTES)
    try:
        manifest = json.loads(manifest_bytes)
    except (ValueError, UnicodeDecodeError):
        raise PackageRefused("manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageRefused("manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise PackageRefused("format_version", {"version": str(manifest.get("format_version"))[:20]})
    sender = manifest.get("sender")
    files = manifest.get("files")
    if not isinstance(sender, dict) or not isinstance(files, dict) or not isinstance(manifest.get("transfer"), dict):
        raise PackageRefused("manifest")
    fingerprint = str(sender.get("fingerprint", ""))
    key = trusted_key(fingerprint) if re.fullmatch(r"[0-9a-f]{64}", fingerprint) else None
    if key is None:
        raise PackageRefused("unknown_sender", {"fingerprint": fingerprint[:64]})
    try:
        signature = bytes.fromhex(_read(archive, SIGNATURE, 1024).decode("ascii").strip())
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key)).verify(signature, manifest_bytes)
    except (ValueError, UnicodeDecodeError, InvalidSignature):
        raise PackageRefused("signature") from None
    # Signed: now every member must be listed with its checksum, and every listed one present.
    members = {entry.filename for entry in archive.infolist()} - {MANIFEST, SIGNATURE}
    if set(files) != members:
        raise PackageRefused("checksum")
    found: dict[str, bytes] = {}
    for name in sorted(members):
        content = _read(archive, name, max_bytes)
        if sha256(content) != files[name]:
            raise PackageRefused("checksum")
        found[name] = content
    try:
        content = json.loads(found.pop(CONTENT))
    except (ValueError, UnicodeDecodeError):
        raise PackageRefused("manifest") from None
    if not isinstance(content, dict):
        raise PackageRefused("manifest")
    return Package(manifest=manifest, content=content, documents=found, fingerprint=fingerprint)
