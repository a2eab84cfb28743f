"""Write the knowledge base to fixture files, with natural keys, in a stable order."""

from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand

from knowledge.former_slug_fixtures import FORMER_SLUG, former_slugs_for_fixture
from knowledge.loading import DERIVED_FIELD_SUFFIX, FIXTURE_FILES


def natural_sort_key(obj):
    # Natural keys can mix strings and None-free tuples; compare them as strings so the files
    # come out in the same order on every database.
    return tuple(str(part) for part in obj.natural_key())


# Claim.published_at: set by Claim.save() from its status, the date of this database's
# publication, not content. The review fields are this database's editorial record, and name
# its curators: fixtures are public, and loading them is a maintainer's import (README).
NOT_SHIPPED = frozenset(
    {"published_at", "changed_by", "reviewed_by", "reviewed_at", "review_waiver"}
)


class Command(BaseCommand):
    help = (
        "Dump the knowledge base (taxonomy, frameworks, sources, claims, comparisons, "
        "verification results, former slugs) into fixture files with natural keys, sorted by "
        "natural key so diffs stay small."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", default="fixtures", help="Where to write (default: fixtures)"
        )

    def handle(self, *args, directory, **options):
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        for filename, labels in FIXTURE_FILES.items():
            objects = []
            for label in labels:
                model = apps.get_model(label)
                objects.extend(sorted(model._default_manager.all(), key=natural_sort_key))
            fields = self._serialized_fields(labels)
            text = serializers.serialize(
                "json",
                objects,
                indent=2,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
                fields=fields,
            )
            if FORMER_SLUG in labels:
                text = former_slugs_for_fixture(text)
            (target / filename).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"{target / filename}: {len(objects)} objects")

    @staticmethod
    def _serialized_fields(labels):
        """Every field except rendered markdown, which the pre_save receiver derives, and the
        fields that are this database's own record, not content (NOT_SHIPPED)."""
        names = set()
        for label in labels:
            for field in apps.get_model(label)._meta.get_fields():
                stored = getattr(field, "concrete", False) or field.many_to_many
                derived = field.name.endswith(DERIVED_FIELD_SUFFIX) or field.name in NOT_SHIPPED
                if stored and not derived:
                    names.add(field.name)
        return sorted(names)
