"""The shipped knowledge base in tests: where its fixtures are, loading it, and comparing it."""

import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction

from knowledge.loading import FIXTURE_FILES, SHIPPED_MODELS, load_fixture_files
from knowledge.models import Citation, Claim, Source

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
SHIPPED_FIXTURES = [FIXTURES_DIR / name for name in FIXTURE_FILES]


def load_shipped():
    return load_fixture_files(SHIPPED_FIXTURES)


def delete_shipped():
    """Remove the shipped content (and the history its deletion writes), dependants first, in
    one transaction: on PostgreSQL a commit that leaves a published claim without its citations
    is refused (knowledge migration 0002), and the citations go before their claims."""
    with transaction.atomic():
        for label in reversed(SHIPPED_MODELS):
            apps.get_model(label)._base_manager.all().delete()
        for model in (Claim, Citation, Source):
            model.history.all().delete()


def database_snapshot():
    """Every row of every table, to prove that a failed load changed nothing at all."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
    }


def _value(obj, model_field):
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        return None if related is None else tuple(related.natural_key())
    value = getattr(obj, model_field.attname)
    # A JSON list or object (a fetch's redirects) is compared by its text, which is hashable.
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def content(*, labels=SHIPPED_MODELS, exclude=("created_at", "updated_at")):
    """For each shipped model, the set of (natural key, field values) of its rows.

    Primary keys differ between databases and so are left out; references are given by the
    natural key of what they point to, the way fixtures spell them.
    """
    result = {}
    for label in labels:
        model = apps.get_model(label)
        fields = [
            f for f in model._meta.concrete_fields if not f.primary_key and f.name not in exclude
        ]
        many = list(model._meta.many_to_many)
        rows = set()
        for obj in model._base_manager.all():
            values = tuple((f.name, _value(obj, f)) for f in fields)
            values += tuple(
                (f.name, tuple(sorted(tuple(o.natural_key()) for o in getattr(obj, f.name).all())))
                for f in many
                if f.serialize
            )
            rows.add((tuple(obj.natural_key()), values))
        result[label] = rows
    return result
