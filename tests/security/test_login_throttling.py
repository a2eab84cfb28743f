"""django-axes throttles the admin login form: five failures for one username, or from one
address, lock that username or address out for 15 minutes, even with the right password.

Everything goes through the real login form (client.post to /admin/login/), so the test
covers the authentication backends, the middleware and the lockout template together.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from config.client_ip import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 42"
LOCKED_STATUSES = {403, 429}
LOCKOUT_MESSAGE = "Too many failed logins"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Dozens of logins per test; the production hasher would spend seconds on each test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db, fast_password_hashing):
    return get_user_model().objects.create_user(
        "alice", "alice@example.org", PASSWORD, is_staff=True
    )


def login(username, password, address, **headers):
    """One attempt through the admin login form from `address`, in a fresh browser."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        **headers,
    )
    return client, response


def is_logged_in(client):
    return client.get(reverse("admin:index")).status_code == 200


def assert_locked_out(client, response):
    assert response.status_code in LOCKED_STATUSES, response.status_code
    assert LOCKOUT_MESSAGE in response.content.decode()
    assert not is_logged_in(client)


def test_five_failures_for_a_username_lock_it_out_from_any_address(alice):
    for n in range(4):
        _, response = login("alice", "wrong password", f"198.51.100.{n}")
        assert response.status_code == 200  # the form again, with "please enter the correct…"
    # The fifth failure is answered with the lockout page already.
    client, response = login("alice", "wrong password", "198.51.100.4")
    assert_locked_out(client, response)
    client, response = login("alice", PASSWORD, "203.0.113.9")
    assert_locked_out(client, response)


def test_four_failures_do_not_lock_out(alice):
    for n in range(4):
        login("alice", "wrong password", f"198.51.100.{n}")
    client, response = login("alice", PASSWORD, "203.0.113.9")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_five_failures_from_one_address_lock_it_out_whatever_the_username(alice):
    for n in range(5):
        login(f"someone-{n}", "wrong password", "198.51.100.7")
    client, response = login("alice", PASSWORD, "198.51.100.7")
    assert_locked_out(client, response)
    # A forged X-Forwarded-For does not make the locked address someone else.
    client, response = login("alice", PASSWORD, "198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert_locked_out(client, response)
    # Alice herself, from her own address, is not locked: the lock is on the address.
    client, response = login("alice", PASSWORD, "203.0.113.9")
    assert response.status_code == 302
    assert is_logged_in(client)


def _age_attempts(by):
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= by
        attempt.save(update_fields=["attempt_time"])


def test_the_lockout_expires_after_fifteen_minutes(alice):
    for n in range(5):
        login("alice", "wrong password", f"198.51.100.{n}")
    _age_attempts(timedelta(minutes=14))
    client, response = login("alice", PASSWORD, "203.0.113.9")
    assert_locked_out(client, response)
    _age_attempts(timedelta(minutes=2))
    client, response = login("alice", PASSWORD, "203.0.113.9")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_lockout_page_is_the_clear_one_and_not_the_login_form(alice):
    for n in range(5):
        login("alice", "wrong password", f"198.51.100.{n}")
    _, response = login("alice", "wrong password", "203.0.113.9")
    assert response.status_code in LOCKED_STATUSES
    page = response.content.decode()
    assert LOCKOUT_MESSAGE in page
    assert "15 minutes" in page
    assert 'name="password"' not in page


# -- Behind a reverse proxy -------------------------------------------------------------------

PROXY = "10.0.0.2"


def test_behind_a_proxy_one_client_is_locked_out_and_not_everyone(alice, settings):
    """Every request comes from the proxy; the lock must fall on the client the proxy saw."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        # What the client sent in X-Forwarded-For is on the left, and changes every time.
        login(f"someone-{n}", "bad", PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
    client, response = login("alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert_locked_out(client, response)
    client, response = login("alice", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(alice, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        login(f"someone-{n}", "bad", "198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    client, response = login("alice", PASSWORD, "198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert_locked_out(client, response)


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", PROXY),  # no trusted proxy: the header is the client's word only
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # a forged entry on the left is skipped
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.9", "192.0.2.1"),
        (2, "192.0.2.1", PROXY),  # fewer entries than proxies: not through our proxies
        (1, "", PROXY),
    ],
)
def test_client_ip_reads_only_what_trusted_proxies_wrote(
    settings, rf, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected
