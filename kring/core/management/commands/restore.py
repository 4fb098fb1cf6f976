"""Restore an archive of `manage.py backup` into an installation without data (kring.core.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kring.core.backup import BackupError, restore_backup
from kring.core.backup_crypto import DecryptionError

from .backup import passphrase_from


class Command(BaseCommand):
    help = "Migrate an empty database and fill it, and the document store, from an archive of `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("source", help="the archive that `manage.py backup` wrote")
        parser.add_argument(
            "--passphrase-env", metavar="VARIABLE", help="the environment variable with the archive's passphrase"
        )

    def handle(self, *args, **options):
        source = Path(options["source"])
        if not source.is_file():
            raise CommandError(f"{source} is not a file")
        try:
            manifest = restore_backup(source, passphrase_from(options["passphrase_env"]))
        except (BackupError, DecryptionError) as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables ({rows} rows) and {len(manifest['documents'])} document "
            f"files, backed up on {manifest['made']} from {manifest['database']}."
        )
