"""The draft rule: draft, in-review and retracted claims appear on no matrix page or export."""

import pytest
from django.urls import reverse

from tests.factories import (
    HIDDEN_MARKERS,
    make_claim,
    make_comparison,
    make_feature,
    make_framework,
    plant_unpublished_claims,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted():
    django = make_framework(name="Django", slug="django")
    flask = make_framework(name="Flask", slug="flask")
    shared, hidden_only = make_feature(name="Shared"), make_feature(name="Hidden only")
    make_claim(framework=django, feature=shared, value="Published value")
    make_claim(framework=flask, feature=shared, value="Flask value")
    # One cell with a published claim beside the hidden ones, one cell with hidden ones only.
    plant_unpublished_claims(framework=django, feature=shared)
    plant_unpublished_claims(framework=flask, feature=hidden_only)
    comparison = make_comparison("Django vs Flask", "django-flask", [django, flask])
    return comparison


# Each page with a text it must show, so that an empty page cannot pass for a clean one.
PAGES = [
    ("/", "Published value"),
    ("/matrix/", "Published value"),
    ("/matrix/?support=no", "No feature matches"),
    ("/matrix/?hide_unknown=on", "Published value"),
    ("/matrix/export.csv", "Published value"),
    ("/matrix/export.json", "Published value"),
    ("/matrix/export.json?support=no", '"features": []'),
    ("/compare/django-vs-flask/", "Published value"),
    ("/comparisons/", "Django vs Flask"),
    ("/comparisons/django-flask/", "Published value"),
]


@pytest.mark.parametrize(("url", "shown"), PAGES)
def test_unpublished_claims_appear_nowhere(client, planted, url, shown):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert shown in body
    for marker in HIDDEN_MARKERS.values():
        assert marker.lower() not in body.lower()


def test_a_cell_with_only_hidden_claims_is_unknown_and_no_disagreement(client, planted):
    html = client.get("/matrix/").content.decode()
    assert "Sources disagree</a>" not in html
    assert html.count("Unknown</span>") >= 2  # Hidden only × both frameworks
    # A hidden "no" must not count as a level the frameworks show.
    assert (
        "Hidden only"
        not in client.get("/matrix/?support=no")
        .content.decode()
        .split('<table class="matrix">')[-1]
    )


def test_home_counts_ignore_hidden_claims(client, planted):
    html = client.get(reverse("comparisons:home")).content.decode()
    assert "<strong>2</strong> published claims" in html
