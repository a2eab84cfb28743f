"""Public pages go out gzip-compressed to clients that accept it: the first render as well as
cache hits, and when the shared cache is down."""

import gzip
import time

import pytest
from django.test import Client

from comparisons import cache as content_cache
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def client():
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture
def claim():
    return make_claim(value="Compressedvalue")


def _plain_render(path):
    """The page as a client that does not accept gzip gets it, rendered afresh."""
    content_cache.bump_content_version()
    response = Client(HTTP_HOST="127.0.0.1").get(path)
    assert "Content-Encoding" not in response
    return response.content


def test_the_first_render_is_compressed_for_a_client_that_accepts_gzip(client, claim):
    cold = client.get("/matrix/", **GZIP)

    assert cold["Content-Encoding"] == "gzip"
    assert int(cold["Content-Length"]) == len(cold.content)
    assert "Accept-Encoding" in cold["Vary"]
    assert b"Compressedvalue" in gzip.decompress(cold.content)
    assert gzip.decompress(cold.content) == _plain_render("/matrix/")


def test_the_first_render_and_a_cache_hit_send_the_same_compressed_bytes(client, claim):
    cold = client.get("/matrix/", **GZIP)
    warm = client.get("/matrix/", **GZIP)

    assert warm["Content-Encoding"] == "gzip"
    assert warm.content == cold.content
    assert warm["ETag"] == cold["ETag"]


def test_a_client_that_does_not_accept_gzip_gets_the_plain_first_render(client, claim):
    cold = client.get("/matrix/", HTTP_ACCEPT_ENCODING="identity")
    warm = client.get("/matrix/", **GZIP)

    assert "Content-Encoding" not in cold
    assert cold.content == gzip.decompress(warm.content)


def test_a_cache_hit_for_a_client_that_does_not_accept_gzip_is_the_plain_page(client, claim):
    """Only the gzip body is kept: the plain answer is that body decompressed, the same bytes
    as a fresh plain render, and uncompressed on the wire."""
    compressed = client.get("/matrix/", **GZIP)
    hit = client.get("/matrix/", HTTP_ACCEPT_ENCODING="identity")

    assert "Content-Encoding" not in hit
    assert hit["ETag"] == compressed["ETag"]
    assert int(hit["Content-Length"]) == len(hit.content)
    assert hit.content == gzip.decompress(compressed.content)
    assert b"Compressedvalue" in hit.content
    assert len(_stored_body_keys()) == 1, "the plain body was stored beside the gzip body"


def _stored_body_keys():
    cache = content_cache.cache
    if hasattr(cache, "keys"):  # django-redis
        return list(cache.keys("citegrid:body:*"))
    return [key for key in cache._cache if ":citegrid:body:" in key]


def test_pages_are_compressed_while_the_shared_cache_is_down(client, claim):
    plain = _plain_render("/matrix/")
    content_cache.breaker.retry_at = time.monotonic() + 60  # as after a cache failure

    response = client.get("/matrix/", **GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content) == plain


def test_a_signed_in_curators_page_is_not_compressed_by_the_page_cache(client, claim, admin_user):
    """Their pages are personal (a CSRF token, the admin bar): compressing a secret beside
    text an attacker can inject is what BREACH exploits."""
    client.force_login(admin_user)

    response = client.get("/matrix/", **GZIP)

    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_an_error_page_is_not_compressed(client, claim):
    response = client.get("/frameworks/no-such-framework/", **GZIP)

    assert response.status_code == 404
    assert "Content-Encoding" not in response
