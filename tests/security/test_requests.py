"""What a request can change: admin writes need a CSRF token; the public site changes nothing
whatever the method, and sets no cookie at all, so its pages can be cached and shared. The
one exception, the readers' correction forms (urlmap.FORM_PAGES), is left out by name here and
tested in test_suggestion_input.py."""

from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from knowledge.models import Framework

from .forms import form_data
from .payloads import all_payloads
from .urlmap import read_only_urls

pytestmark = pytest.mark.django_db

WRITE_METHODS = ["post", "put", "patch", "delete"]


def database_snapshot():
    """Every row of every model, to compare before and after a request."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_models()
        if not model._meta.label.startswith(("sessions.", "axes."))
    }


def _public_urls(planted):
    # A few of each kind: enough to reach every view, few enough to snapshot around each.
    return [url for group in read_only_urls(planted).values() for url in group[:2]]


def test_no_public_url_changes_anything_on_post_put_patch_or_delete(planted):
    client = Client(raise_request_exception=False)
    before = database_snapshot()
    body = {"q": all_payloads()[0], "name": "x", "status": "published", "delete": "1"}
    for url in _public_urls(planted):
        for method in WRITE_METHODS:
            response = getattr(client, method)(url, body)
            assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
            assert not response.cookies, f"{method.upper()} {url} sets {list(response.cookies)}"
    assert database_snapshot() == before


def test_public_urls_answer_405_to_writes(planted):
    """Stricter than "changes nothing": a public view that takes only GET and HEAD
    (require_safe) cannot grow a write by accident, and says so to clients."""
    client = Client(raise_request_exception=False)
    accepted = {}
    for url in _public_urls(planted):
        for method in WRITE_METHODS:
            status = getattr(client, method)(url, {"q": "x"}).status_code
            if status != 405:
                accepted.setdefault(url, []).append(f"{method.upper()}→{status}")
    assert not accepted, f"public URLs that do not answer 405 to a write: {accepted}"


def test_public_urls_refuse_post_even_with_csrf_checks(planted):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    for url in _public_urls(planted):
        # 405 as without CSRF checks, not the CSRF 403 page (whose inline style the CSP blocks).
        assert client.post(url, {"q": "x"}).status_code == 405, url


def test_public_responses_set_no_cookie(planted):
    client = Client(raise_request_exception=False)
    urls = [url for group in read_only_urls(planted).values() for url in group[:3]]
    urls += [u + "?" + urlencode({"q": "django", "page": "2", "x": "<y>"}) for u in urls[:40]]
    urls += ["/no-such-page/", "/frameworks/no-such-framework/", "/claims/999999/"]
    urls += ["/search/?q=%00", "/matrix/?page=999999"]
    for url in urls:
        for response in (client.get(url), client.head(url)):
            assert "Set-Cookie" not in response.headers, url
            assert not response.cookies, f"{url} sets {list(response.cookies)}"


# -- Admin: CSRF ------------------------------------------------------------------------------


@pytest.fixture
def csrf_checking_admin(admin_user):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(admin_user)
    return client


def _add_framework_form(client):
    page = client.get(reverse("admin:knowledge_framework_add"))
    data = form_data(page.content.decode(), form_id="framework_form")
    data.update(name="Csrf Test", slug="csrf-test")
    return data


def test_admin_post_without_csrf_token_is_refused(csrf_checking_admin):
    data = _add_framework_form(csrf_checking_admin)
    del data["csrfmiddlewaretoken"]
    response = csrf_checking_admin.post(reverse("admin:knowledge_framework_add"), data)
    assert response.status_code == 403
    assert not Framework.objects.filter(slug="csrf-test").exists()


def test_admin_post_with_a_forged_csrf_token_is_refused(csrf_checking_admin):
    data = _add_framework_form(csrf_checking_admin)
    data["csrfmiddlewaretoken"] = "x" * 64
    response = csrf_checking_admin.post(reverse("admin:knowledge_framework_add"), data)
    assert response.status_code == 403
    assert not Framework.objects.filter(slug="csrf-test").exists()


def test_admin_post_with_the_pages_csrf_token_is_accepted(csrf_checking_admin):
    """The control: the same post with the token the form carried goes through."""
    data = _add_framework_form(csrf_checking_admin)
    response = csrf_checking_admin.post(reverse("admin:knowledge_framework_add"), data)
    assert response.status_code == 302
    assert Framework.objects.filter(slug="csrf-test").exists()


def test_admin_actions_and_deletes_without_csrf_token_are_refused(csrf_checking_admin, planted):
    claim = planted.claims[0]
    changelist = reverse("admin:knowledge_claim_changelist")
    response = csrf_checking_admin.post(
        changelist, {"action": "retract", "_selected_action": [claim.pk], "index": "0"}
    )
    assert response.status_code == 403
    delete = reverse("admin:knowledge_framework_delete", args=[planted.frameworks[0].pk])
    assert csrf_checking_admin.post(delete, {"post": "yes"}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == "published"
    assert Framework.objects.filter(pk=planted.frameworks[0].pk).exists()


def test_admin_login_and_logout_need_a_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    login = client.post(reverse("admin:login"), {"username": "admin", "password": "password"})
    assert login.status_code == 403
    client.force_login(admin_user)
    assert client.post(reverse("admin:logout")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 200  # still logged in


def test_a_logged_in_curator_sees_the_same_public_pages_and_gets_no_cookie(planted):
    """Public pages are cached and shared: nothing of the visitor may get into them."""
    user = get_user_model().objects.create_superuser("zq-curator-7", "zq@example.org", "x")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for url in [url for group in read_only_urls(planted).values() for url in group[:1]]:
        response = client.get(url)
        assert not response.cookies, f"{url} sets {list(response.cookies)}"
        body = response.content.decode(errors="replace")
        assert "zq-curator-7" not in body, url
        assert "csrfmiddlewaretoken" not in body, url


def test_a_forged_host_header_is_refused_not_crashed(planted):
    client = Client(raise_request_exception=False)
    for url in ["/", reverse("comparisons:claims-feed"), "/sitemap.xml", "/robots.txt"]:
        response = client.get(url, HTTP_HOST="evil.example")
        assert response.status_code == 400, url
        assert b"evil.example" not in response.content
