"""Version timelines on framework and feature pages, from the claims' since/until versions."""

import re

import pytest
from django.urls import reverse

from knowledge.models import Claim, ClaimStatus, Feature, version_key
from tests.factories import make_claim, make_feature, make_framework, make_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def django():
    framework = make_framework(name="Django", slug="django")
    releases = {v: make_release(framework=framework, version=v) for v in ("3.0", "3.1", "4.0")}
    make_claim(
        framework=framework,
        feature=make_feature(name="Async views"),
        since_version=releases["3.1"],
    )
    make_claim(
        framework=framework,
        feature=make_feature(name="Old middleware"),
        since_version=releases["3.0"],
        until_version=releases["4.0"],
    )
    make_claim(framework=framework, feature=make_feature(name="Templates"))
    make_claim(
        framework=framework,
        feature=make_feature(name="Zqdraft feature"),
        since_version=releases["4.0"],
        status=ClaimStatus.DRAFT,
    )
    return framework


def test_the_framework_page_lists_each_release_s_additions_and_removals(client, django):
    html = client.get(django.get_absolute_url()).content.decode()
    section = html.split('<h2 id="timeline">Timeline</h2>')[1].split("</section>")[0]
    shown = [
        (version, re.sub(r"<[^>]+>", "", rest).split())
        for version, rest in re.findall(
            r"<strong>Django ([\d.]+)</strong>(.*?)</li>", section, re.S
        )
    ]
    # Recomputed from the ORM: each published claim's since and until versions.
    expected = {}
    for claim in Claim.objects.published().filter(framework=django).select_related("feature"):
        for release, word in ((claim.since_version, "added"), (claim.until_version, "removed")):
            if release:
                expected.setdefault(release.version, []).append(f"{word} {claim.feature.name}")
    assert [version for version, _ in shown] == sorted(expected, key=version_key, reverse=True)
    for version, words in shown:
        text = " ".join(words)
        assert all(event in text for event in expected[version]), (version, text)
    assert "Zqdraft" not in html
    # Each claim card says its versions too.
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "since 3.1" in text and "since 3.0 · removed in 4.0" in text


def test_the_feature_page_says_since_and_removed_in(client, django):
    feature = Claim.objects.get(feature__name="Old middleware").feature
    html = client.get(feature.get_absolute_url()).content.decode()
    assert "since 3.0" in html and "removed in 4.0" in html


def test_no_timeline_without_versions(client):
    framework = make_framework()
    make_claim(framework=framework)
    assert 'id="timeline"' not in client.get(framework.get_absolute_url()).content.decode()


# -- One matrix column at a release (?release=django@4.0) ------------------------------------


def _columns(client, query):
    """{column name: {row name: the cell's label}}, from one request."""
    response = client.get(reverse("comparisons:matrix"), query)
    assert response.status_code == 200
    matrix = response.context["matrix"]
    rows = [row for section in matrix.sections for group in section.groups for row in group.rows]
    return {
        framework.name: {row.name: row.cells[n].mark.label for row in rows}
        for n, framework in enumerate(matrix.frameworks)
    }


def test_a_column_at_a_release_shows_what_holds_then(client, django):
    flask = make_framework(name="Flask", slug="flask")
    make_claim(framework=flask, feature=Feature.objects.get(name="Async views"))
    at_30 = _columns(client, {"release": "django@3.0"})
    assert set(at_30) == {"Django 3.0", "Flask"}
    django_30 = at_30["Django 3.0"]
    assert (django_30["Async views"], django_30["Old middleware"], django_30["Templates"]) == (
        "Unknown",
        "Built in",
        "Built in",
    )
    # Only that column: Flask's cells are today's.
    assert at_30["Flask"]["Async views"] == "Built in"
    django_40 = _columns(client, {"release": "django@4.0"})["Django 4.0"]
    assert (django_40["Async views"], django_40["Old middleware"]) == ("Built in", "Unknown")
    assert _columns(client, {})["Django"]["Old middleware"] == "Built in"


@pytest.mark.parametrize("value", ["django@9.9", "nope@3.0", "django", "django@<b>"])
def test_a_release_that_is_not_on_the_page_is_a_form_error(client, django, value):
    response = client.get(reverse("comparisons:matrix"), {"release": value})
    assert response.status_code == 200
    assert 'class="form-error"' in response.content.decode()
    assert [f.name for f in response.context["matrix"].frameworks] == ["Django"]
    export = client.get(reverse("comparisons:matrix-json"), {"release": value})
    assert export.status_code == 400
