"""loadkb: the shipped fixtures load cleanly, and every kind of bad input is refused whole."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.loading import PROGRESS_EVERY, SHIPPED_MODELS, FixtureLoadError, load_fixture_files
from knowledge.models import Citation, Claim, Feature, Source
from tests.knowledge.shipped_kb import (
    SHIPPED_FIXTURES,
    database_snapshot,
    delete_shipped,
    load_shipped,
)

BROKEN = Path(__file__).parent / "broken_fixtures"


def _claims_picking_a_value(feature_slug):
    """How many shipped claims of a feature pick a value of its scale, counted in the files."""
    return sum(
        1
        for path in SHIPPED_FIXTURES
        for obj in json.loads(path.read_text(encoding="utf-8"))
        if obj["model"] == "knowledge.claim"
        and obj["fields"]["feature"] == [feature_slug]
        and obj["fields"]["feature_value"]
    )


# Each broken fixture, and the fragments its error message must contain. Most files start with
# a valid new category (and one updates a shipped claim) so "nothing changed" means something.
BROKEN_CASES = {
    "invalid_json.json": ["not valid JSON", "(line 4, column 1)"],
    "empty.json": ["the file is empty"],
    "not_a_list.json": ["the top level must be a JSON list"],
    "unknown_framework.json": [
        "knowledge.claim ('no-such-framework', 'orm', 'main') (object #2)",
        "framework: no knowledge.framework with natural key ('no-such-framework',)",
    ],
    "unknown_feature.json": [
        "knowledge.claim ('django', 'no-such-feature', 'main') (object #2)",
        "feature: no knowledge.feature with natural key ('no-such-feature',)",
    ],
    "bad_support_level.json": [
        "knowledge.claim ('django', 'orm', 'bad-support') (object #3)",
        "support: Value 'maybe' is not a valid choice.",
    ],
    "published_without_citation.json": [
        "knowledge.claim ('django', 'orm', 'uncited')",
        "status: A claim cannot be published without at least one citation",
    ],
    "second_preferred_claim.json": [
        "knowledge.claim ('django', 'orm', 'second-preferred') (object #2)",
        "Django · Object-relational mapper (ORM) (docs) is already the preferred published claim",
    ],
    "quote_too_long.json": [
        "knowledge.citation ('django', 'orm', 'docs', 'Flask vs Django', '') (object #2)",
        "quote: Ensure this value has at most 300 characters (it has 301).",
    ],
    "source_url_duplicate.json": [
        "knowledge.source ('https://docs.djangoproject.com/en/6.1/topics/security/',) (object #2)",
        "A source with this URL already exists.",
    ],
    "missing_required_field.json": [
        "knowledge.framework ('broken',) (object #2)",
        "name: This field cannot be blank.",
    ],
    "wrong_type.json": [
        "knowledge.framework ('broken',) (object #2)",
        "first_release_year: “two thousand and five” value must be an integer.",
    ],
    "missing_source_reference.json": [
        "knowledge.citation ('django', 'orm', 'docs', 'https://example.org/no-such-source')",
        "source: no knowledge.source with natural key ('https://example.org/no-such-source',)",
    ],
    "javascript_source_url.json": [
        "knowledge.source ('javascript:alert(document.cookie)',) (object #2)",
        "url: Enter a web address that starts with http:// or https://.",
    ],
    "data_url_homepage.json": [
        "knowledge.framework ('broken',) (object #2)",
        "homepage: Enter a web address that starts with http:// or https://.",
    ],
    "unknown_model.json": ["object #2", "'auth.user' is not part of the knowledge base"],
    "unknown_field.json": [
        "knowledge.category ('colours',) (object #2)",
        "colour: knowledge.category has no such field.",
    ],
    "duplicate_framework_name.json": [
        "knowledge.framework ('django-again',) (object #2)",
        "name: Framework with this Name already exists.",
    ],
    "value_outside_vocabulary.json": [
        "knowledge.claim ('django', 'learning-curve', 'bad-value') (object #3)",
        "feature_value: no knowledge.featurevalue with natural key "
        "('learning-curve', 'microframework').",
    ],
    "value_of_another_feature.json": [
        "knowledge.claim ('django', 'learning-curve', 'other-feature-value') (object #3)",
        "feature_value: “Microframework” is a value of another feature; “Learning curve” "
        "takes one of: gentle, moderate, steep.",
    ],
    "capability_claim_with_value.json": [
        "knowledge.claim ('django', 'orm', 'with-value') (object #3)",
        "feature_value: “Object-relational mapper (ORM)” is a capability feature: give a "
        "support level, not a value.",
    ],
    "descriptor_claim_with_support.json": [
        "knowledge.claim ('django', 'framework-scope', 'with-support') (object #3)",
        "support: “Full-stack or microframework” is a descriptor feature: pick one of its "
        "values instead of a support level",
    ],
    "not_applicable_with_verdict.json": [
        "knowledge.claim ('flask', 'sql-injection-protection', 'verdict') (object #3)",
        "A claim that the question does not arise (not applicable) carries no detail",
    ],
    "since_version_of_another_framework.json": [
        "knowledge.claim ('django', 'orm', 'since-flask') (object #3)",
        "since_version: 3.1 is a release of another framework",
    ],
    "until_before_since.json": [
        "knowledge.claim ('django', 'orm', 'until-first') (object #3)",
        "until_version: Removed in 4.2 cannot come before or with added in 5.2.",
    ],
    "release_support_ends_before_release.json": [
        "knowledge.release ('django', '9.0') (object #3)",
        "Support cannot end before the release date.",
    ],
    "unknown_provenance.json": [
        "knowledge.citation ('django', 'orm', 'docs', "
        "'https://docs.djangoproject.com/en/6.1/topics/db/models/') (object #3)",
        "provenance: Value 'official' is not a valid choice.",
    ],
    "feature_kind_strands_claims.json": [
        "knowledge.feature ('learning-curve',) (object #3)",
        f"kind: {_claims_picking_a_value('learning-curve')} claim(s) of this feature pick a value "
        "of its vocabulary or scale; change them first",
    ],
}


@pytest.fixture(scope="module")
def shipped_kb(django_db_setup, django_db_blocker):
    """The shipped fixtures, loaded once for this module and removed afterwards.

    Loading them takes seconds, and every broken fixture is tried on top of them.
    """
    with django_db_blocker.unblock():
        delete_shipped()
        load_shipped()
        yield
        delete_shipped()


@pytest.fixture
def empty_kb(db):
    """No shipped content, whatever another test module left loaded (undone after the test)."""
    delete_shipped()
    assert not Claim.objects.exists()


def loadkb(*paths):
    out = io.StringIO()
    call_command("loadkb", *map(str, paths), stdout=out)
    return out.getvalue()


def test_the_corpus_covers_every_case_on_disk():
    assert sorted(p.name for p in BROKEN.glob("*.json")) == sorted(BROKEN_CASES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_a_broken_fixture_is_refused_precisely_and_changes_nothing(shipped_kb, name):
    path = BROKEN / name
    before = database_snapshot()

    with pytest.raises(CommandError) as refused:
        loadkb(path)

    message = str(refused.value)
    assert message.startswith("Nothing was loaded")
    assert str(path) in message
    for fragment in BROKEN_CASES[name]:
        assert fragment in message
    assert database_snapshot() == before


@pytest.mark.django_db
def test_a_broken_file_after_good_ones_rolls_back_the_good_ones_too(shipped_kb, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            [
                {
                    "model": "knowledge.feature",
                    "fields": {"name": "Brand new", "slug": "brand-new", "category": ["security"]},
                }
            ]
        )
    )
    before = database_snapshot()

    with pytest.raises(CommandError, match="missing_source_reference.json"):
        loadkb(good, BROKEN / "missing_source_reference.json")

    assert not Feature.objects.filter(slug="brand-new").exists()
    assert database_snapshot() == before


@pytest.mark.django_db
def test_the_shipped_fixtures_load_again_on_top_of_themselves(shipped_kb):
    before = database_snapshot()

    output = loadkb(*SHIPPED_FIXTURES)

    assert "Loaded" in output
    assert database_snapshot() == before


def test_loadkb_fills_an_empty_database_and_reports_counts_per_file_and_model(empty_kb):
    output = loadkb(*SHIPPED_FIXTURES)

    assert "fixtures/04_claims.json:" in output
    assert f"knowledge.claim: {Claim.objects.count()}" in output
    assert f"knowledge.citation: {Citation.objects.count()}" in output
    assert Claim.objects.count() > 0
    assert not Claim.objects.published().without_citation().exists()


def test_loaddata_works_on_an_empty_database_and_again_on_top_of_itself(empty_kb):
    call_command("loaddata", *map(str, SHIPPED_FIXTURES), stdout=io.StringIO())
    first = database_snapshot()

    call_command("loaddata", *map(str, SHIPPED_FIXTURES), stdout=io.StringIO())

    assert database_snapshot() == first
    assert Source.objects.filter(kind="article", url="").count() == 5


@pytest.mark.django_db
def test_the_publish_rule_is_checked_after_all_files_so_a_citation_may_come_later(
    shipped_kb, tmp_path
):
    claim_file, citation_file = tmp_path / "claim.json", tmp_path / "citation.json"
    claim_file.write_text(
        json.dumps(
            [
                {
                    "model": "knowledge.claim",
                    "fields": {
                        "framework": ["flask"],
                        "feature": ["orm"],
                        "key": "later-cited",
                        "support": "extension",
                        "status": "published",
                    },
                }
            ]
        )
    )
    citation_file.write_text(
        json.dumps(
            [
                {
                    "model": "knowledge.citation",
                    "fields": {
                        "claim": ["flask", "orm", "later-cited"],
                        "source": ["https://flask.palletsprojects.com/en/3.1.x/design/"],
                        "quote": "Flask will never have a database layer.",
                    },
                }
            ]
        )
    )

    loadkb(claim_file, citation_file)

    assert Claim.objects.get_by_natural_key("flask", "orm", "later-cited").citations.count() == 1


def test_large_files_report_progress(empty_kb, tmp_path):
    count = PROGRESS_EVERY * 2 + 1
    tags = [
        {"model": "taggit.tag", "fields": {"name": f"t{i}", "slug": f"t{i}"}} for i in range(count)
    ]
    path = tmp_path / "tags.json"
    path.write_text(json.dumps(tags))

    output = loadkb(path)

    assert f"{PROGRESS_EVERY} of {count} objects read" in output
    assert f"{PROGRESS_EVERY * 2} of {count} objects read" in output
    assert f"{count} objects (taggit.tag: {count})" in output


@pytest.mark.django_db
def test_manage_py_reports_bad_input_without_a_traceback_and_exits_non_zero(capsys):
    utility = ManagementUtility(["manage.py", "loadkb", str(BROKEN / "javascript_source_url.json")])

    with pytest.raises(SystemExit) as exited:
        utility.execute()

    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert "CommandError: Nothing was loaded" in err
    assert "Traceback" not in err


@pytest.mark.django_db
def test_a_missing_file_is_reported_not_raised(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        loadkb(tmp_path / "absent.json")


@pytest.mark.django_db
def test_an_object_edited_after_the_fixture_was_written_is_kept_and_reported(shipped_kb):
    """`make run` loads the fixtures on every start; a curator's admin edit must survive it."""
    claim = Claim.objects.get_by_natural_key("django", "orm", "docs")
    claim.statement = "Edited by a curator in the admin."
    claim.save()  # bumps updated_at past the fixture's

    output = loadkb(*SHIPPED_FIXTURES)

    claim.refresh_from_db()
    assert claim.statement == "Edited by a curator in the admin."
    assert "Kept 1 object(s) changed in the database" in output
    assert "knowledge.claim ('django', 'orm', 'docs')" in output


@pytest.mark.django_db
def test_overwrite_replaces_an_object_edited_after_the_fixture_was_written(shipped_kb):
    claim = Claim.objects.get_by_natural_key("django", "orm", "docs")
    shipped_statement = claim.statement
    claim.statement = "Edited by a curator in the admin."
    claim.save()

    call_command("loadkb", *map(str, SHIPPED_FIXTURES), overwrite=True, stdout=io.StringIO())

    claim.refresh_from_db()
    assert claim.statement == shipped_statement


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    label=st.sampled_from(SHIPPED_MODELS + ["auth.user", "nope", ""]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "name",
                "slug",
                "url",
                "title",
                "framework",
                "feature",
                "key",
                "support",
                "status",
                "rank",
                "claim",
                "source",
                "quote",
                "category",
                "tag",
                "content_object",
                "first_release_year",
                "published_date",
                "frameworks",
                "categories",
                "colour",
            ]
        ),
        _json_values,
        max_size=6,
    ),
    pk=st.none() | st.integers() | st.text(max_size=5),
)
def test_any_malformed_object_is_refused_with_a_message_never_a_traceback(
    tmp_path_factory, label, fields, pk
):
    item = {"model": label, "fields": fields}
    if pk is not None:
        item["pk"] = pk
    path = tmp_path_factory.mktemp("fuzz") / "object.json"
    path.write_text(json.dumps([item]))

    try:
        load_fixture_files([path])
    except FixtureLoadError as error:
        assert str(path) in str(error)
