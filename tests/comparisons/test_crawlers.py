"""A cache crawlers cannot flood: one URL per page (junk parameters, other spellings and page
1 redirected before anything is rendered or stored), and a limit on fresh renders per client
address."""

import html
import math
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client

from comparisons import cache as content_cache
from comparisons import render_limit
from comparisons.canonical import canonical_query, page_query
from comparisons.parts import part_number
from tests.factories import make_claim, make_feature

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture
def claim():
    return make_claim(value="Crawledvalue")


def _pages(claim):
    """One URL of every page kind in the `comparisons` namespace."""
    citation = claim.citations.get()
    return [
        "/",
        "/matrix/",
        "/matrix/export.csv",
        "/matrix/export.json",
        "/comparisons/",
        "/frameworks/",
        claim.framework.get_absolute_url(),
        "/features/",
        claim.feature.get_absolute_url(),
        claim.feature.category.get_absolute_url(),
        claim.get_absolute_url(),
        "/sources/",
        citation.source.get_absolute_url(),
        "/search/",
        "/feeds/claims/",
    ]


def test_every_page_redirects_a_junk_parameter_before_any_query(
    client, claim, django_assert_num_queries
):
    for url in _pages(claim):
        with django_assert_num_queries(0):
            response = client.get(url, {"utm_source": "crawler", "x": "<y>"})
        assert response.status_code == 301, url
        assert response["Location"] == url


def test_a_junk_url_leads_to_the_page_already_cached(client, claim, django_assert_num_queries):
    cached = client.get("/matrix/")

    with django_assert_num_queries(0):
        response = client.get("/matrix/?sid=12345", follow=True)

    assert response.redirect_chain == [("/matrix/", 301)]
    assert response.content == cached.content


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("?support=yes&category=web&differ=0&tag=", "?category=web&support=yes"),
        ("?support=no&support=yes&support=no", "?support=no&support=yes"),
        ("?hide_unknown=true&junk=1", "?hide_unknown=on"),
        ("?q=&framework=", ""),
    ],
)
@pytest.mark.parametrize("path", ["/matrix/", "/matrix/export.csv", "/matrix/export.json"])
def test_filters_are_sorted_and_emptied_on_the_matrix_and_its_exports(
    client, claim, path, query, canonical
):
    response = client.get(path + query)

    assert response.status_code == 301
    assert response["Location"] == path + canonical


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/sources/?page=1", "/sources/"),
        ("/sources/?page=02", "/sources/?page=2"),
        ("/sources/?page=abc&page=3", "/sources/?page=3"),
        ("/sources/?page=3&page=abc", "/sources/"),  # the last is the one get_page reads
        ("/sources/?page=%EF%BC%92", "/sources/"),  # a full-width digit is not a number
        ("/search/?claims_page=2&q=orm&frameworks_page=1", "/search/?q=orm&claims_page=2"),
        ("/search/?q=django&q=flask", "/search/?q=flask"),
        ("/search/?q=+++", "/search/"),
        ("/matrix/?as_of=2026-11-1", "/matrix/?as_of=2026-11-01"),
        (
            "/changes/?since=2026-11-1&until=2026-11-09",
            "/changes/?since=2026-11-01&until=2026-11-09",
        ),
        ("/changes/export.csv?until=2026-9-30", "/changes/export.csv?until=2026-09-30"),
    ],
)
def test_page_numbers_search_words_and_days_have_one_spelling(client, claim, url, canonical):
    response = client.get(url)

    assert response.status_code == 301
    assert response["Location"] == canonical
    assert client.get(canonical).status_code == 200


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        # A head-to-head fixes its columns and its row order: it reads neither parameter.
        ("?framework=zzz&order=differ&support=yes", "?support=yes"),
        ("?as_of=2026-1-5", "?as_of=2026-01-05"),
        ("?as_of=2026-02-30", "?as_of=2026-02-30"),  # no such day: left for the form's error
    ],
)
def test_a_head_to_head_has_one_spelling_of_what_it_reads(client, claim, query, canonical):
    other = make_claim(feature=claim.feature, key="other").framework
    path = f"/compare/{claim.framework.slug}-vs-{other.slug}/"
    response = client.get(path + query)
    if query == canonical:
        assert response.status_code == 400 or b"errorlist" in response.content
        return
    assert response.status_code == 301
    assert response["Location"] == path + canonical
    # The redirect lands on the page the canonical URL shows itself.
    assert client.get(path + query, follow=True).content == client.get(path + canonical).content


def test_the_pagers_links_are_canonical(client):
    for n in range(45):
        make_feature(name=f"Orm part {n}")

    page = client.get("/search/?q=orm&features_page=2").content.decode()
    links = [html.unescape(h) for h in re.findall(r'href="(\?[^"]*)"', page)]

    assert sorted(links) == ["?q=orm", "?q=orm&features_page=3"]
    for link in links:
        assert client.get("/search/" + link).status_code == 200, link


def test_the_last_value_of_a_single_parameter_decides_as_the_form_reads_it():
    # The form reads the last value (QueryDict.get): an empty or "off" last value means off,
    # so the canonical URL must not turn the filter back on.
    assert canonical_query([("differ", "on"), ("differ", "off")]) == ""
    assert canonical_query([("differ", "off"), ("differ", "on")]) == "differ=on"
    assert canonical_query([("q", "x"), ("q", "")]) == ""
    assert page_query("search", [("q", "x"), ("q", "")]) == ""
    assert page_query("changes", [("feature", "a"), ("feature", "")]) == ""
    assert page_query("changes", [("category", "b"), ("category", ""), ("category", "a")]) == (
        "category=a&category=b"
    )


def test_the_canonical_redirect_keeps_raw_utf8_search_words(client):
    # A query string sent as raw UTF-8 bytes reaches Django decoded as latin-1 (WSGI).
    raw = "q=é".encode().decode("latin-1")
    response = client.get("/search/", QUERY_STRING=raw)
    assert response.status_code == 301
    assert response["Location"] == "/search/?q=%C3%A9"


def test_page_numbers_longer_than_any_count_are_page_one(client):
    assert part_number("9" * 19) is None
    assert part_number("9" * 5000) is None
    assert client.get("/sources/?page=" + "9" * 5000).status_code == 301


def test_page_query_puts_parameters_in_their_order():
    pairs = [("sources_page", "4"), ("junk", "1"), ("q", "orm"), ("claims_page", "1")]

    assert page_query("search", pairs) == "q=orm&sources_page=4"
    assert page_query("framework-detail", pairs) == ""


# -- The limit on fresh renders per client address ------------------------------------------------


class _Clock:
    """The limit's clock, held still: a loop of renders that straddled a window's end by
    chance would start a new count halfway and fail the test."""

    def __init__(self):
        # Halfway through a 60-second window and through a 1-second one.
        self.now = math.floor(time.time() / 3600) * 3600 + 1830.5

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    still = _Clock()
    monkeypatch.setattr(render_limit, "time", still)
    return still


@pytest.fixture
def limit(settings, clock):
    settings.PAGE_RENDER_LIMIT = 3
    settings.PAGE_RENDER_WINDOW = 60
    return 3


def _urls(n):
    return [f"/matrix/?q=word{i}" for i in range(n)]


def test_renders_beyond_the_limit_get_429_with_retry_after(client, claim, limit):
    statuses = [client.get(url).status_code for url in _urls(limit + 2)]

    assert statuses == [200] * limit + [429, 429]
    response = client.get(_urls(limit + 3)[-1])
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert 'class="site-header"' in page  # the site's layout
    assert "Too many new pages at once" in page


def test_cache_hits_never_count_towards_the_limit(client, claim, limit):
    for _ in range(limit * 3):  # one render, then hits
        assert client.get("/matrix/").status_code == 200

    statuses = [client.get(url).status_code for url in _urls(limit)]

    assert statuses == [200] * (limit - 1) + [429]


def test_a_refused_render_runs_no_query(client, claim, limit, django_assert_num_queries):
    for url in _urls(limit):
        client.get(url)

    with django_assert_num_queries(0):
        assert client.get("/matrix/?q=another").status_code == 429


def test_each_client_address_has_its_own_limit(claim, limit):
    crawler = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="192.0.2.7")
    visitor = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="198.51.100.9")
    for url in _urls(limit + 1):
        crawler.get(url)

    assert crawler.get("/matrix/?q=more").status_code == 429
    assert visitor.get("/matrix/?q=more").status_code == 200


def test_the_address_behind_a_trusted_proxy_is_the_one_limited(claim, limit, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "10.0.0.1"}
    crawler = Client(**proxy, HTTP_X_FORWARDED_FOR="192.0.2.7")
    visitor = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")
    for url in _urls(limit + 1):
        crawler.get(url)

    assert crawler.get("/matrix/?q=more").status_code == 429
    assert visitor.get("/matrix/?q=more").status_code == 200


def test_the_count_expires_with_its_window(client, claim, limit, settings, clock):
    settings.PAGE_RENDER_WINDOW = 1
    for url in _urls(limit + 1):
        client.get(url)
    assert client.get("/matrix/?q=more").status_code == 429
    clock.now += 1  # the next window

    assert client.get("/matrix/?q=later").status_code == 200


def test_zero_turns_the_limit_off(client, claim, settings):
    settings.PAGE_RENDER_LIMIT = 0

    assert {client.get(url).status_code for url in _urls(5)} == {200}


def test_no_render_is_refused_while_the_cache_is_down(client, claim, limit):
    content_cache.breaker.retry_at = time.monotonic() + 60  # as after a cache failure

    assert {client.get(url).status_code for url in _urls(limit + 2)} == {200}


def test_the_count_lives_in_the_shared_cache_and_expires_with_its_window(client, claim, limit):
    client.get("/matrix/?q=one")

    [(key, seconds)] = [(k, t) for k, t in _shared_ttls() if "citegrid:renders:127.0.0.1:" in k]
    assert 0 < seconds <= 60


def _shared_ttls():
    """(key, seconds to live) of each entry in the shared cache."""
    if hasattr(cache, "_expire_info"):  # LocMemCache
        now = time.time()
        return [(key, (expiry or now - 1) - now) for key, expiry in cache._expire_info.items()]
    redis = cache.client.get_client()
    return [(key.decode(), redis.ttl(key)) for key in redis.keys("*")]


def test_a_signed_in_curator_is_never_limited(client, claim, limit, admin_user):
    client.force_login(admin_user)

    assert {client.get(url).status_code for url in _urls(limit + 2)} == {200}


def test_every_entry_a_page_leaves_in_the_shared_cache_expires(client, claim, limit):
    """An edit retires pages by moving the version on, never by deleting them: the entries
    it orphans must go by themselves."""
    client.get("/matrix/", HTTP_ACCEPT_ENCODING="gzip")

    ttls = dict(_shared_ttls())
    kinds = {key.rsplit("citegrid:", 1)[1].split(":", 1)[0]: t for key, t in ttls.items()}
    assert set(kinds) == {"content-version", "page", "latest", "body", "renders"}
    entries = [t for key, t in ttls.items() if "content-version" not in key]
    # The page entry, the URL's latest rendering, the gzip body (the plain one is not kept),
    # the render count; the render lock is gone.
    assert len(entries) == 4
    assert all(0 < t <= content_cache.ENTRY_TIMEOUT for t in entries)
