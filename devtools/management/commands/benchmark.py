"""Measure the matrix page's figures on throwaway databases; print a table and one JSON object."""

import json

from django.core.management.base import BaseCommand, CommandError

from devtools import benchmark


class Command(BaseCommand):
    help = (
        "Seed temporary SQLite databases (2×10, 20×300, 100×3000) and measure the matrix page: "
        "query counts, cold render over a raw floor, warm over a trivial view, and scale. "
        "Prints a table, then one JSON object on the last line. Never touches your database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Smaller large database (30×600) and 3 rounds: for tests, not for figures.",
        )
        parser.add_argument("--rounds", type=int, help="Interleaved rounds (default 15; 3 quick).")

    def handle(self, *args, **options):
        rounds = options["rounds"]
        if rounds is not None and rounds < 1:
            raise CommandError("--rounds must be at least 1.")
        result = benchmark.run(
            quick=options["quick"], rounds=rounds, log=lambda line: self.stderr.write(line)
        )
        self.stdout.write(benchmark.table(result))
        self.stdout.write(json.dumps(result))
