"""Check that every quoted passage is still on its source (the work: knowledge/verification/)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from knowledge.verification import run
from knowledge.verification.models import VerificationStatus

# Each worker is a thread, and the run holds locks on the sources queued for them: more workers
# than this only wait for the hosts' turns (2 requests per host at a time).
MAX_CONCURRENCY = 64


class Command(BaseCommand):
    help = (
        "Fetch every source that has a URL and look for each of its citations' quotes on the "
        "page: exactly, then normalised (case, punctuation, quotes, dashes, markup), then "
        "fuzzily. Records per citation one of verified, reworded (fuzzy, with its score), "
        "not_found, unreachable (HTTP status or error), not_checkable (no URL, robots.txt "
        "refuses, or content it cannot read, such as a PDF); sources without a URL are "
        "checked against the text a curator attached to them. Safe to run from several "
        "machines at once against one PostgreSQL database. Exit status 0 unless --strict "
        "and a checked citation is not verified."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", nargs="+", type=int, metavar="PK", help="Check only these sources."
        )
        parser.add_argument(
            "--older-than",
            type=int,
            metavar="DAYS",
            help="Check only sources not fetched in the last DAYS days (0: all); "
            "also how to resume a run that stopped.",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=4,
            metavar="N",
            help="Fetch up to N pages at once (default 4, at most 64; never more than 2 per host).",
        )
        parser.add_argument(
            "--snapshot-dir",
            type=Path,
            metavar="DIR",
            help="Read page texts from files in DIR instead of the network; the file for a URL "
            "is named host/path…/name.txt or .html, a path ending in / read as …/index "
            "(see knowledge/verification/snapshots.py). Sources without a file are skipped.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but save nothing."
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit with status 1 when any checked citation is not verified.",
        )

    def handle(self, *args, **options):
        if not 1 <= options["concurrency"] <= MAX_CONCURRENCY:
            raise CommandError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}.")
        if options["older_than"] is not None and options["older_than"] < 0:
            raise CommandError("--older-than must be 0 or more days.")
        snapshot_dir = options["snapshot_dir"]
        if snapshot_dir is not None and not snapshot_dir.is_dir():
            raise CommandError(f"--snapshot-dir {snapshot_dir}: no such directory.")
        sources = run.sources_to_check(pks=options["source"], older_than_days=options["older_than"])
        total = sources.count()
        if options["source"] and total < len(set(options["source"])):
            raise CommandError("--source: no source with some of these numbers; nothing checked.")
        with tqdm(
            total=total, unit="source", desc="Checking", file=self.stderr._out, disable=None
        ) as bar:
            summary = run.run(
                sources,
                snapshot_dir=snapshot_dir,
                concurrency=options["concurrency"],
                dry_run=options["dry_run"],
                progress=lambda: bar.update(1),
            )
        self._write_summary(summary, options["dry_run"])
        if options["strict"] and summary.not_verified:
            raise CommandError(
                f"{summary.not_verified} checked citation(s) are not verified.", returncode=1
            )

    def _write_summary(self, summary, dry_run):
        self.stdout.write(
            f"{summary.sources_checked} source(s) checked"
            + (" (dry run: nothing saved)." if dry_run else ".")
        )
        for reason, count in sorted(summary.skipped.items()):
            self.stdout.write(f"{count} source(s) skipped: {reason}.")
        for status in VerificationStatus:
            if summary.counts[status]:
                self.stdout.write(f"  {status.value}: {summary.counts[status]}")
