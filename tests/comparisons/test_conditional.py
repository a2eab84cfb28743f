"""Conditional requests: public pages answer 304 until the content changes."""

import gzip

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from comparisons import cache as content_cache
from knowledge.models import Claim
from tests.factories import make_claim

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client():
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture
def claim():
    return make_claim(value="Etagvalue")


def test_a_public_page_carries_a_validator_and_must_be_revalidated(client, claim):
    response = client.get("/matrix/")

    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')
    assert "must-revalidate" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_an_unchanged_page_answers_304_without_a_body(client, claim):
    etag = client.get("/matrix/")["ETag"]

    response = client.get("/matrix/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_304_is_answered_before_the_view_runs(client, claim, django_assert_num_queries):
    """A revalidation costs no query: the ETag comes from the content version alone."""
    etag = client.get("/matrix/")["ETag"]
    with django_assert_num_queries(0):
        assert client.get("/matrix/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_an_edit_changes_the_etag_and_the_old_one_gets_the_new_page(client, claim):
    etag = client.get("/matrix/")["ETag"]

    Claim.objects.filter(pk=claim.pk).update(value="Changedvalue")

    response = client.get("/matrix/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Changedvalue" in response.content.decode()


def test_each_url_has_its_own_etag(client, claim):
    first = client.get("/matrix/")["ETag"]
    filtered = client.get("/matrix/?support=yes")

    assert filtered["ETag"] != first
    assert client.get("/matrix/?support=yes", HTTP_IF_NONE_MATCH=first).status_code == 200


def test_weak_and_listed_etags_match(client, claim):
    etag = client.get("/matrix/")["ETag"]
    strong = etag.removeprefix("W/")

    assert client.get("/matrix/", HTTP_IF_NONE_MATCH=strong).status_code == 304
    assert client.get("/matrix/", HTTP_IF_NONE_MATCH=f'"other", {etag}').status_code == 304
    assert client.get("/matrix/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_signed_in_requests_are_never_answered_from_the_shared_cache(client, claim, admin_user):
    etag = client.get("/matrix/")["ETag"]
    # A real session: a cookie that is no session key is ignored (config/cookies.py).
    client.force_login(admin_user)
    assert settings.SESSION_COOKIE_NAME in client.cookies

    response = client.get("/matrix/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert "ETag" not in response


def test_pages_outside_the_public_namespace_are_left_alone(client, claim):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert "ETag" not in response


def test_errors_are_neither_validated_nor_cached(client, claim):
    response = client.get("/frameworks/no-such-framework/")

    assert response.status_code == 404
    assert "ETag" not in response


def test_a_disallowed_host_gets_400_even_when_the_page_is_cached(client, claim):
    client.get("/matrix/")

    response = Client(HTTP_HOST="evil.example").get("/matrix/")

    assert response.status_code == 400


def test_a_cached_page_repeats_the_headers_of_the_inner_middleware(client, claim):
    first = client.get("/matrix/")
    second = client.get("/matrix/")

    assert second.content == first.content
    for header in ("Content-Type", "X-Frame-Options", "Content-Security-Policy"):
        assert second[header] == first[header]


def test_a_cached_page_is_served_compressed_to_clients_that_accept_gzip(client, claim):
    plain = client.get("/matrix/").content

    compressed = client.get("/matrix/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    again_plain = client.get("/matrix/")

    assert compressed["Content-Encoding"] == "gzip"
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(plain)
    assert gzip.decompress(compressed.content) == plain
    assert "Accept-Encoding" in compressed["Vary"]
    assert "Content-Encoding" not in again_plain
    assert again_plain.content == plain


def test_if_none_match_star_never_turns_a_missing_page_into_304(client, claim):
    client.get("/matrix/")  # the site's pages are cached; this URL is not one of them

    response = client.get("/frameworks/no-such-framework/", HTTP_IF_NONE_MATCH="*")

    assert response.status_code == 404


def test_if_none_match_star_matches_a_page_that_exists(client, claim):
    client.get("/matrix/")

    assert client.get("/matrix/", HTTP_IF_NONE_MATCH="*").status_code == 304


def test_a_page_no_longer_in_the_cache_still_answers_304_to_its_etag(client, claim):
    etag = client.get("/matrix/")["ETag"]
    for alias in settings.CACHES:
        if alias != "default":
            caches[alias].clear()
    # The shared copy is gone too (evicted): the page is rendered again, and still matches.
    version = content_cache.content_version()
    caches["default"].clear()
    caches["default"].set(content_cache.VERSION_KEY, version, None)

    assert client.get("/matrix/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_head_request_revalidates_like_a_get(client, claim):
    etag = client.get("/matrix/")["ETag"]

    assert client.head("/matrix/", HTTP_IF_NONE_MATCH=etag).status_code == 304
