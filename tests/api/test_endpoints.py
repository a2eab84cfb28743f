"""The API's conventions, as a client sees them: published knowledge only, paging with `next`,
slug filters, absolute URLs, JSON errors, conditional requests, CORS and the rate limit."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from knowledge.models import (
    CitationVerification,
    Claim,
    ClaimStatus,
    Provenance,
    VerificationStatus,
)
from tests.factories import (
    HIDDEN_MARKERS,
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_release,
    make_scale,
    plant_unpublished_claims,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cell():
    """One framework × feature with a published, cited claim and three unpublished ones."""
    framework = make_framework(name="Django", slug="django")
    feature = make_feature(name="ORM", slug="orm")
    published = make_claim(framework=framework, feature=feature, key="docs", value="built in")
    plant_unpublished_claims(framework=framework, feature=feature)
    return published


def _get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json"), url
    return response, response.json()


def test_claims_are_only_the_published_ones_with_their_evidence(client, cell):
    response, body = _get(client, reverse("api:claim-list"))
    assert response.status_code == 200
    assert [claim["id"] for claim in body["results"]] == [cell.pk]
    assert body["count"] == 1
    for marker in HIDDEN_MARKERS.values():
        assert marker not in response.content.decode()
    (claim,) = body["results"]
    citation = cell.citations.get()
    assert claim["framework"] == "django" and claim["feature"] == "orm"
    assert claim["citations"][0]["quote"] == citation.quote
    assert claim["citations"][0]["locator"] == citation.locator
    assert claim["citations"][0]["source"]["id"] == citation.source_id
    assert claim["url"] == f"http://testserver{cell.get_absolute_url()}"
    assert claim["api_url"] == f"http://testserver{reverse('api:claim-detail', args=[cell.pk])}"


def test_an_unpublished_claim_has_no_detail(client, cell):
    hidden = Claim.objects.exclude(status=ClaimStatus.PUBLISHED)
    assert hidden.count() == 3
    for claim in hidden:
        response, body = _get(client, reverse("api:claim-detail", args=[claim.pk]))
        assert response.status_code == 404
        assert body["status"] == 404 and body["message"]


def test_lists_are_paged_with_next_links_that_lead_through_everything(client):
    frameworks = {make_framework().slug for _ in range(7)}
    seen = []
    url = reverse("api:framework-list") + "?page_size=3"
    while url:
        response, body = _get(client, url)
        assert response.status_code == 200
        assert len(body["results"]) <= 3
        seen += [framework["slug"] for framework in body["results"]]
        url = body["next"]
    assert len(seen) == len(frameworks) and set(seen) == frameworks


def test_filters_by_slug(client, cell):
    other = make_claim(framework=make_framework(slug="flask"), feature=cell.feature)
    _, body = _get(client, reverse("api:claim-list"), framework="flask")
    assert [c["id"] for c in body["results"]] == [other.pk]
    _, body = _get(client, reverse("api:claim-list"), feature="orm")
    assert {c["id"] for c in body["results"]} == {cell.pk, other.pk}
    _, body = _get(client, reverse("api:feature-list"), category=cell.feature.category.slug)
    assert [f["slug"] for f in body["results"]] == ["orm"]


@pytest.mark.parametrize(
    ("name", "params", "parameter"),
    [
        ("api:claim-list", {"framework": "no-such-framework"}, "framework"),
        ("api:claim-list", {"support": "maybe"}, "support"),
        ("api:claim-list", {"changed_since": "yesterday"}, "changed_since"),
        # As UTC, a moment before the first year a date can hold.
        ("api:claim-list", {"changed_since": "0001-01-01T00:00:00+18:00"}, "changed_since"),
        ("api:source-list", {"kind": "rumour"}, "kind"),
        ("api:matrix", {"support": "maybe"}, "support"),
        ("api:matrix", {"framework": "no-such-framework"}, "framework"),
        ("api:changes", {"since": "2026-02-30"}, "since"),
        ("api:changes", {"until": "9999-01-01"}, "until"),
    ],
)
def test_bad_parameters_get_400_with_a_message_per_parameter(client, cell, name, params, parameter):
    response, body = _get(client, reverse(name), **params)
    assert response.status_code == 400
    assert body["status"] == 400 and body["message"]
    assert list(body["errors"]) == [parameter] and body["errors"][parameter][0]


@pytest.mark.parametrize(
    ("moment", "listed"),
    [("0653-11-11T14:07:09+18:15", True), ("9999-12-30T23:00:00-18:00", False)],
)
def test_changed_since_takes_any_utc_offset_python_reads(client, cell, moment, listed):
    """PostgreSQL refuses offsets beyond 15:59 in a query (it answered 500): the moment is
    read as UTC first, so every offset works, on every database."""
    response, body = _get(client, reverse("api:claim-list"), changed_since=moment)
    assert response.status_code == 200, body
    assert (body["count"] > 0) == listed


def test_unknown_objects_and_pages_get_404_json(client, cell):
    for url in [
        reverse("api:framework-detail", args=["no-such-framework"]),
        reverse("api:source-detail", args=[987654]),
        reverse("api:claim-list") + "?page=99",
    ]:
        response, body = _get(client, url)
        assert response.status_code == 404, url
        assert body == {"status": 404, "message": body["message"]} and body["message"]


def test_writes_get_405_json_naming_the_allowed_methods(client, cell):
    url = reverse("api:claim-detail", args=[cell.pk])
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(url, {"statement": "changed"})
        assert response.status_code == 405
        assert response.json()["status"] == 405
        assert "GET" in response["Allow"] and "POST" not in response["Allow"]
    cell.refresh_from_db()
    assert cell.statement != "changed"


def test_an_etag_answers_304_without_a_query(client, cell, django_assert_num_queries):
    url = reverse("api:claim-detail", args=[cell.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert "max-age=60" in first["Cache-Control"] and "public" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


@pytest.mark.django_db(transaction=True)
def test_an_edit_changes_the_etag(client, cell):
    url = reverse("api:claim-detail", args=[cell.pk])
    before = client.get(url)["ETag"]
    cell.value = "changed"
    cell.save()
    after = client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.json()["value"] == "changed"


def test_cors_is_open_for_reads_only(client, cell):
    response = client.get(reverse("api:claim-list"), headers={"Origin": "https://elsewhere.test"})
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        reverse("api:claim-list"),
        headers={"Origin": "https://elsewhere.test", "Access-Control-Request-Method": "DELETE"},
    )
    assert set(preflight["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {
        "GET",
        "HEAD",
    }
    page = client.get(reverse("comparisons:matrix"), headers={"Origin": "https://elsewhere.test"})
    assert "Access-Control-Allow-Origin" not in page


@pytest.fixture
def rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"address": "3/minute"},
    }


def test_a_client_over_the_rate_gets_429_with_retry_after(client, cell, rate):
    url = reverse("api:framework-list")
    statuses = [client.get(url).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response, body = _get(client, url)
    assert response.status_code == 429 and body["status"] == 429
    assert 0 < int(response["Retry-After"]) <= 60
    # Another address has its own budget.
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_rate_limit_fails_open_when_the_cache_is_down(client, cell, rate):
    url = reverse("api:framework-list")
    with (
        mock.patch.object(cache, "get", side_effect=ConnectionError("cache down")),
        mock.patch.object(cache, "set", side_effect=ConnectionError("cache down")),
    ):
        statuses = [client.get(url).status_code for _ in range(5)]
    assert statuses == [200] * 5


def test_a_citation_carries_its_verification_status(client, cell):
    citation = cell.citations.get()
    _, body = _get(client, reverse("api:claim-detail", args=[cell.pk]))
    assert body["citations"][0]["verification"] is None
    CitationVerification.objects.create(citation=citation, status=VerificationStatus.VERIFIED)
    _, body = _get(client, reverse("api:claim-detail", args=[cell.pk]))
    assert body["citations"][0]["verification"]["status"] == "verified"
    assert body["citations"][0]["verification"]["status_label"] == "Verified"


def test_features_frameworks_and_claims_carry_kinds_releases_and_provenance(client):
    framework = make_framework(name="Flask", slug="flask", maintainer="Pallets")
    old = make_release(framework=framework, version="2.0", released_on=datetime.date(2021, 5, 11))
    new = make_release(framework=framework, version="3.1", released_on=datetime.date(2024, 11, 13))
    feature, (gentle, *_) = make_scale(name="Learning curve", slug="learning-curve")
    claim = make_claim(
        framework=framework, feature=feature, feature_value=gentle, since_version=old, citations=0
    )
    make_citation(claim=claim, provenance=Provenance.INDEPENDENT)

    _, body = _get(client, reverse("api:feature-detail", args=["learning-curve"]))
    assert body["kind"] == "assessment"
    assert [value["label"] for value in body["values"]] == ["Gentle", "Moderate", "Steep"]
    _, body = _get(client, reverse("api:framework-detail", args=["flask"]))
    assert body["maintainer"] == "Pallets"
    assert [release["version"] for release in body["releases"]] == [new.version, old.version]
    _, body = _get(client, reverse("api:claim-detail", args=[claim.pk]))
    assert body["support"] == "" and body["feature_value"] == "gentle"
    assert body["feature_value_label"] == "Gentle"
    assert body["since_version"] == "2.0" and body["until_version"] is None
    assert body["citations"][0]["provenance"] == "independent"
