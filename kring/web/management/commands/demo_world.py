"""Build the demo world: two organisations, staff in every role, about forty families (see kring/web/demo/)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kring.accounts.models import Organisation
from kring.web import demo


class Command(BaseCommand):
    help = (
        "Build the demo world (fictitious organisations, staff and families) deterministically; running it "
        "again changes nothing. Prints the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any organisation exists (used on the first start of scripts/run.py).",
        )
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins; build nothing.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even in production mode. The demo accounts share a published password and secret.",
        )

    def handle(self, *args, if_empty=False, print_logins=False, force=False, verbosity=1, **options):
        # Demo accounts with a published password and TOTP secret must never appear in a real installation.
        if getattr(settings, "PRODUCTION", False) and not force:
            raise CommandError(
                "Refusing to run in production mode: the demo accounts share a published password. "
                "Use --force if this really is a demonstration server."
            )
        if print_logins:
            self.stdout.write(demo.format_logins(demo.login_rows()))
            return
        if if_empty and Organisation.objects.exists():
            if verbosity > 0:
                self.stdout.write("Organisations exist already; the demo world was not built.")
            return
        result = demo.build_world()
        if verbosity > 0:
            counts = ", ".join(f"{n} {name}" for name, n in demo.world_counts().items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo world ready ({result.cases_created} new cases, {result.users_created} new accounts): {counts}."
                )
            )
            self.stdout.write("")
            self.stdout.write(demo.format_logins(demo.login_rows()))
