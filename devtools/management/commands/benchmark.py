"""Measure the matrix page's figures on throwaway databases; print a table and one JSON object."""

import json

from django.core.management.base import BaseCommand, CommandError

from devtools import benchmark


class Command(BaseCommand):
    help = (
        "Seed throwaway databases of the kind DATABASE_URL names (2×10, 20×300, 100×3000) and "
        "measure the matrix page: query counts, cold render over a byte-identical floor, scale, "
        "verify, api in process; warm, herd, churn, crawler and browser over HTTP against "
        "gunicorn. Prints the database and cache used, a table, then one JSON object on the "
        "last line. Never touches your data: its databases are dropped and its cache keys "
        "(a prefix of their own) deleted at the end."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Smaller large database (30×600), 3 rounds, seconds of load: for tests.",
        )
        parser.add_argument("--rounds", type=int, help="Interleaved rounds (default 15; 3 quick).")
        parser.add_argument(
            "--only",
            help="Comma-separated figures to measure (default all: "
            f"{','.join(benchmark.FIGURES)}).",
        )
        parser.add_argument(
            "--load-seconds",
            type=float,
            help="Seconds of load for churn and crawler each, split in interleaved rounds "
            "(default 40; 4 quick; `make loadtest` uses 60).",
        )

    def handle(self, *args, **options):
        rounds = options["rounds"]
        if rounds is not None and rounds < 1:
            raise CommandError("--rounds must be at least 1.")
        if options["load_seconds"] is not None and options["load_seconds"] < 2:
            raise CommandError("--load-seconds must be at least 2.")
        only = benchmark.FIGURES
        if options["only"]:
            only = tuple(name.strip() for name in options["only"].split(",") if name.strip())
            unknown = sorted(set(only) - set(benchmark.FIGURES))
            if unknown or not only:
                raise CommandError(
                    f"Unknown figure(s) {', '.join(unknown) or '(none given)'}; "
                    f"choose from {', '.join(benchmark.FIGURES)}."
                )
        result = benchmark.run(
            quick=options["quick"],
            rounds=rounds,
            only=only,
            load_seconds=options["load_seconds"],
            log=lambda line: self.stderr.write(line),
        )
        self.stdout.write(benchmark.table(result))
        self.stdout.write(json.dumps(result))
