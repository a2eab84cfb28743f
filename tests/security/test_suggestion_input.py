"""The readers' correction form is the one public page that takes a write: whatever is sent,
nothing is stored unless it is valid, carries the page's CSRF token, leaves the honeypot empty
and comes from an address under the limit; bad input gets the form back with its errors."""

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from knowledge.models import QUOTE_MAX_LENGTH
from suggestions.forms import HONEYPOT
from suggestions.models import EMAIL_MAX_LENGTH, PROBLEM_MAX_LENGTH, URL_MAX_LENGTH, Suggestion
from tests.factories import make_claim
from tests.suggestions.pages import FORM_ID, VALID, claim_form_url, submit

from .forms import form_data
from .payloads import all_payloads

pytestmark = pytest.mark.django_db


@pytest.fixture
def url():
    return claim_form_url(make_claim())


# -- CSRF -------------------------------------------------------------------------------------


@pytest.fixture
def strict():
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def test_a_post_without_the_csrf_token_is_refused(strict, url):
    data = form_data(strict.get(url).content.decode(), form_id=FORM_ID)
    del data["csrfmiddlewaretoken"]
    response = strict.post(url, {**data, **VALID})
    assert response.status_code == 403
    assert "The form could not be sent" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_a_post_with_a_forged_token_or_without_the_cookie_is_refused(strict, url):
    data = {**form_data(strict.get(url).content.decode(), form_id=FORM_ID), **VALID}
    assert strict.post(url, {**data, "csrfmiddlewaretoken": "x" * 64}).status_code == 403
    strict.cookies.clear()
    assert strict.post(url, data).status_code == 403
    assert not Suggestion.objects.exists()


def test_a_post_with_the_pages_token_is_accepted(strict, url):
    """The control: the same post with the token and cookie the page gave goes through."""
    assert submit(strict, url).status_code == 302
    assert Suggestion.objects.count() == 1


# -- Honeypot ---------------------------------------------------------------------------------


def test_a_filled_honeypot_looks_accepted_and_stores_nothing(client, url):
    page = client.get(url).content.decode()
    assert f'name="{HONEYPOT}"' in page and 'class="trap" aria-hidden="true"' in page
    response = submit(client, url, **{HONEYPOT: "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == submit(client, url)["Location"]  # as a real one
    assert Suggestion.objects.count() == 1  # the real one only


# -- Rate limit -------------------------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.SUGGESTION_LIMIT = 5
    settings.SUGGESTION_WINDOW = 3600
    return 5


def test_beyond_the_limit_an_address_gets_429_and_nothing_is_stored(client, url, limit):
    for n in range(limit):
        assert submit(client, url, problem=f"Problem {n}").status_code == 302
    response = submit(client, url, problem="One too many")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "Too many suggestions" in response.content.decode()
    assert Suggestion.objects.count() == limit
    assert not Suggestion.objects.filter(problem="One too many").exists()
    # Another address is not held back by this one's count.
    other = submit(client, url, problem="Elsewhere", meta={"REMOTE_ADDR": "198.51.100.7"})
    assert other.status_code == 302


def test_refused_posts_do_not_use_up_the_limit(client, url, limit):
    for _ in range(limit + 3):
        assert submit(client, url, source_url="ftp://example.org/x").status_code == 400
    assert submit(client, url).status_code == 302


def test_the_count_keeps_no_address(client, url, limit):
    """The count is kept under a keyed hash of the address, never the address itself."""
    submit(client, url, meta={"REMOTE_ADDR": "203.0.113.99"})
    keys = list(getattr(cache, "_cache", {}))  # the local-memory cache's keys
    if not keys:
        keys = [key.decode() for key in cache.client.get_client().keys("*")]
    assert any("suggestions" in key for key in keys)
    assert not any("203.0.113.99" in key for key in keys)


# -- Lengths and URLs -------------------------------------------------------------------------

LIMITS = {
    "problem": PROBLEM_MAX_LENGTH,
    "quote": QUOTE_MAX_LENGTH,
    "source_url": URL_MAX_LENGTH,
    "email": EMAIL_MAX_LENGTH,
}


def _of_length(field, length):
    if field == "source_url":
        prefix = "https://example.org/"
        return prefix + "a" * (length - len(prefix))
    if field == "email":
        suffix = "@example.org"
        # The local part may hold at most 64 characters: make the length in the domain.
        labels = "a" * 60 + "@" + ".".join(["b" * 60] * 3)
        return (labels + "." + "c" * 60)[: length - len(suffix)].rstrip(".") + suffix
    return "x" * length


@pytest.mark.parametrize("field", sorted(LIMITS))
def test_every_field_refuses_more_than_its_limit(client, url, field):
    response = submit(client, url, **{field: _of_length(field, LIMITS[field] + 1)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was sent" in body
    assert f'id="id_{field}_error"' in body  # the error is the field's own
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("field", ["problem", "quote", "source_url"])
def test_a_field_at_its_limit_is_accepted(client, url, field):
    """The control: the limits are where they say."""
    value = _of_length(field, LIMITS[field])
    assert len(value) == LIMITS[field]
    assert submit(client, url, **{field: value}).status_code == 302


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "JavaScript://example.org/%0Aalert(1)",
        "ftp://example.org/file",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "http://",
        "",
    ],
)
def test_only_web_addresses_are_taken_as_sources(client, url, address):
    response = submit(client, url, source_url=address)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_source_url_error"' in body
    if address:
        assert body.count("Enter a web address that starts with http:// or https://.") == 1
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("field", ["problem", "suggested", "quote"])
def test_required_fields_are_required(client, url, field):
    assert submit(client, url, **{field: ""}).status_code == 400
    assert not Suggestion.objects.exists()


# -- Anything at all --------------------------------------------------------------------------

hostile = st.one_of(
    st.text(max_size=50),
    st.sampled_from(all_payloads()),
    st.just("\x00"),
    st.tuples(st.sampled_from(["a", "é", "\x00"]), st.integers(250, 3000)).map(
        lambda repeat: repeat[0] * repeat[1]
    ),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(
        st.sampled_from([*VALID, HONEYPOT, "framework", "csrfmiddlewaretoken"]), hostile
    )
)
def test_hostile_posts_store_only_valid_suggestions(url, changes):
    note(repr(changes)[:500])
    client = Client(raise_request_exception=False)
    cache.clear()  # each example starts under the limit
    before = Suggestion.objects.count()
    response = submit(client, url, **changes)
    assert response.status_code in (302, 400), response.status_code
    assert "Traceback" not in response.content.decode(errors="replace")
    stored = Suggestion.objects.count() - before
    honeypot = changes.get(HONEYPOT, "").strip()
    assert stored == (1 if response.status_code == 302 and not honeypot else 0)
    if stored:
        suggestion = Suggestion.objects.latest("id")
        assert suggestion.source_url.startswith(("http://", "https://"))
        assert len(suggestion.quote) <= QUOTE_MAX_LENGTH
