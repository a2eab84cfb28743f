"""Hostile requests to every public URL pattern: no 5xx, no traceback, no cookie, no draft.
(The correction forms, urlmap.FORM_PAGES, set their CSRF cookie: they are fuzzed for the rest.)

Besides paths and query strings, each request may carry hostile headers: Cookie (session,
CSRF and messages cookies with garbage, NULs and escapes), X-Forwarded-For (read when a
trusted proxy is configured), If-None-Match, Range and Host.

The patterns come from the URL configuration (urlmap.py), so a page added later is fuzzed
too. Paths use real slugs and ids from a small data set and garbage that still matches each
pattern's regex; query strings mix the parameters the pages' own forms name with unknown ones,
and values with unicode, control characters, NUL, SQL, huge numbers and very long strings;
some requests carry raw percent-encoding garbage instead.

CI runs FUZZ_EXAMPLES (default 2,000) examples; run it longer by hand with e.g.
    CITEGRID_FUZZ_EXAMPLES=20000 make test PYTEST_ARGS="tests/security/test_fuzz_queries.py"
"""

import datetime
import os
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from taggit.models import Tag

from comparisons.models import Comparison, ComparisonFramework
from knowledge.models import Citation, ClaimStatus
from tests.factories import (
    age_history,
    make_claim,
    make_feature,
    make_framework,
    make_release,
    make_source,
    make_verification_change,
)

from .forms import page_parameters
from .payloads import all_payloads
from .urlmap import FORM_PAGES, PublicPattern, public_patterns, route_regex_source

FUZZ_EXAMPLES = int(os.environ.get("CITEGRID_FUZZ_EXAMPLES", "2000"))
HIDDEN_MARKER = "HIDDEN-CLAIM-MARKER"

SQL = [
    "' OR '1'='1",
    "1; DROP TABLE knowledge_claim;--",
    "1' UNION SELECT password FROM auth_user--",
    "\\'; SELECT pg_sleep(5);--",
    "%' AND 1=1 --",
    "1)) OR ((1=1",
    "' || (SELECT 1) || '",
    "$$; SELECT 1; $$",
    "0x31",
    "/**/UNION/**/SELECT/**/1",
]
NUMBERS = [
    "0",
    "-1",
    "1e309",
    "NaN",
    "inf",
    "9" * 30,
    "-9223372036854775809",
    "2147483648",
    "1.5",
    "0x10",
    "٣",  # an Arabic-Indic digit: isdigit() is true, int() accepts it
    "１２",  # fullwidth digits
]
KNOWN_PARAMETERS = [
    *("q", "page", "sort", "order", "format", "tag", "framework", "feature", "category"),
    *("since", "until", "as_of", "release", "part"),
]


def well_formed_values():
    """Values that pass the forms' first look (real days, real releases, part numbers, the
    renamed slug's old name), so the fuzzer reaches the code behind the form too."""
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in (-1, 0, 1, 2, 5, 400)]
    return [
        *(day.isoformat() for day in days),
        *("fw0@1.0", "fw0@9.9", "fw2@1.0", "fw2-renamed@1.0", "fw1@1.0", "@", "fw0@"),
        *("1", "2", "3", "99", "-1", "0"),
        *("fw2", "fw2-renamed", "on", "off"),
    ]


def _characters():
    # Everything but surrogates, which cannot be encoded into a URL at all.
    return st.characters(codec="utf-8")


hostile_text = st.one_of(
    st.text(_characters(), max_size=40),
    st.text(st.characters(max_codepoint=0x1F), max_size=10),  # control characters and NUL
    st.sampled_from(SQL),
    st.sampled_from(NUMBERS),
    st.sampled_from(all_payloads()),
    # Very long values, built by repetition: generating them would use up Hypothesis's buffer.
    st.tuples(
        st.sampled_from(["A", "é", "\x00", "%", "'", " ", "😀"]), st.integers(1000, 20000)
    ).map(lambda repeat: repeat[0] * repeat[1]),
    st.just("\x00"),
    st.just(""),
)

# Raw query strings, as latin-1 text (what WSGI carries): broken percent-escapes, lone
# separators, overlong UTF-8 and invalid bytes after decoding.
raw_query = st.lists(
    st.sampled_from(["%", "%2", "%zz", "%ff", "%c0%af", "%00", "&", "=", ";", "+", "a", "é", "#"]),
    max_size=40,
).map("".join)


def _fuzz_data():
    """A small knowledge base: published claims, and hidden ones that must never show."""
    frameworks = [make_framework(name=f"Framework {n}", slug=f"fw{n}") for n in range(3)]
    features = [make_feature(slug=f"feature{n}") for n in range(4)]
    for i, framework in enumerate(frameworks):
        for j, feature in enumerate(features[:3]):
            make_claim(framework=framework, feature=feature, statement=f"Claim {i}.{j}")
    for status in (ClaimStatus.DRAFT, ClaimStatus.REVIEW, ClaimStatus.RETRACTED):
        make_claim(
            framework=frameworks[0],
            feature=features[3],
            key=f"hidden-{status}",
            status=status,
            statement=f"{HIDDEN_MARKER} {status}",
            value=HIDDEN_MARKER,
        )
    make_source(title="A source")
    comparison = Comparison.objects.create(title="Two", slug="two")
    ComparisonFramework.objects.bulk_create(
        ComparisonFramework(comparison=comparison, framework=f) for f in frameworks[:2]
    )
    frameworks[0].tags.add("python")
    # A published claim whose earlier version was a draft carrying the marker, days ago: a
    # past day's matrix (?as_of=) and the changes of those days must not show it.
    edited = make_claim(framework=frameworks[1], feature=features[3], statement="Public now.")
    edited.status, edited.statement = ClaimStatus.DRAFT, f"{HIDDEN_MARKER} draft"
    edited.save()
    age_history(3)
    edited.status, edited.statement = ClaimStatus.PUBLISHED, "Public again."
    edited.save()
    # Releases and a claim's versions, for ?release= and the timelines; checks lost and
    # regained, of published and hidden claims alike.
    for framework in frameworks:
        make_release(framework=framework, version="1.0")
    versioned = frameworks[0].claims.get(feature=features[0])
    versioned.since_version = frameworks[0].releases.get()
    versioned.save()
    for citation in Citation.objects.all():
        make_verification_change(citation, lost=citation.pk % 2 == 0)
    # A renamed slug, so that old addresses (redirected to the new one) are fuzzed too.
    frameworks[2].slug = "fw2-renamed"
    frameworks[2].save()
    return {
        "slug": [
            "fw2",
            *(f.slug for f in frameworks),
            *(f.slug for f in features),
            features[0].category.slug,
            comparison.slug,
            *Tag.objects.values_list("slug", flat=True),
        ],
        "pk": [c.pk for c in frameworks[0].claims.all()] + [1, 2, 3],
        "slugs": ["fw0-vs-fw1", "fw0-vs-fw1-vs-fw2", "fw1-vs-fw0", "fw2-vs-fw2-renamed"],
    }


def _path_strategy(pattern: PublicPattern, values):
    if not pattern.takes_arguments:
        return st.just(reverse(pattern.name))
    real = st.fixed_dictionaries(
        {name: st.sampled_from(values.get(name) or ["x"]) for name in pattern.arguments}
    ).map(lambda kwargs: reverse(pattern.name, kwargs=kwargs))
    # Garbage that still matches the route, so it reaches the view, not just the 404 page.
    matching_garbage = st.from_regex(route_regex_source(pattern), fullmatch=True)
    # Garbage that does not match: unicode and percent-escapes where the argument would be.
    prefix = reverse(pattern.name, kwargs={n: _example(n, values) for n in pattern.arguments})
    prefix = prefix.rsplit("/", 2)[0] + "/"
    broken = st.text(_characters(), min_size=1, max_size=30).map(
        lambda text: prefix + quote(text, safe="") + "/"
    )
    return st.one_of(real, real, matching_garbage, broken)


def _example(name, values):
    return (values.get(name) or ["x"])[0]


@pytest.fixture
def fuzz_world(db):
    values = _fuzz_data()
    client = Client(raise_request_exception=False)
    parameters, parameter_values = set(KNOWN_PARAMETERS), set()
    for pattern in public_patterns():
        if not pattern.takes_arguments:
            page = client.get(reverse(pattern.name))
            if page.get("Content-Type", "").startswith("text/html"):
                names, offered = page_parameters(page.content.decode())
                parameters |= names
                parameter_values |= offered
    return {
        "client": client,
        "paths": {p.name: _path_strategy(p, values) for p in public_patterns()},
        "parameters": sorted(parameters),
        "values": sorted(parameter_values | set(well_formed_values())),
    }


def _as_wsgi(text):
    # A WSGI server hands header values over as latin-1 text of the bytes received.
    return text.encode("utf-8", "surrogatepass").decode("latin-1")


cookie_names = st.sampled_from(["sessionid", "csrftoken", "messages", "x", ""])
cookie_value = st.one_of(
    hostile_text.map(lambda text: text[:200]),
    st.just('"abcdefgh\\000ijkl"'),  # a quoted NUL escape, as Python's cookie parser reads it
    st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"), min_size=32, max_size=32),
)
hostile_headers = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_COOKIE": st.lists(st.tuples(cookie_names, cookie_value), max_size=4).map(
            lambda pairs: "; ".join(f"{name}={value}" for name, value in pairs)
        ),
        "HTTP_X_FORWARDED_FOR": st.one_of(
            hostile_text, st.sampled_from(["1.2.3.4:5678", "[::1]:80", "6.6.6.6, 1.2.3.4", ","])
        ),
        "HTTP_IF_NONE_MATCH": st.one_of(
            hostile_text, st.sampled_from(["*", 'W/"x"', '"a", W/"b"', "W/", '"'])
        ),
        "HTTP_RANGE": st.one_of(
            hostile_text, st.sampled_from(["bytes=0-0", "bytes=-1", "bytes=9-1", "bytes=0-"])
        ),
        "HTTP_HOST": st.one_of(
            st.just("127.0.0.1"), hostile_text, st.sampled_from(["localhost:99999", "[::1"])
        ),
    },
).map(lambda headers: {name: _as_wsgi(value) for name, value in headers.items()})


@st.composite
def hostile_requests(draw, world):
    name = draw(st.sampled_from(sorted(world["paths"])))
    path = draw(world["paths"][name])
    method = draw(st.sampled_from(["GET", "GET", "GET", "HEAD"]))
    headers = draw(hostile_headers) if draw(st.integers(0, 2)) == 0 else {}
    if draw(st.integers(0, 9)) == 0:
        return name, method, path, draw(raw_query), headers
    key = st.one_of(st.sampled_from(world["parameters"]), st.text(_characters(), max_size=12))
    value = st.one_of(st.sampled_from(world["values"]), hostile_text)
    pairs = draw(st.lists(st.tuples(key, value), max_size=8))
    if draw(st.integers(0, 19)) == 0:  # the same parameter many times over
        pairs += [(draw(key), draw(value))] * draw(st.integers(50, 1500))
    return name, method, path, urlencode(pairs), headers


def _check(client, name, method, path, query, headers):
    note(f"{method} {path}?{query[:300]} {headers!r:.600}")
    check_response(client, method, path, query, headers, name=name)


def check_response(client, method, path, query, headers, *, name=None):
    """The request answers below 500, with no traceback, no hidden claim and no cookie (but
    for the correction forms, `name` in urlmap.FORM_PAGES, which set their CSRF cookie)."""
    extra = {"QUERY_STRING": query, **headers}
    response = client.head(path, **extra) if method == "HEAD" else client.get(path, **extra)
    where = f"{method} {path}?{query[:200]!r} {headers!r:.300}"
    assert response.status_code < 500, f"{where}: status {response.status_code}"
    body = b"".join(response) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")
    assert "Traceback" not in text, f"{where}: a traceback in the page"
    assert HIDDEN_MARKER not in text, f"{where}: a draft, in-review or retracted claim shown"
    if name in FORM_PAGES:
        # Its CSRF cookie is its own; the next request must not carry it to another page.
        client.cookies.clear()
        return
    assert not response.cookies, f"{where}: sets cookies {list(response.cookies)}"


def test_every_public_pattern_is_fuzzed(fuzz_world):
    """The patterns come from the URL conf; prove the walk found the public site."""
    names = set(fuzz_world["paths"])
    assert {"comparisons:home", "comparisons:search", "comparisons:claim-detail"} <= names
    assert not any(name.startswith("admin") for name in names)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    # One data set for all examples: the requests only read it.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_requests_never_break_a_public_page(fuzz_world, data):
    name, method, path, query, headers = data.draw(hostile_requests(fuzz_world))
    _check(fuzz_world["client"], name, method, path, query, headers)


@pytest.fixture
def login_world(db, settings):
    # Behind one trusted proxy, so the login throttle reads X-Forwarded-For.
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return Client(raise_request_exception=False)


@settings(
    max_examples=max(FUZZ_EXAMPLES // 10, 50),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(headers=hostile_headers, method=st.sampled_from(["GET", "POST"]))
def test_hostile_headers_never_break_the_admin_login(login_world, headers, method):
    note(f"{method} /admin/login/ {headers!r:.600}")
    url = reverse("admin:login")
    if method == "GET":
        response = login_world.get(url, **headers)
    else:
        response = login_world.post(url, {"username": "nobody", "password": "x"}, **headers)
    assert response.status_code < 500, f"{method} {url} {headers!r:.300}: {response.status_code}"
    assert "Traceback" not in response.content.decode("utf-8", errors="replace")
