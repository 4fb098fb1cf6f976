"""Back up a whole installation (every table and the document store) into one archive, and restore it elsewhere.

The archive is a gzipped tar of:

- ``manifest.json``: the format, the database it came from, the migrations applied per app, and per table and per
  document file its row count or size and SHA-256, so a restore checks what it reads;
- ``database/<app>.<model>.jsonl``: every row of every table Django knows (history tables, the access log, many-to-
  many tables included; sessions left out: they are credentials, not records), one JSON array per row, in
  primary-key order, values written so that another database reads them back (an archive from PostgreSQL restores
  into SQLite and the reverse);
- ``documents/<name>``: every file of the document store, under its stored name.

The database is read table by table in one read-only transaction (repeatable read on PostgreSQL), so the archive
is one moment of the database even while Kring runs. Restore needs an installation without data: it migrates
the database, refuses when the migrations differ from the archive's (restore with the Kring version that wrote it,
then upgrade) or when it holds organisations, users or cases, replaces what the migrations wrote (content types,
permissions) and inserts every row in one transaction, checks the foreign keys, sets the id sequences past the
highest id, and writes the files into the document store. Decision 170 says why it is not ``dumpdata`` or
``pg_dump``.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.duration import duration_iso_string

from .backup_crypto import MAGIC, decrypt_stream, encrypt_stream

FORMAT = 1
DOCUMENT_STORAGE = "documents"
BATCH = 2000
# Not backed up: a session is a login, valid only where it was made.
LEFT_OUT = {"sessions.session"}
# Installations with rows here hold data a restore would mix with the archive's.
MUST_BE_EMPTY = ("accounts.organisation", "accounts.user", "cases.case", "cases.person")


class BackupError(Exception):
    """What went wrong, in words for the operator."""


def backed_up_models() -> list[type[models.Model]]:
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in LEFT_OUT:
            continue
        chosen.append(model)
    return sorted(chosen, key=lambda m: m._meta.label_lower)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise BackupError(f"cannot write a value of type {type(value).__name__}")


def _decode(field: models.Field, value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.ForeignKey):
        return field.target_field.to_python(value)
    return field.to_python(value)


def _table_rows(model: type[models.Model]) -> Iterator[list[Any]]:
    attnames = [field.attname for field in model._meta.concrete_fields]
    rows = model._base_manager.order_by("pk").values_list(*attnames)
    for row in rows.iterator(chunk_size=BATCH):
        yield [_encode(value) for value in row]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _walk_storage(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # a file system store's folder is made with its first file
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from _walk_storage(storage, f"{folder}/{directory}" if folder else directory)


def document_storage() -> Storage | None:
    return storages[DOCUMENT_STORAGE] if DOCUMENT_STORAGE in settings.STORAGES else None


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _write_tables(folder: Path) -> dict[str, dict[str, Any]]:
    tables = {}
    database = folder / "database"
    database.mkdir()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in backed_up_models():
            label = model._meta.label_lower
            path = database / f"{label}.jsonl"
            count = 0
            with path.open("w", encoding="utf-8") as handle:
                handle.write(json.dumps([f.attname for f in model._meta.concrete_fields]) + "\n")
                for row in _table_rows(model):
                    handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
                    count += 1
            tables[label] = {"rows": count, "sha256": _sha256_file(path)}
    return tables


def _write_documents(folder: Path) -> dict[str, dict[str, Any]]:
    storage = document_storage()
    files: dict[str, dict[str, Any]] = {}
    if storage is None:
        return files
    for name in _walk_storage(storage):
        target = folder / "documents" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, target.open("wb") as sink:
            shutil.copyfileobj(source, sink)
        files[name] = {"bytes": target.stat().st_size, "sha256": _sha256_file(target)}
    return files


def write_backup(target: Path, passphrase: str | None = None) -> dict[str, Any]:
    """Write the archive to ``target`` (encrypted with ``passphrase`` when given); return its manifest."""
    with tempfile.TemporaryDirectory(prefix="kring-backup-") as temporary:
        folder = Path(temporary)
        manifest = {
            "format": FORMAT,
            "made": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": connection.vendor,
            "migrations": applied_migrations(),
            "tables": _write_tables(folder),
            "documents": _write_documents(folder),
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        plain = folder / "backup.tar.gz"
        with tarfile.open(plain, "w:gz") as archive:
            archive.add(folder / "manifest.json", arcname="manifest.json")
            archive.add(folder / "database", arcname="database")
            if (folder / "documents").exists():
                archive.add(folder / "documents", arcname="documents")
        target.parent.mkdir(parents=True, exist_ok=True)
        if passphrase:
            with plain.open("rb") as source, target.open("wb") as sink:
                encrypt_stream(source, sink, passphrase)
        else:
            shutil.copyfile(plain, target)
        os.chmod(target, 0o600)
    return manifest


def _unpack(source: Path, folder: Path, passphrase: str | None) -> dict[str, Any]:
    with source.open("rb") as handle:
        encrypted = handle.read(len(MAGIC)) == MAGIC
    plain = source
    if encrypted:
        if not passphrase:
            raise BackupError("this backup is encrypted: give its passphrase")
        plain = folder / "backup.tar.gz"
        with source.open("rb") as handle, plain.open("wb") as sink:
            decrypt_stream(handle, sink, passphrase)
    try:
        with tarfile.open(plain, "r:gz") as archive:
            archive.extractall(folder / "unpacked", filter="data")
    except (tarfile.TarError, gzip.BadGzipFile, EOFError) as error:
        raise BackupError(f"not a readable Kring backup: {error}") from error
    unpacked = folder / "unpacked"
    try:
        manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError("the backup has no readable manifest") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not the format this Kring reads ({FORMAT})")
    for label, table in manifest["tables"].items():
        if _sha256_file(unpacked / "database" / f"{label}.jsonl") != table["sha256"]:
            raise BackupError(f"the table {label} in the backup does not match its checksum")
    for name, document in manifest["documents"].items():
        if _sha256_file(unpacked / "documents" / name) != document["sha256"]:
            raise BackupError(f"the document file {name} in the backup does not match its checksum")
    return manifest


def _read_rows(path: Path) -> tuple[list[str], Iterator[list[Any]]]:
    handle = path.open(encoding="utf-8")
    columns = json.loads(handle.readline())

    def rows() -> Iterator[list[Any]]:
        with handle:
            for line in handle:
                yield json.loads(line)

    return columns, rows()


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_target(manifest: dict[str, Any]) -> None:
    if applied_migrations() != manifest["migrations"]:
        raise BackupError(
            "the migrations of this installation differ from the backup's: restore with the Kring version that "
            "made the backup, then upgrade"
        )
    for label in MUST_BE_EMPTY:
        if apps.get_model(label)._base_manager.exists():
            raise BackupError(f"this installation already holds data ({label}): restore only into an empty one")
    storage = document_storage()
    if manifest["documents"] and storage is None:
        raise BackupError("the backup holds documents but this installation has no document store")
    if storage is not None and manifest["documents"] and next(_walk_storage(storage), None) is not None:
        raise BackupError("the document store of this installation is not empty")


def _restore_tables(folder: Path, manifest: dict[str, Any]) -> None:
    known = {model._meta.label_lower: model for model in backed_up_models()}
    unknown = set(manifest["tables"]) - set(known)
    if unknown:
        raise BackupError(f"the backup holds tables this Kring does not know: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # What migrate wrote (content types, permissions) makes room for the archive's own rows, ids included.
            for label in manifest["tables"]:
                if known[label]._base_manager.exists():
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(known[label]._meta.db_table)}")
        for label in manifest["tables"]:
            model = known[label]
            fields = {field.attname: field for field in model._meta.concrete_fields}
            columns, rows = _read_rows(folder / "database" / f"{label}.jsonl")
            missing = set(columns) ^ set(fields)
            if missing:
                raise BackupError(f"the columns of {label} differ from this Kring's: {', '.join(sorted(missing))}")
            concrete = list(fields.values())
            for batch in _batches(rows, BATCH):
                objects = [
                    model(**{name: _decode(fields[name], value) for name, value in zip(columns, row, strict=True)})
                    for row in batch
                ]
                # A raw insert, as loaddata's: no save(), no signals, and auto_now fields keep the archive's time.
                size = max(connection.ops.bulk_batch_size(concrete, objects), 1)
                for part in _batches(objects, size):
                    model._base_manager._insert(part, fields=concrete, raw=True)  # type: ignore[attr-defined]
        connection.check_constraints(table_names=[known[label]._meta.db_table for label in manifest["tables"]])
        statements = connection.ops.sequence_reset_sql(no_style(), [known[label] for label in manifest["tables"]])
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _restore_documents(folder: Path, manifest: dict[str, Any]) -> None:
    storage = document_storage()
    if storage is None:
        return
    for name in manifest["documents"]:
        with (folder / "documents" / name).open("rb") as handle:
            stored = storage.save(name, File(handle))
        if stored != name:
            raise BackupError(f"the document store kept {name} as {stored}")


def restore_backup(source: Path, passphrase: str | None = None, migrate: bool = True) -> dict[str, Any]:
    """Restore the archive at ``source`` into this installation (which must hold no data); return its manifest."""
    with tempfile.TemporaryDirectory(prefix="kring-restore-") as temporary:
        manifest = _unpack(source, Path(temporary), passphrase)
        if migrate:
            call_command("migrate", verbosity=0, stdout=io.StringIO())
        _check_target(manifest)
        unpacked = Path(temporary) / "unpacked"
        _restore_tables(unpacked, manifest)
        _restore_documents(unpacked, manifest)
    return manifest
