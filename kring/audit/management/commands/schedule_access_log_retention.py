"""Start the daily access log retention job in the background worker, unless a run is already waiting."""

from django.core.management.base import BaseCommand

from kring.audit import tasks


class Command(BaseCommand):
    help = "Enqueue the access log retention job for the worker if no run is waiting; it then runs every day."

    def handle(self, *args, **options):
        if tasks.ensure_scheduled():
            self.stdout.write("Access log retention scheduled.")
        else:
            self.stdout.write("Access log retention already scheduled.")
