import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from comparisons.feeds import FEED_LENGTH
from knowledge.models import Citation, Claim, ClaimStatus, SupportLevel, VerificationChange
from knowledge.services import claim_publish
from tests.factories import (
    HIDDEN_MARKERS,
    make_claim,
    make_comparison,
    make_feature,
    make_framework,
    make_grid,
    make_verification_change,
    plant_unpublished_claims,
    record_missing_history,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = reverse("comparisons:claims-feed")


def entries(client):
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_feed_lists_published_claims_newest_change_first(client):
    django, orm = make_framework(name="Django"), make_feature(name="ORM")
    old = make_claim(framework=django, feature=orm, statement="Old news.")
    new = make_claim(statement="Fresh news.", support=SupportLevel.PARTIAL, value="2.0")
    Claim.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=9))
    found = entries(client)
    assert [e.find(f"{ATOM}link").get("href") for e in found] == [
        f"http://testserver{new.get_absolute_url()}",
        f"http://testserver{old.get_absolute_url()}",
    ]
    assert found[1].find(f"{ATOM}title").text == "Django — ORM: Built in"
    assert found[0].find(f"{ATOM}summary").text == "Fresh news. Detail: 2.0"


def test_feed_leaves_out_unpublished_claims(client):
    claim = make_claim()
    plant_unpublished_claims(framework=claim.framework, feature=claim.feature)
    response = client.get(FEED)
    assert len(entries(client)) == 1
    for marker in HIDDEN_MARKERS.values():
        assert marker not in response.content.decode()


def test_feed_escapes_curator_text_for_readers_that_render_html(client):
    make_claim(statement="<script>alert(1)</script> & more")
    body = client.get(FEED).content.decode()
    assert "<script>" not in body
    summary = entries(client)[0].find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # After XML parsing the reader holds HTML; as HTML it must still be inert text.
    assert summary.text == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"


def test_feed_drops_characters_xml_cannot_carry(client):
    framework = make_framework(name="Bell\x07Framework")
    make_claim(framework=framework, statement="Form\x0cfeed and \x01null", value="v\x1b1")
    found = entries(client)
    assert found[0].find(f"{ATOM}title").text.startswith("BellFramework — ")
    assert found[0].find(f"{ATOM}summary").text == "Formfeed and null Detail: v1"


@pytest.mark.parametrize("claims", [60, 240])
def test_feed_is_bounded(client, claims, django_assert_max_num_queries):
    """Guards a query per entry (its framework and feature for the title)."""
    for _ in range(claims):
        make_claim(citations=0)
    with django_assert_max_num_queries(1):
        found = entries(client)
    assert len(found) == 50


@pytest.mark.parametrize("size", [(2, 5), (6, 30)], ids=["2x5", "6x30"])
def test_change_feeds_queries_do_not_grow(client, size, django_assert_num_queries):
    """Guards against a query per entry or per change behind it (a framework, feature, value
    or source read per change, a claim's earlier state per claim): each feed is its object,
    then the changes list's fixed handful."""
    grid = make_grid(*size, edits=3)
    record_missing_history()
    comparison = make_comparison("All", "all", grid.frameworks)
    comparison.categories.add(*grid.categories)
    for citation in Citation.objects.published().order_by("pk")[: size[0]]:
        make_verification_change(citation)
    framework, feature = grid.frameworks[0], grid.features[0]
    feeds = [
        (reverse("comparisons:framework-changes-feed", args=[framework.slug]), framework),
        (reverse("comparisons:feature-changes-feed", args=[feature.slug]), feature),
        (reverse("comparisons:comparison-changes-feed", args=[comparison.slug]), None),
    ]
    for url, scope in feeds:
        # The object, then the changes: claims in the range, their citations, the checks
        # that changed, each claim's state before it, frameworks, features, values, sources
        # and which claims are public now (a curated comparison reads its frameworks and
        # categories too).
        with django_assert_num_queries(9 if scope else 11):
            response = client.get(url)
        found = ET.fromstring(response.content).findall(f"{ATOM}entry")
        # Recomputed from the data: each published claim's publication today, and the
        # checks of its citations that lost verification.
        published = Claim.objects.published()
        if scope is framework:
            published = published.filter(framework=framework)
        elif scope is feature:
            published = published.filter(feature=feature)
        lost = VerificationChange.objects.filter(citation__claim__in=published).count()
        assert len(found) == min(FEED_LENGTH, published.count() + lost), url


def test_every_page_links_to_the_feed(client):
    html = client.get(reverse("comparisons:framework-list")).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{FEED}"' in html


def test_an_entrys_published_date_is_when_the_claim_was_published(client):
    claim = make_claim(status=ClaimStatus.DRAFT)
    assert claim.published_at is None
    begun = timezone.now() - datetime.timedelta(days=30)
    Claim.objects.filter(pk=claim.pk).update(created_at=begun)
    claim.refresh_from_db()
    claim_publish(claim=claim)
    body = client.get(reverse("comparisons:claims-feed")).content.decode()
    [published] = re.findall(r"<published>([^<]+)</published>", body)
    assert published[:10] == claim.published_at.date().isoformat()
    assert published[:10] != begun.date().isoformat()
