"""Fill the database with synthetic frameworks, features and cited claims, for scale tests."""

import time

from django.core.management.base import BaseCommand, CommandError

from devtools import synthetic

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Replace the synthetic content (slugs starting 'syn-') with N frameworks × M features "
        "of cited claims. Refuses to touch a database that holds real content unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frameworks", type=int, required=True, metavar="N")
        parser.add_argument("--features", type=int, required=True, metavar="M")
        parser.add_argument(
            "--categories",
            type=int,
            metavar="K",
            help=f"Default: one per {synthetic.FEATURES_PER_CATEGORY} features.",
        )
        parser.add_argument("--citations-per-claim", type=int, default=2, metavar="C")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (reproducible).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though the database holds non-synthetic content (kept as is).",
        )

    def handle(self, *args, **options):
        frameworks, features = options["frameworks"], options["features"]
        categories, citations = options["categories"], options["citations_per_claim"]
        if frameworks < 1 or features < 1:
            raise CommandError("--frameworks and --features must be at least 1.")
        if categories is not None and not 1 <= categories <= features:
            raise CommandError("--categories must be between 1 and --features.")
        if citations < 0:
            raise CommandError("--citations-per-claim cannot be negative.")
        real = synthetic.non_synthetic_content()
        if real and not options["force"]:
            raise CommandError(
                f"This database holds non-synthetic content ({', '.join(real)}); nothing was "
                "changed. Seed an empty or synthetic-only database, or pass --force to add "
                "synthetic content beside it."
            )
        started = time.perf_counter()
        report = synthetic.seed(
            frameworks=frameworks,
            features=features,
            categories=categories,
            citations_per_claim=citations,
            random_seed=options["seed"],
            progress=self.show_progress if options["verbosity"] else None,
        )
        elapsed = time.perf_counter() - started
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.frameworks} frameworks, {report.categories} categories, "
                f"{report.features} features, {report.sources} sources, {report.claims} claims "
                f"and {report.citations} citations in {elapsed:.1f} s."
            )
        )

    def show_progress(self, stage, done, total):
        share = done / total if total else 1
        filled = round(share * BAR_WIDTH)
        bar = "#" * filled + " " * (BAR_WIDTH - filled)
        self.stdout.write(f"\r{stage:<9} [{bar}] {share:4.0%}", ending="")
        self.stdout.flush()
