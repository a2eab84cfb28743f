"""Migration 0002 (knowledge model v2) converts an existing database without losing a claim."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("knowledge", "0001_initial")]
AFTER = [("knowledge", "0002_knowledge_model_v2")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    """The models as they were before 0002; the database is put back at the end."""
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def seed_old(apps):
    Category = apps.get_model("knowledge", "Category")
    Feature = apps.get_model("knowledge", "Feature")
    Framework = apps.get_model("knowledge", "Framework")
    Claim = apps.get_model("knowledge", "Claim")
    Source = apps.get_model("knowledge", "Source")
    Citation = apps.get_model("knowledge", "Citation")
    category = Category.objects.create(name="Community", slug="community")
    curve = Feature.objects.create(name="Learning curve", slug="learning-curve", category=category)
    mood = Feature.objects.create(name="Mood", slug="mood", category=category)
    sql = Feature.objects.create(name="SQL injection", slug="sql-injection", category=category)
    flask = Framework.objects.create(
        name="Flask", slug="flask", latest_version="3.1", homepage="https://flask.example.org/"
    )
    own = Source.objects.create(title="Docs", url="https://flask.example.org/docs/")
    article = Source.objects.create(title="Blog", url="https://blog.example.org/")
    rows = [
        (curve, "docs", "n/a", "Easy to start (own claim)"),
        (curve, "blog", "n/a", "Steep"),
        (curve, "odd", "n/a", "A verdict nobody mapped"),
        (mood, "blog", "n/a", "Cheerful"),
        (sql, "docs", "n/a", "Depends on the database library"),
        (sql, "blog", "yes", "Built in"),
    ]
    for feature, key, support, value in rows:
        claim = Claim.objects.create(
            framework=flask,
            feature=feature,
            key=key,
            support=support,
            value=value,
            status="published",
        )
        Citation.objects.create(claim=claim, source=own if key == "docs" else article)


def test_every_claim_survives_and_each_verdict_becomes_a_value(old_apps):
    seed_old(old_apps)
    apps = migrate(AFTER)
    Claim = apps.get_model("knowledge", "Claim")
    Feature = apps.get_model("knowledge", "Feature")
    assert Claim.objects.count() == 6
    cells = {
        (c.feature.slug, c.key): (
            c.support,
            c.feature_value.slug if c.feature_value else None,
            c.value,
        )
        for c in Claim.objects.select_related("feature", "feature_value")
    }
    # A shipped feature gets its hand-made scale; an unmapped verdict gets a value of its own.
    assert cells["learning-curve", "docs"] == ("", "gentle", "Easy to start")
    assert cells["learning-curve", "blog"] == ("", "steep", "")
    assert cells["learning-curve", "odd"][:2] == ("", "a-verdict-nobody-mapped")
    assert Feature.objects.get(slug="learning-curve").kind == "assessment"
    # Any other feature of verdicts only becomes a descriptor of its verdicts.
    assert cells["mood", "blog"] == ("", "cheerful", "")
    assert Feature.objects.get(slug="mood").kind == "descriptor"
    # A capability keeps "not applicable", with its verdict moved into the note.
    assert cells["sql-injection", "docs"] == ("n/a", None, "")
    note = Claim.objects.get(feature__slug="sql-injection", key="docs").note
    assert note == "Formerly shown as “Depends on the database library”."
    assert Feature.objects.get(slug="sql-injection").kind == "capability"


def test_latest_version_becomes_a_release_and_history_starts(old_apps):
    seed_old(old_apps)
    apps = migrate(AFTER)
    [release] = apps.get_model("knowledge", "Release").objects.all()
    assert (release.framework.slug, release.version) == ("flask", "3.1")
    HistoricalClaim = apps.get_model("knowledge", "HistoricalClaim")
    # A first row for each claim, and one more for each claim the migration changed.
    assert HistoricalClaim.objects.filter(history_type="+").count() == 6
    assert HistoricalClaim.objects.filter(history_type="~").count() == 5
    assert apps.get_model("knowledge", "HistoricalCitation").objects.count() == 6
    provenance = dict(
        apps.get_model("knowledge", "Citation").objects.values_list("claim__key", "provenance")
    )
    assert provenance == {"docs": "first-party", "blog": "independent", "odd": "independent"}


def test_the_migration_can_be_reversed_without_losing_a_claim(old_apps):
    seed_old(old_apps)
    migrate(AFTER)
    apps = migrate(BEFORE)
    Claim = apps.get_model("knowledge", "Claim")
    assert Claim.objects.count() == 6
    assert Claim.objects.get(feature__slug="learning-curve", key="blog").support == "n/a"
    assert apps.get_model("knowledge", "Framework").objects.get().latest_version == "3.1"
