"""Embeds as another site sees them: a badge per cell, and the only framable page."""

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from django.urls import reverse

from knowledge.models import ClaimRank, ClaimStatus, Feature, Framework
from tests.factories import (
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_grid,
    make_scale,
)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def django_orm():
    framework = make_framework(name="Django", slug="django")
    feature = make_feature(name="ORM", slug="orm")
    claim = make_claim(framework=framework, feature=feature, citations=2, rank=ClaimRank.PREFERRED)
    # A rival claim, changed later, with a third source: the badge counts the shown claim's.
    make_citation(claim=make_claim(framework=framework, feature=feature, key="other"))
    return claim


def _badge(client, framework, feature):
    return client.get(reverse("embed:badge", args=[framework, feature]))


def _texts(response):
    root = ET.fromstring(response.content)
    return root, [text.text for text in root.iter(f"{SVG}text")]


def test_a_badge_says_what_the_cell_shows_and_links_to_its_claim(client, django_orm):
    response = _badge(client, "django", "orm")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root, texts = _texts(response)
    assert texts == ["Django · ORM", "Built in · 2 sources"]
    assert root.find(f"{SVG}title").text == "Django · ORM: Built in · 2 sources"
    link = root.find(f"{SVG}a").get("href")
    assert link == f"http://testserver{django_orm.get_absolute_url()}"


def test_a_badge_shows_the_value_and_one_source(client):
    framework = make_framework(name="Flask", slug="flask")
    feature = make_feature(name="Templates", slug="templates")
    claim = make_claim(framework=framework, feature=feature, value="Jinja2", citations=1)
    _, texts = _texts(_badge(client, "flask", "templates"))
    assert texts[1] == "Built in: Jinja2 · 1 source"
    assert claim.citations.count() == 1


def test_a_cell_without_a_published_claim_is_unknown_and_links_to_the_feature(client):
    framework = make_framework(name="Pyramid", slug="pyramid")
    feature = make_feature(name="Admin <panel> & co", slug="admin")
    make_claim(framework=framework, feature=feature, status=ClaimStatus.DRAFT, value="Secret")
    root, texts = _texts(_badge(client, "pyramid", "admin"))
    assert texts == ["Pyramid · Admin <panel> & co", "Unknown"]
    assert root.find(f"{SVG}a").get("href") == f"http://testserver{feature.get_absolute_url()}"


def test_a_badge_of_an_unknown_cell_is_404(client, django_orm):
    assert _badge(client, "django", "no-such-feature").status_code == 404
    assert _badge(client, "no-such-framework", "orm").status_code == 404


def test_a_badge_is_cached_long_and_revalidated_by_etag(client, django_orm):
    response = _badge(client, "django", "orm")
    assert "max-age=86400" in response["Cache-Control"]
    again = client.get(
        reverse("embed:badge", args=["django", "orm"]),
        headers={"If-None-Match": response["ETag"]},
    )
    assert again.status_code == 304


def _frame_ancestors(response):
    for part in response["Content-Security-Policy"].split(";"):
        tokens = part.split()
        if tokens and tokens[0] == "frame-ancestors":
            return tokens[1:]
    return None


def test_only_the_embed_page_may_be_framed(client, django_orm):
    make_framework(name="Flask", slug="flask")
    embed = client.get(reverse("embed:compare", args=["django-vs-flask"]))
    assert embed.status_code == 200
    assert _frame_ancestors(embed) == ["*"]
    assert "X-Frame-Options" not in embed
    page = client.get(reverse("comparisons:compare", args=["django-vs-flask"]))
    assert _frame_ancestors(page) == ["'none'"]
    assert page["X-Frame-Options"] == "DENY"
    for url in [reverse("api:docs"), reverse("embed:badge", args=["django", "orm"])]:
        response = client.get(url)
        assert _frame_ancestors(response) == ["'none'"], url
        assert response["X-Frame-Options"] == "DENY", url


def test_the_embed_page_carries_the_citations(client, django_orm):
    make_framework(name="Flask", slug="flask")
    html = client.get(reverse("embed:compare", args=["django-vs-flask"])).content.decode()
    for citation in django_orm.citations.select_related("source"):
        assert citation.quote in html
        assert citation.source.title in html
    assert 'id="fn-1"' in html
    assert 'rel="canonical" href="http://testserver/compare/django-vs-flask/"' in html
    assert "site-header" not in html


@pytest.mark.parametrize("slugs", ["django-vs-django", "django-vs-nothing"])
def test_the_embed_page_of_a_wrong_comparison_is_404(client, django_orm, slugs):
    assert client.get(reverse("embed:compare", args=[slugs])).status_code == 404


def test_a_badge_stays_valid_xml_whatever_the_names_hold(client):
    """Escaping is not enough for XML: a control character in a name would make the whole SVG
    unreadable (a browser then shows its own error page instead of the badge)."""
    make_framework(name="Bad\x0bname <&>", slug="bad")
    make_feature(name="Feature \ufffe\x1f", slug="feat")
    root, texts = _texts(_badge(client, "bad", "feat"))
    assert texts == ["Badname <&> · Feature ", "Unknown"]


def test_a_badge_of_an_assessment_shows_the_value_it_picks(client):
    framework = make_framework(name="Flask", slug="flask")
    feature, (gentle, *_) = make_scale(name="Learning curve", slug="learning-curve")
    make_claim(framework=framework, feature=feature, feature_value=gentle)
    _, texts = _texts(_badge(client, "flask", "learning-curve"))
    assert texts == ["Flask · Learning curve", "Gentle · 1 source"]


def test_a_large_embed_comes_in_parts_like_the_compare_page(client, settings):
    make_grid(2, 12, categories=3)
    settings.MATRIX_PAGE_CELLS = 6  # two columns: three rows a part
    slugs = "-vs-".join(Framework.objects.order_by("name").values_list("slug", flat=True))
    url, seen, count = reverse("embed:compare", args=[slugs]), [], 0
    while url:  # following each part's rel="next", as a reader in the frame would
        html = client.get(url).content.decode()
        count += 1
        rows = re.findall(r'<th scope="row"[^>]*>\s*<a href="/features/([^/]+)/"', html)
        assert 0 < len(rows) <= 3
        assert f"<strong>part {count} of " in html
        seen += rows
        following = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = unescape(following.group(1)) if following else None
    assert count > 1
    assert sorted(seen) == sorted(Feature.objects.values_list("slug", flat=True))
    assert (
        client.get(f"{reverse('embed:compare', args=[slugs])}?part={count + 1}").status_code == 404
    )
