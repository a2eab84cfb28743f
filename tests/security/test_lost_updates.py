"""The claim form's optimistic lock, end to end through the admin, and against a forged or
broken `version`: a stale or hostile version is refused with the form shown again, never
a 500, and the other curator's save is kept."""

import pytest
from django.urls import reverse

from knowledge.models import Claim
from tests.factories import make_citation, make_claim

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


# -- the claim together with its citations ----------------------------------------------------


def _edit_citation_on_its_page(client, citation, **changes):
    url = reverse("admin:knowledge_citation_change", args=[citation.pk])
    data = form_data(client.get(url).content.decode(), form_id="citation_form")
    assert client.post(url, {**data, **changes}).status_code == 302


def test_a_citation_edited_on_its_own_page_is_not_reverted_by_an_older_claim_form(curators):
    """B opens a claim (never edited in the admin); A edits one of its citations on the
    citation's page; B's save of the claim, inline included, is refused with the change shown."""
    claim = make_claim(statement="Original.")
    citation = claim.citations.get()
    first, second = curators
    url, form_b = _open(second, claim)
    _edit_citation_on_its_page(first, citation, quote="Quote as A corrected it.")

    response = second.post(url, {**form_b, "statement": "B's statement."})

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "Its citations changed meanwhile" in errors
    assert f"citation #{citation.pk}" in errors and "Quote as A corrected it." in errors
    citation.refresh_from_db()
    assert citation.quote == "Quote as A corrected it."
    assert Claim.objects.get(pk=claim.pk).statement == "Original."


@pytest.mark.parametrize("change", ["deleted", "added"])
def test_a_citation_deleted_or_added_meanwhile_refuses_the_older_claim_form(curators, change):
    claim = make_claim(citations=2, statement="Original.")
    first, second = curators
    url, form_b = _open(second, claim)
    if change == "deleted":
        gone = claim.citations.first()
        delete_url = reverse("admin:knowledge_citation_delete", args=[gone.pk])
        assert first.post(delete_url, {"post": "yes"}).status_code == 302
    else:
        make_citation(claim=claim, quote="A new passage.")

    response = second.post(url, {**form_b, "statement": "B's statement."})

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert f"{change} by another curator" in errors
    assert Claim.objects.get(pk=claim.pk).statement == "Original."
    # Having seen the change, B can save on purpose.
    retry = form_data(response.content.decode(), form_id="claim_form")
    if change == "deleted":
        retry = {k: v for k, v in retry.items() if not k.startswith("citations-")}
        retry.update({"citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0"})
    assert second.post(url, {**retry, "statement": "B's statement."}).status_code == 302
    assert Claim.objects.get(pk=claim.pk).statement == "B's statement."


def test_an_unchanged_claim_and_citations_save_without_a_conflict(curators):
    claim = make_claim(statement="Original.")
    url, form = _open(curators[0], claim)
    assert curators[0].post(url, {**form, "statement": "Changed."}).status_code == 302
