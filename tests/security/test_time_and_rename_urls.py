"""Every page of issue 12 with every parameter it reads, good and bad, deterministically: the
changes page, its exports and API, the feeds, the matrix on a day (?as_of=), at a release
(?release=), in parts (?part=), and old slugs. No 5xx, no traceback, no cookie, no draft.

The fuzzer (test_fuzz_queries.py) draws from the same parameters and values at random; this
sweep makes sure each combination below is asked at least once, whatever it draws.
"""

import datetime
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from .test_fuzz_queries import _fuzz_data
from .test_fuzz_queries import check_response as _check

pytestmark = pytest.mark.django_db

CHANGES_PAGES = ["/changes/", "/changes/export.csv", "/changes/export.json", "/api/v1/changes/"]
MATRIX_PAGES = [
    "/matrix/",
    "/matrix/export.csv",
    "/matrix/export.json",
    "/api/v1/matrix/",
    "/compare/fw0-vs-fw1/",
    "/compare/fw0-vs-fw2/",  # fw2 is a former slug
    "/comparisons/two/",
    "/embed/compare/fw0-vs-fw2/",
]
OTHER_PAGES = [
    "/feeds/frameworks/fw0/",
    "/feeds/frameworks/fw2/",
    "/feeds/features/feature0/",
    "/feeds/comparisons/two/",
    "/feeds/claims/",
    "/frameworks/fw0/",
    "/frameworks/fw2/",
    "/api/v1/frameworks/fw2/",
    "/badge/fw2/feature0.svg",
]


def _day(days_ago):
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()


def _queries(names_values):
    """Each parameter alone with each of its values, then pairs of parameters."""
    singles = [[(name, value)] for name, values in names_values.items() for value in values]
    pairs = [
        [first[0], second[0]]
        for first, second in itertools.combinations(singles, 2)
        if first[0][0] != second[0][0]
    ]
    return singles + pairs[::7]


CHANGE_PARAMETERS = {
    "since": [_day(3), _day(0), _day(-1), _day(400), "2026-02-30", "0001-01-01", "x"],
    "until": [_day(2), _day(0), _day(-1), "9999-12-31", ""],
    "framework": ["fw0", "fw2", "fw2-renamed", "nope", "\x00"],
    "feature": ["feature0", "feature3", "nope"],
    "category": ["nope", ""],
    "format": ["csv", "json", "atom"],
}
MATRIX_PARAMETERS = {
    "as_of": [_day(1), _day(3), _day(4), _day(0), _day(-1), "1999-12-31", "2026-13-01", "x"],
    "release": ["fw0@1.0", "fw0@9.9", "fw2@1.0", "fw2-renamed@1.0", "fw1@1.0", "@", "fw0@<b>"],
    "part": ["1", "2", "99", "0", "-1", "x", "9" * 30],
    "framework": ["fw0", "fw2", "nope"],
}


@pytest.fixture
def client():
    _fuzz_data()
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", CHANGES_PAGES)
def test_the_changes_pages_take_every_parameter(client, path):
    for query in _queries(CHANGE_PARAMETERS):
        _check(client, "GET", path, "&".join(f"{k}={v}" for k, v in query), {})


@pytest.mark.parametrize("path", MATRIX_PAGES)
def test_the_matrix_pages_take_every_day_release_and_part(client, path):
    for query in _queries(MATRIX_PARAMETERS):
        _check(client, "GET", path, "&".join(f"{k}={v}" for k, v in query), {})


@pytest.mark.parametrize("path", OTHER_PAGES)
def test_feeds_timelines_and_old_slugs(client, path):
    for query in ("", "as_of=" + _day(1), "framework=fw2", "part=2"):
        _check(client, "GET", path, query, {})


def test_a_past_day_shows_the_public_version_not_the_draft_between(client):
    """The planted draft version carried the marker; the days around it show published words."""
    for days_ago in (1, 2, 3, 4):
        for path in ("/matrix/", "/matrix/export.json", "/compare/fw0-vs-fw1/"):
            _check(client, "GET", path, f"as_of={_day(days_ago)}", {})
    response = client.get("/changes/", {"since": _day(5)})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Public again." in text and "Verification lost" in text


def test_the_sweep_reaches_the_pages_behind_the_forms(client):
    """The sweep's good values are good: a past day, a release and old slugs are answered as
    such, not refused by the form (which would leave the code behind it untried)."""
    past = client.get("/matrix/", {"as_of": _day(1)})
    assert past.status_code == 200 and "notice--as-of" in past.content.decode()
    release = client.get("/matrix/", {"release": "fw0@1.0"})
    assert "Framework 0 1.0" in release.content.decode()
    assert 'class="form-error"' not in release.content.decode()
    for old in ("/frameworks/fw2/", "/api/v1/frameworks/fw2/", "/feeds/frameworks/fw2/"):
        assert client.get(old).status_code == 301, old
    assert client.get("/changes/", {"since": _day(3)}).status_code == 200
