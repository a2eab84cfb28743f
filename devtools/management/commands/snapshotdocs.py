"""Write the documentation sources' page texts for `verifykb --snapshot-dir`, from local trees."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools import doc_snapshots


class Command(BaseCommand):
    help = (
        "Copy each documentation source's file (the one its notes name) from the tree given "
        "for its URL prefix into DIR, under the name verifykb --snapshot-dir reads. Example: "
        "snapshotdocs ~/pages --tree https://docs.djangoproject.com/en/5.2/=django-5.2.19 "
        "(an unpacked sdist or git archive at the revision the page shows). Writes only into "
        "DIR; never commit what it writes."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR", help="Where to write the texts.")
        parser.add_argument(
            "--tree",
            action="append",
            required=True,
            metavar="URL_PREFIX=DIR",
            help="Sources whose URL starts with URL_PREFIX read their file from DIR (repeat it; "
            "the longest matching prefix wins).",
        )

    def handle(self, *args, directory, tree, **options):
        trees = {}
        for given in tree:
            prefix, sep, folder = given.partition("=")
            if not sep or not prefix.startswith(("http://", "https://")) or not folder:
                raise CommandError(f"--tree {given!r}: give URL_PREFIX=DIR, the prefix a URL.")
            if not Path(folder).is_dir():
                raise CommandError(f"--tree {given!r}: {folder} is not a directory.")
            trees[prefix] = Path(folder)
        report = doc_snapshots.build(trees=trees, out=directory)
        for url in report.no_file_named:
            self.stderr.write(f"no file named in the notes: {url}")
        for line in report.missing:
            self.stderr.write(f"file not in its tree: {line}")
        self.stdout.write(
            f"{len(report.written)} text(s) written to {directory}; "
            f"{len(report.no_tree)} source(s) outside every tree, "
            f"{len(report.no_file_named)} naming no file, {len(report.missing)} missing."
        )
