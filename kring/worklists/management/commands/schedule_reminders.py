"""Start the hourly reminder scan in the background worker, unless a run is already waiting."""

from django.core.management.base import BaseCommand

from kring.worklists import tasks


class Command(BaseCommand):
    help = "Enqueue the reminder scan for the worker if no run is waiting; it then schedules itself every hour."

    def handle(self, *args, **options):
        if tasks.ensure_scheduled():
            self.stdout.write("Reminder scan scheduled.")
        else:
            self.stdout.write("Reminder scan already scheduled.")
