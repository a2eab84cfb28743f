"""Curated comparisons: /comparisons/ and /comparisons/<slug>/."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_category, make_claim, make_comparison, make_feature, make_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb():
    web = make_category(name="Web", slug="web", order=1)
    data = make_category(name="Data", slug="data", order=2)
    django = make_framework(name="Django", slug="django")
    flask = make_framework(name="Flask", slug="flask")
    fastapi = make_framework(name="FastAPI", slug="fastapi")
    routing = make_feature(name="Routing", category=web)
    orm = make_feature(name="ORM", category=data)
    for framework in (django, flask):
        make_claim(framework=framework, feature=routing)
        make_claim(framework=framework, feature=orm, support="partial")
    comparison = make_comparison(
        "Flask vs Django",
        "flask-django",
        [flask, django],
        intro="Two **classics**. <script>alert(1)</script>",
    )
    return {"comparison": comparison, "web": web, "data": data, "fastapi": fastapi}


def test_a_comparison_shows_its_frameworks_in_their_order(client, kb):
    response = client.get(kb["comparison"].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    header = html[html.index('<table class="matrix">') : html.index("</thead>")]
    assert header.index("Flask") < header.index("Django")
    assert "FastAPI" not in header
    assert "<strong>classics</strong>" in html and "<script>alert" not in html
    assert "<title>Flask vs Django" in html
    assert (
        f'<link rel="canonical" href="http://testserver{kb["comparison"].get_absolute_url()}">'
        in html
    )
    assert 'href="/compare/flask-vs-django/"' in html


def test_chosen_categories_limit_the_rows(client, kb):
    kb["comparison"].categories.add(kb["data"])
    html = client.get(kb["comparison"].get_absolute_url()).content.decode()
    table = html[html.index('<table class="matrix">') :]
    assert "ORM" in table and "Routing" not in table
    assert 'name="category" value="web"' not in html  # only the comparison's categories
    assert "framework=flask&amp;framework=django&amp;category=data" in html  # export links
    # Its head-to-head link shows the same categories, and only those.
    [compare] = re.findall(r'href="(/compare/[^"]*)"', html)
    compared = client.get(compare.replace("&amp;", "&")).content.decode()
    table = compared[compared.index('<table class="matrix">') :]
    assert "ORM" in table and "Routing" not in table


def test_filters_apply_within_a_comparison(client, kb):
    html = client.get(kb["comparison"].get_absolute_url(), {"support": "partial"}).content.decode()
    table = html[html.index('<table class="matrix">') :]
    assert "ORM" in table and "Routing" not in table


def test_bad_filters_on_a_comparison_are_a_form_error(client, kb):
    response = client.get(kb["comparison"].get_absolute_url(), {"category": "\x00", "tag": "x"})
    assert response.status_code == 200
    assert "Some filters could not be used" in response.content.decode()


def test_the_list_shows_every_comparison(client, kb):
    make_comparison("Not featured", "not-featured", [kb["fastapi"]], is_featured=False)
    html = client.get(reverse("comparisons:comparison-list")).content.decode()
    assert "Flask vs Django" in html and "Not featured" in html
    assert 'href="/comparisons/flask-django/"' in html
    assert "Flask, Django" in html


def test_unknown_comparison_is_404(client, kb):
    assert client.get("/comparisons/nope/").status_code == 404


def test_a_comparison_without_frameworks_renders(client):
    comparison = make_comparison("Empty", "empty", [])
    response = client.get(comparison.get_absolute_url())
    assert response.status_code == 200
    assert "No frameworks to compare yet" in response.content.decode()


def test_a_framework_slug_the_compare_url_cannot_spell_only_drops_that_link(client):
    odd = make_framework(name="Odd", slug="Odd_Slug")
    comparison = make_comparison("Odd one", "odd-one", [odd, make_framework(slug="plain")])
    response = client.get(comparison.get_absolute_url())
    assert response.status_code == 200
    assert "See where they differ first" not in response.content.decode()
