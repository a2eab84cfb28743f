"""Headers, cookies and ids that used to give a 500, and the smaller promises of issue 17
point 6: each answers 400 (or as if the garbage was not sent), never a 500."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import make_claim

pytestmark = pytest.mark.django_db

NUL_SESSION = 'sessionid="abcdefgh\\000ijkl"'  # the \000 escape decodes to a NUL


@pytest.mark.parametrize("url", ["/admin/login/", "/admin/", "/admin/knowledge/claim/", "/matrix/"])
def test_a_nul_in_a_session_cookie_is_refused_with_400(url):
    client = Client(raise_request_exception=False)
    response = client.get(url, HTTP_COOKIE=NUL_SESSION)
    assert response.status_code == 400
    assert not response.cookies


@pytest.mark.parametrize(
    "path",
    ["/admin/knowledge/claim/abc/history/", "/admin/knowledge/claim/{pk}/history/abc/"],
)
def test_an_id_that_is_no_number_in_a_history_address_is_refused_with_400(superuser_client, path):
    claim = make_claim()
    response = superuser_client.get(path.format(pk=claim.pk))
    assert response.status_code == 400
    # The real ones still work.
    history = reverse("admin:knowledge_claim_history", args=[claim.pk])
    assert superuser_client.get(history).status_code == 200


@pytest.fixture
def curator(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return django_user_model.objects.create_user("carol", "c@example.org", "pw", is_staff=True)


def _login(forwarded_for, password="wrong"):
    client = Client(REMOTE_ADDR="10.0.0.2", raise_request_exception=False)
    return client.post(
        reverse("admin:login"),
        {"username": "carol", "password": password, "next": "/admin/"},
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.parametrize(
    ("forwarded_for", "recorded"),
    [
        ("6.6.6.6, 1.2.3.4:5678", "1.2.3.4"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::2", "2001:db8::2"),
    ],
)
def test_a_proxy_entry_with_a_port_is_read_as_its_address(
    curator, settings, forwarded_for, recorded
):
    settings.TRUSTED_PROXY_COUNT = 1
    response = _login(forwarded_for)
    assert response.status_code == 200  # the login form again, with its error
    assert AccessAttempt.objects.get().ip_address == recorded


@pytest.mark.parametrize("forwarded_for", ["not-an-address", "1.2.3.4:port:x", "\x00", "[::1"])
def test_a_proxy_entry_that_is_no_address_is_refused_with_400(curator, settings, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 1
    assert _login(forwarded_for).status_code == 400
    assert not AccessAttempt.objects.exists()


# -- point 6 ----------------------------------------------------------------------------------


@override_settings(SECURE_SSL_REDIRECT=True)
def test_the_https_redirect_carries_the_policy():
    response = Client().get("/matrix/", secure=False)
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_static_files_carry_the_policy():
    response = Client().get(settings.STATIC_URL + "css/site.css")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_public_post_gets_405_not_the_csrf_page():
    client = Client(enforce_csrf_checks=True)
    for url in ("/matrix/", "/search/", reverse("sitemap"), reverse("robots-txt")):
        response = client.post(url, {"q": "x"})
        assert response.status_code == 405, url
        assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
        assert "CSRF" not in response.content.decode()
    # The admin still checks CSRF.
    assert client.post("/admin/login/", {"username": "x"}).status_code == 403


@pytest.mark.parametrize(
    "cookie",
    [
        "sessionid=garbage",
        "sessionid=" + "A" * 32,
        "csrftoken=garbage",
        "csrftoken=" + "!" * 32,
        "sessionid=x; csrftoken=y",
    ],
)
def test_garbage_session_or_csrf_cookies_on_a_public_page_set_no_cookie(cookie):
    make_claim()
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    client.get("/matrix/")  # cached for everyone anonymous
    response = client.get("/matrix/", HTTP_COOKIE=cookie)
    assert response.status_code == 200
    assert not response.cookies
    assert "ETag" in response  # served as the anonymous page it is


def test_a_real_session_is_still_a_session(superuser_client):
    response = superuser_client.get("/admin/")
    assert response.status_code == 200


def test_a_nul_in_a_csrf_cookie_gets_400_without_a_new_cookie():
    """Found by the fuzzer: the 400 page's view sets up a CSRF token and answered the bad
    cookie with a fresh one."""
    response = Client(raise_request_exception=False).get("/matrix/", HTTP_COOKIE="csrftoken=\x00")
    assert response.status_code == 400
    assert not response.cookies
