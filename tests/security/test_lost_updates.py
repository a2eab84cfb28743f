"""The claim form's optimistic lock, end to end through the admin, and against a forged or
broken `version`: a stale or hostile version is refused with the form shown again, never
a 500, and the other curator's save is kept."""

import pytest
from django.test import Client
from django.urls import reverse

from knowledge.models import Claim
from tests.factories import make_claim

from .forms import form_data

pytestmark = pytest.mark.django_db

HOSTILE_VERSIONS = [
    "",
    "garbage",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "2026-01-01T00:00:00",  # naive
    "2026-13-45T99:99:99+00:00",
    "1" * 5000,
    "2026-01-01T00:00:00+00:00' OR '1'='1",
    "\x00",
]


@pytest.fixture
def curators(admin_user, django_user_model):
    other = django_user_model.objects.create_superuser("other", "o@example.org", "x")
    clients = []
    for user in (admin_user, other):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    return clients


def _open(client, claim):
    url = reverse("admin:knowledge_claim_change", args=[claim.pk])
    return url, form_data(client.get(url).content.decode(), form_id="claim_form")


def test_the_second_of_two_concurrent_saves_is_refused_and_the_first_kept(curators):
    claim = make_claim(statement="Original.")
    first, second = curators
    url, form_first = _open(first, claim)
    _, form_second = _open(second, claim)
    assert first.post(url, {**form_first, "statement": "First."}).status_code == 302
    response = second.post(url, {**form_second, "statement": "Second."})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Claim.objects.get(pk=claim.pk).statement == "First."


@pytest.mark.parametrize("version", HOSTILE_VERSIONS)
def test_a_forged_version_is_refused_without_a_crash(curators, version):
    claim = make_claim(statement="Original.")
    client = curators[0]
    url, form = _open(client, claim)
    assert form["version"], "the form carries the version it was opened on"
    response = client.post(url, {**form, "version": version, "statement": "Forged."})
    if "\x00" in version:
        # The admin site answers any NUL with 400 before a form sees it (admin_site.py).
        assert response.status_code == 400, response.status_code
    else:
        assert response.status_code == 200, response.status_code
        assert response.context["adminform"].form.non_field_errors()
    assert Claim.objects.get(pk=claim.pk).statement == "Original."
