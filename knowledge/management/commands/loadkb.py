"""Load knowledge-base fixtures with full validation, in one transaction."""

from django.core.management.base import BaseCommand, CommandError

from knowledge.loading import FixtureLoadError, load_fixture_files


class Command(BaseCommand):
    help = (
        "Load knowledge-base fixture files (natural-key JSON, as written by dumpkb) after "
        "validating every object and the publish rule; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Fixture files, loaded in the order given")

    def handle(self, *args, files, **options):
        try:
            report = load_fixture_files(files, progress=self.stdout.write)
        except FixtureLoadError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {report.total} objects from {len(files)} file(s).")
        )
