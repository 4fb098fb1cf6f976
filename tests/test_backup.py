"""Backups: the demo world with documents, backed up, restored into another empty installation, is the same in every
table and every file; an archive that was changed, cut off or encrypted with another passphrase is refused."""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection

from kring.accounts.models import Organisation
from kring.cases.models import Case
from kring.core import backup_crypto
from kring.core.backup import BackupError, backed_up_models, restore_backup, write_backup

from .factories import make_case, make_organisation, make_team

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def document_store(settings, tmp_path):
    location = tmp_path / "documents-here"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location


def unpack(archive: Path, folder: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(folder, filter="data")
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Elsewhere:
    """Another installation: its own empty database (of the same kind as the tests') and its own document store."""

    def __init__(self, tmp_path: Path):
        self.folder = tmp_path / "elsewhere"
        self.folder.mkdir()
        self.database = None
        if connection.vendor == "postgresql":
            self.database = f"kring_restore_{uuid.uuid4().hex[:12]}"
            with self._server() as server:
                server.execute(f'CREATE DATABASE "{self.database}"')
            server_url = connection.settings_dict
            self.url = (
                f"postgresql://{server_url['USER']}@{server_url['HOST'] or '127.0.0.1'}:{server_url['PORT'] or 5432}/"
                f"{self.database}"
            )
        else:
            self.url = f"sqlite:///{self.folder / 'kring.sqlite3'}"

    def _server(self):
        settings = connection.settings_dict
        return psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            dbname="postgres",
            autocommit=True,
        )

    def manage(self, *arguments, env=None):
        environment = {
            **os.environ,
            "DATABASE_URL": self.url,
            "KRING_VAR_DIR": str(self.folder / "var"),
            "KRING_DOCUMENT_ROOT": str(self.folder / "documents"),
            "KRING_DOCUMENT_STORAGE": "filesystem",
            **(env or {}),
        }
        environment.pop("DJANGO_SETTINGS_MODULE", None)
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *arguments],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def drop(self):
        if self.database:
            with self._server() as server:
                server.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture
def elsewhere(tmp_path):
    place = Elsewhere(tmp_path)
    yield place
    place.drop()


# The archive is read from the test's own transaction; the other installation is a process of its own.
@pytest.mark.django_db
def test_the_demo_world_with_documents_restores_elsewhere_the_same_in_every_table_and_file(
    document_store, elsewhere, tmp_path
):
    call_command("demo_world", stdout=io.StringIO())
    store = storages["documents"]
    store.save("2026/12/court-decision.pdf", ContentFile(b"%PDF-1.7\n% a court decision\n%%EOF\n"))
    store.save("2026/12/letter.txt", ContentFile("Brief van de school over één afspraak.\n".encode()))
    archive = tmp_path / "kring-backup.tar.gz.enc"
    os.environ["KRING_TEST_BACKUP_PASSPHRASE"] = "correct horse battery staple"
    try:
        call_command("backup", str(archive), "--passphrase-env", "KRING_TEST_BACKUP_PASSPHRASE", stdout=io.StringIO())
        restored = elsewhere.manage("restore", str(archive), "--passphrase-env", "KRING_TEST_BACKUP_PASSPHRASE")
    finally:
        del os.environ["KRING_TEST_BACKUP_PASSPHRASE"]
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout

    # What the other installation holds, backed up there, equals what was backed up here, row for row and byte for byte.
    original = tmp_path / "original"
    plain = tmp_path / "original.tar.gz"
    with archive.open("rb") as source, plain.open("wb") as sink:
        backup_crypto.decrypt_stream(source, sink, "correct horse battery staple")
    manifest = unpack(plain, original)
    again = elsewhere.manage("backup", str(tmp_path / "again.tar.gz"))
    assert again.returncode == 0, again.stderr
    copy = tmp_path / "copy"
    copy_manifest = unpack(tmp_path / "again.tar.gz", copy)

    assert set(manifest["tables"]) == {model._meta.label_lower for model in backed_up_models()}
    assert manifest["tables"]["cases.case"]["rows"] == Case.objects.count() > 0
    assert manifest["tables"]["audit.accesslogentry"]["rows"] > 0
    assert copy_manifest["tables"] == manifest["tables"]
    assert tree(copy / "database") == tree(original / "database")
    assert {"2026/12/court-decision.pdf", "2026/12/letter.txt"} <= set(manifest["documents"])
    assert sorted(manifest["documents"]) == sorted(tree(document_store))
    assert tree(elsewhere.folder / "documents") == tree(document_store)

    # The restored installation goes on numbering after the highest id it received.
    highest = Organisation.objects.order_by("-pk").values_list("pk", flat=True).first()
    new = elsewhere.manage(
        "shell",
        "-c",
        "from kring.accounts.models import Organisation as O; print(O.objects.create(name='Nieuw', code='nw').pk)",
    )
    assert new.returncode == 0, new.stderr
    assert int(new.stdout.split()[-1]) > highest


@pytest.mark.django_db
def test_a_restore_into_an_installation_with_data_is_refused_and_changes_nothing(document_store, tmp_path):
    make_case(make_team(make_organisation()), persons=2)
    archive = tmp_path / "backup.tar.gz"
    write_backup(archive)
    before = Case.objects.count(), Organisation.objects.count()
    with pytest.raises(BackupError, match="already holds data"):
        restore_backup(archive, migrate=False)
    assert (Case.objects.count(), Organisation.objects.count()) == before


@pytest.mark.django_db
def test_a_changed_archive_is_refused_by_its_checksums(document_store, tmp_path):
    make_case(make_team(make_organisation()), persons=2)
    archive = tmp_path / "backup.tar.gz"
    write_backup(archive)
    folder = tmp_path / "unpacked"
    unpack(archive, folder)
    table = folder / "database" / "cases.person.jsonl"
    header, first, *rest = table.read_text(encoding="utf-8").splitlines(keepends=True)
    table.write_text("".join([header, first.replace('"', '"x', 3), *rest]), encoding="utf-8")
    changed = tmp_path / "changed.tar.gz"
    with tarfile.open(changed, "w:gz") as tar:
        for member in ("manifest.json", "database"):
            tar.add(folder / member, arcname=member)
    with pytest.raises(BackupError, match="cases.person .*checksum"):
        restore_backup(changed, migrate=False)


def test_an_existing_archive_is_never_overwritten(tmp_path):
    target = tmp_path / "there.tar.gz"
    target.write_bytes(b"an older backup")
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="never overwrites"):
        call_command("backup", str(target))
    assert target.read_bytes() == b"an older backup"


def _encrypted(data: bytes, passphrase: str = "s3cret passphrase") -> bytes:
    sink = io.BytesIO()
    backup_crypto.encrypt_stream(io.BytesIO(data), sink, passphrase)
    return sink.getvalue()


def _decrypted(data: bytes, passphrase: str = "s3cret passphrase") -> bytes:
    sink = io.BytesIO()
    backup_crypto.decrypt_stream(io.BytesIO(data), sink, passphrase)
    return sink.getvalue()


@pytest.mark.parametrize("size", [0, 10, backup_crypto.CHUNK, 2 * backup_crypto.CHUNK + 17])
def test_encryption_round_trips_any_size(size):
    data = os.urandom(size)
    sealed = _encrypted(data)
    assert data[:64] not in sealed or size == 0
    assert _decrypted(sealed) == data


def test_a_wrong_passphrase_a_cut_a_change_or_a_reordering_is_refused():
    data = os.urandom(2 * backup_crypto.CHUNK + 100)
    sealed = _encrypted(data)
    with pytest.raises(backup_crypto.DecryptionError, match="wrong passphrase"):
        _decrypted(sealed, "another passphrase")
    header = len(backup_crypto.MAGIC) + backup_crypto.SALT_BYTES
    part = 4 + backup_crypto.NONCE_BYTES + backup_crypto.CHUNK + 16
    # Cut after the first or second part: without the part marked last, the file is incomplete.
    for cut in (header + part, header + 2 * part):
        with pytest.raises(backup_crypto.DecryptionError, match="cut off"):
            _decrypted(sealed[:cut])
    changed = bytearray(sealed)
    changed[header + 100] ^= 1
    with pytest.raises(backup_crypto.DecryptionError):
        _decrypted(bytes(changed))
    swapped = sealed[:header] + sealed[header + part : header + 2 * part] + sealed[header : header + part]
    swapped += sealed[header + 2 * part :]
    with pytest.raises(backup_crypto.DecryptionError):
        _decrypted(swapped)
    with pytest.raises(backup_crypto.DecryptionError, match="not an encrypted"):
        _decrypted(b"plain tar data")
