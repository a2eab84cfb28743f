import re

import pytest
from django.urls import reverse

from comparisons.models import Comparison, ComparisonFramework
from knowledge.models import ClaimStatus
from tests.factories import make_claim, make_grid, plant_unpublished_claims

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    claim = make_claim()
    comparison = Comparison.objects.create(title="A vs B", slug="a-vs-b")
    ComparisonFramework.objects.create(comparison=comparison, framework=claim.framework)
    return claim


def locations(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_sitemap_lists_every_public_page(client, claim):
    found = locations(client)
    base = "http://testserver"
    for path in [
        "/",
        "/matrix/",
        "/comparisons/",
        "/frameworks/",
        "/features/",
        "/sources/",
        "/comparisons/a-vs-b/",
        claim.framework.get_absolute_url(),
        claim.feature.get_absolute_url(),
        claim.feature.category.get_absolute_url(),
        claim.get_absolute_url(),
        claim.citations.get().source.get_absolute_url(),
    ]:
        assert base + path in found, path


def test_sitemap_leaves_out_unpublished_claims(client, claim):
    hidden = plant_unpublished_claims(framework=claim.framework, feature=claim.feature)
    found = locations(client)
    assert sum("/claims/" in url for url in found) == 1
    for status in (ClaimStatus.DRAFT, ClaimStatus.REVIEW, ClaimStatus.RETRACTED):
        assert f"http://testserver{hidden[status].get_absolute_url()}" not in found


def test_sitemap_gives_last_modified_dates(client, claim):
    body = client.get(reverse("sitemap")).content.decode()
    assert f"<lastmod>{claim.updated_at.date().isoformat()}</lastmod>" in body


@pytest.mark.parametrize("page", ["?p=abc", "?p=0", "?p=99", "?p=-1"])
def test_sitemap_bad_page_is_a_404(client, claim, page):
    assert client.get(reverse("sitemap") + page).status_code == 404


@pytest.mark.parametrize(("frameworks", "features"), [(2, 10), (20, 300)])
def test_sitemap_queries_do_not_grow(client, django_assert_max_num_queries, frameworks, features):
    """Guards a query per item (e.g. a claim's framework to build its URL): a count and a
    page for each of the seven model sitemaps (tag pages are the seventh)."""
    make_grid(frameworks, features, rivals=3)
    with django_assert_max_num_queries(14):
        found = locations(client)
    assert len(found) > frameworks * features


def test_robots_txt_allows_all_but_the_admin_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Allow: /" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "<" not in response.content.decode()


def test_robots_txt_accepts_only_reads(client):
    assert client.post("/robots.txt").status_code == 405


def test_sitemap_lists_the_tag_pages(client, claim):
    claim.feature.tags.add("batteries")
    claim.framework.tags.add("async")
    found = locations(client)
    for slug in ("batteries", "async"):
        assert f"http://testserver{reverse('comparisons:tag-detail', args=[slug])}" in found


def test_a_claims_change_dates_its_framework_feature_and_category_pages(client, claim):
    import datetime

    from django.utils import timezone

    from knowledge.models import Category, Claim, Feature, Framework

    long_ago = timezone.now() - datetime.timedelta(days=400)
    for model in (Framework, Feature, Category):
        model.objects.update(updated_at=long_ago)
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())
    body = client.get(reverse("sitemap")).content.decode()
    today = timezone.now().date().isoformat()
    for page in (claim.framework, claim.feature, claim.feature.category):
        entry = re.search(
            rf"<loc>http://testserver{re.escape(page.get_absolute_url())}</loc>"
            r"\s*<lastmod>([^<]+)</lastmod>",
            body,
        )
        assert entry and entry.group(1) == today, page
