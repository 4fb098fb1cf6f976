"""Run the access log's retention job now: partitions ahead, archive old months, remove shorter-kept entries."""

from django.core.management.base import BaseCommand

from kring.audit import retention


class Command(BaseCommand):
    help = (
        "Create the access log's partitions ahead, archive the months older than every organisation's retention "
        "(compressed file with checksum under KRING_ACCESS_LOG_ARCHIVE_ROOT) and remove the entries of "
        "organisations that keep them for a shorter time. The worker runs this daily."
    )

    def handle(self, *args, **options):
        result = retention.run()
        if result.skipped:
            self.stdout.write("Another run is busy; nothing done.")
            return
        self.stdout.write(f"Partitions created: {', '.join(result.partitions_created) or 'none'}")
        for archived in result.archived:
            self.stdout.write(
                f"Archived {archived.month:%Y-%m}: {archived.rows} entries to {archived.file_name} "
                f"(SHA-256 {archived.sha256})"
            )
        if not result.archived:
            self.stdout.write(f"Nothing to archive before {result.archive_before:%Y-%m-%d}.")
        for organisation_id, removed in sorted(result.removed.items()):
            self.stdout.write(f"Organisation {organisation_id}: {removed} entries removed (shorter retention).")
