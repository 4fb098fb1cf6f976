"""``manage.py evaluate_extract FILE --treatment T --outcome Y ...``: the effect estimators on an extract made
elsewhere (CSV or Parquet), the same as the page /evaluation/compare/extract/ and ``python -m
kring.evaluation.core.cli`` (whose options it takes unchanged)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from kring.evaluation.core import cli


class Command(BaseCommand):
    help = "Treatment effects from a CSV or Parquet extract (options as python -m kring.evaluation.core.cli)."

    def run_from_argv(self, argv):
        # The options belong to the statistics core's own parser; pass them through untouched.
        code = cli.main(argv[2:])
        if code:
            sys.exit(code)

    def handle(self, *args, **options):  # pragma: no cover - run_from_argv does the work
        raise CommandError("Run it from the command line: manage.py evaluate_extract FILE --treatment T ...")
