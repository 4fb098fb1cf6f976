"""Back up the database and the document store into one archive (kring.core.backup; README "Backups")."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kring.core.backup import BackupError, write_backup


def passphrase_from(variable: str | None) -> str | None:
    """The passphrase is read from an environment variable, never from the command line (which `ps` shows)."""
    if not variable:
        return None
    passphrase = os.environ.get(variable, "")
    if not passphrase:
        raise CommandError(f"the environment variable {variable} holds no passphrase")
    return passphrase


class Command(BaseCommand):
    help = "Write every table and every document file to one archive (encrypted with --passphrase-env)."

    def add_arguments(self, parser):
        parser.add_argument("target", help="the archive to write, e.g. /backups/kring-2026-12-07.tar.gz")
        parser.add_argument(
            "--passphrase-env",
            metavar="VARIABLE",
            help="encrypt the archive with the passphrase in this environment variable (AES-256-GCM, scrypt)",
        )

    def handle(self, *args, **options):
        target = Path(options["target"])
        if target.exists():
            raise CommandError(f"{target} exists: a backup never overwrites another")
        try:
            manifest = write_backup(target, passphrase_from(options["passphrase_env"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows} rows) and {len(manifest['documents'])} document "
            f"files to {target}."
        )
