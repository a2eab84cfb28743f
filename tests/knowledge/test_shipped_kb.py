"""The tests' quick way to the shipped content (re-inserting the rows one real load wrote)
leaves the database as a real load does: every table, every value, the history included."""

import datetime
import functools
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from knowledge.models import FormerSlug, Framework
from tests.factories import make_claim, make_framework
from tests.knowledge import shipped_kb
from tests.knowledge.shipped_kb import SHIPPED_FIXTURES, delete_shipped, load_shipped

pytestmark = pytest.mark.django_db


def _everything(since):
    """Each table's rows as values a reader could compare across two loads: primary keys left
    out, references given by the natural key of what they point to (or of the live object, for
    a history row), and the times the load itself stamped (at or after `since`) as one word."""

    @functools.cache
    def natural_key(model, pk):
        found = model._base_manager.filter(pk=pk).first()
        if found is None or not hasattr(found, "natural_key"):
            return None if found is None else pk
        return tuple(found.natural_key())

    def value(model, field, row_value):
        if isinstance(row_value, datetime.datetime) and row_value >= since:
            return "stamped by the load"
        if row_value is None:
            return None
        if field.is_relation:
            return natural_key(field.related_model, row_value)
        live = getattr(model, "instance_type", None)  # a history row names its object by id
        if live is not None and field.name == live._meta.pk.attname:
            return natural_key(live, row_value)
        return row_value

    tables = {}
    for model in shipped_kb._all_models():
        fields = [
            f for f in model._meta.local_concrete_fields if not f.primary_key and not f.generated
        ]
        tables[model._meta.label] = Counter(
            tuple(
                value(model, f, v)
                for f, v in zip(fields, row, strict=True)
                if not isinstance(v, dict | list)
            )
            + tuple(repr(v) for v in row if isinstance(v, dict | list))
            for row in model._base_manager.values_list(*(f.attname for f in fields))
        )
    return tables


def test_a_restore_leaves_every_table_as_a_real_load_does(monkeypatch):
    since = timezone.now()
    delete_shipped()
    shipped_kb._captures.clear()  # what an earlier test kept is forgotten,
    load_shipped()  # so this one is a real load, kept for the tests after it
    loaded = _everything(since)
    delete_shipped()

    def no_real_load(paths):
        raise AssertionError("a restore was expected, not a real load")

    monkeypatch.setattr(shipped_kb, "load_fixture_files", no_real_load)
    load_shipped()
    restored = _everything(since)

    assert {label for label, rows in loaded.items() if rows} >= {
        "knowledge.Claim",
        "knowledge.Citation",
        "knowledge.HistoricalClaim",
    }
    assert restored == loaded


def test_into_tables_that_are_not_as_before_the_shipped_content_is_loaded_for_real(monkeypatch):
    delete_shipped()
    load_shipped()
    delete_shipped()
    # One more framework than before the kept load: inserting its rows again could not give
    # what loading beside it gives (the same slug would be updated, not duplicated).
    make_framework(slug="django")
    calls = []
    monkeypatch.setattr(shipped_kb, "load_fixture_files", lambda paths: calls.append(paths))
    load_shipped()
    assert calls == [SHIPPED_FIXTURES]


def test_rows_created_after_a_restore_get_fresh_primary_keys():
    delete_shipped()
    load_shipped()
    delete_shipped()
    load_shipped()
    claim = make_claim()  # on PostgreSQL, a sequence left behind the restored keys would clash
    assert claim.pk is not None


def test_a_restore_waits_for_the_rows_its_rows_point_to_outside_what_it_inserts():
    # Rows kept by a load that point at a content type (a former slug) cannot be inserted
    # again once that content type has been made anew under another key, as a flush does.
    capture = shipped_kb._Capture()
    framework = make_framework(slug="kept")
    FormerSlug.objects.create(
        content_type=ContentType.objects.get_for_model(Framework),
        object_id=framework.pk,
        slug="old-kept",
    )
    assert capture.take(report=None)
    FormerSlug.objects.all().delete()
    Framework.objects.filter(pk=framework.pk).delete()
    assert capture.restorable()

    kind = ContentType.objects.get_for_model(Framework)
    ContentType.objects.filter(pk=kind.pk).delete()
    ContentType.objects.clear_cache()
    try:
        ContentType.objects.get_for_model(Framework)  # made anew, under another key
        assert not capture.restorable()
    finally:
        # The test's rollback brings the old content type back; the process-wide cache would
        # otherwise keep the new one's key, and every later test that names a content type
        # (a rename's former slug, an admin log entry) would point at a row that is gone.
        ContentType.objects.clear_cache()
