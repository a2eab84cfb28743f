"""Load knowledge-base fixtures with full validation, in one transaction."""

from django.core.management.base import BaseCommand, CommandError

from knowledge.loading import FixtureLoadError, load_fixture_files

KEPT_LISTED = 20


class Command(BaseCommand):
    help = (
        "Load knowledge-base fixture files (natural-key JSON, as written by dumpkb) after "
        "validating every object and the publish rule; all or nothing. Objects edited in the "
        "database after the fixture was written are kept unless --overwrite is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Fixture files, loaded in the order given")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace objects even when the database copy is newer than the fixture's.",
        )

    def handle(self, *args, files, overwrite, **options):
        try:
            report = load_fixture_files(files, progress=self.stdout.write, overwrite=overwrite)
        except FixtureLoadError as error:
            raise CommandError(str(error)) from error
        if report.kept:
            self.stdout.write(
                self.style.WARNING(
                    f"Kept {len(report.kept)} object(s) changed in the database after the "
                    "fixture was written (dumpkb saves them; --overwrite replaces them):"
                )
            )
            for description in report.kept[:KEPT_LISTED]:
                self.stdout.write(f"  {description}")
            if len(report.kept) > KEPT_LISTED:
                self.stdout.write(f"  … and {len(report.kept) - KEPT_LISTED} more.")
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {report.total} objects from {len(files)} file(s).")
        )
