"""Run the reminder scan once, now (for cron, or by hand). Safe to repeat: reminders are made once."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kring.worklists import reminders


class Command(BaseCommand):
    help = "Make the reminders due today and queue their e-mails (the worker delivers them)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="scan as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        result = reminders.scan(today)
        self.stdout.write(f"reminders due: {result.candidates}, new: {result.created}, e-mailed: {result.emailed}")
