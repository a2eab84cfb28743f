"""The public correction form, read and sent through the real pages."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from knowledge.models import ClaimStatus, SupportLevel
from suggestions.models import Suggestion, SuggestionStatus
from tests.factories import make_claim, make_feature, make_framework, make_scale

from .pages import VALID, cell_form_url, claim_form_url, offered, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    return make_claim(support=SupportLevel.NO, statement="No ORM.")


def hrefs(html):
    return re.findall(r'href="([^"]*)"', html)


def test_the_claim_page_links_its_correction_form(client, claim):
    html = client.get(claim.get_absolute_url()).content.decode()
    assert claim_form_url(claim) in hrefs(html)
    assert "Suggest a correction" in html


def test_a_cell_without_claim_links_the_form_of_its_cell_from_the_feature_page(client, claim):
    """The matrix's empty cell has no link; its row leads to the feature page, which lists
    every framework, the empty ones with a link to the form of exactly that cell."""
    empty = make_framework(name="Empty One", slug="empty-one")
    html = client.get(claim.feature.get_absolute_url()).content.decode()
    links = [link.replace("&amp;", "&") for link in hrefs(html)]
    assert cell_form_url(empty, claim.feature) in links
    # The framework that has a claim is corrected from its claim page instead.
    assert cell_form_url(claim.framework, claim.feature) not in links


def test_the_form_offers_the_support_levels_of_a_capability(client, claim):
    page = client.get(claim_form_url(claim))
    assert page.status_code == 200
    assert offered(page.content.decode()) == dict(SupportLevel.choices)


def test_the_form_offers_a_descriptors_own_values_and_unknown(client):
    feature, values = make_scale(["Full stack", "Micro"])
    make_scale(["Other value"])  # another feature's values are not offered
    claim = make_claim(feature=feature, feature_value=values[0])
    page = client.get(claim_form_url(claim)).content.decode()
    expected = {str(v.pk): v.label for v in values} | {"unknown": "Unknown"}
    assert offered(page) == expected
    assert "Full stack" in page  # what the claim says now


def test_sending_the_form_stores_a_new_suggestion_and_redirects_to_thanks(client, claim):
    response = submit(client, claim_form_url(claim), email="reader@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("suggestions:thanks")
    [suggestion] = Suggestion.objects.all()
    assert (suggestion.framework, suggestion.feature, suggestion.claim) == (
        claim.framework,
        claim.feature,
        claim,
    )
    assert suggestion.status == SuggestionStatus.NEW
    assert suggestion.problem == VALID["problem"]
    assert (suggestion.support, suggestion.feature_value) == ("yes", None)
    assert (suggestion.source_url, suggestion.quote) == (VALID["source_url"], VALID["quote"])
    assert suggestion.email == "reader@example.org"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "A curator will review it" in thanks.content.decode()
    assert not thanks.cookies
    # Nothing a reader sends changes a public page.
    claim.refresh_from_db()
    assert claim.support == SupportLevel.NO
    assert VALID["quote"] not in client.get(claim.get_absolute_url()).content.decode()


def test_a_descriptor_value_is_stored_as_the_value(client):
    feature, values = make_scale(["Full stack", "Micro"])
    claim = make_claim(feature=feature, feature_value=values[0])
    response = submit(client, claim_form_url(claim), suggested=str(values[1].pk))
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.support, suggestion.feature_value) == ("", values[1])


@pytest.mark.parametrize("answer", ["yes", "n/a", "other-feature-value"])
def test_an_answer_the_feature_cannot_take_is_refused(client, answer):
    feature, values = make_scale(["Full stack", "Micro"])
    _, others = make_scale(["Other value"])
    claim = make_claim(feature=feature, feature_value=values[0])
    if answer == "other-feature-value":
        answer = str(others[0].pk)
    response = submit(client, claim_form_url(claim), suggested=answer)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_a_cell_with_no_claim_can_be_corrected_through_the_cell_form(client):
    framework, feature = make_framework(), make_feature()
    url = cell_form_url(framework, feature)
    assert "No claim of this cell" in client.get(url).content.decode()
    assert submit(client, url, suggested="extension").status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.framework, suggestion.feature, suggestion.claim) == (
        framework,
        feature,
        None,
    )
    assert suggestion.support == "extension"


def test_the_cell_form_needs_a_real_framework_and_feature(client, claim):
    base = reverse("suggestions:cell")
    slugs = f"framework={claim.framework.slug}&feature={claim.feature.slug}"
    assert client.get(base).status_code == 200
    assert "Which framework and feature?" in client.get(base).content.decode()
    assert client.post(base, VALID).status_code == 200
    assert client.get(f"{base}?feature={claim.feature.slug}").status_code == 400
    assert client.get(f"{base}?framework={claim.framework.slug}").status_code == 400
    assert client.get(f"{base}?{slugs.replace(claim.feature.slug, 'nope')}").status_code == 404
    assert client.get(f"{base}?framework=%00&feature={claim.feature.slug}").status_code == 404
    assert client.post(f"{base}?framework=nope&feature=nope", VALID).status_code == 404
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("status", [ClaimStatus.DRAFT, ClaimStatus.REVIEW, ClaimStatus.RETRACTED])
def test_a_claim_not_published_has_no_form(client, status):
    hidden = make_claim(status=status, statement="HIDDEN")
    assert client.get(claim_form_url(hidden)).status_code == 404
    assert client.post(claim_form_url(hidden), VALID).status_code == 404
    assert not Suggestion.objects.exists()


def test_the_form_page_alone_sets_a_cookie_and_is_never_cached(client, claim):
    """The form carries a CSRF token, so its page sets the CSRF cookie and must never be
    stored by the page cache (which serves the comparisons namespace only) nor by a browser
    or proxy; the claim page it is linked from stays cookieless and cacheable."""
    for _ in range(2):
        page = client.get(claim_form_url(claim))
        assert "csrftoken" in page.cookies
        assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
        assert not page.has_header("ETag")
        assert "csrfmiddlewaretoken" in page.content.decode()
    claim_page = client.get(claim.get_absolute_url())
    assert not claim_page.cookies
    assert claim_page.has_header("ETag")


def test_gets_of_the_form_count_as_fresh_renders(client, claim, settings):
    """Every rendering of the form is fresh, so it counts against the address's render
    limit as a page-cache miss does: a crawler cannot render it without end."""
    settings.PAGE_RENDER_LIMIT = 3
    statuses = [client.get(claim_form_url(claim)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    cache.clear()
    assert client.get(claim_form_url(claim)).status_code == 200


def test_invalid_posts_count_as_fresh_renders_too(client, claim, settings):
    """The form sent back with its errors is rendered afresh: a client posting junk is held
    to the same limit as one reloading the form, and the junk is never stored."""
    settings.PAGE_RENDER_LIMIT = 3
    assert submit(client, claim_form_url(claim), source_url="ftp://x").status_code == 400
    statuses = [
        client.post(claim_form_url(claim), {"source_url": "ftp://x"}).status_code for _ in range(2)
    ]
    assert statuses == [400, 429]
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("size", [2, 40])
def test_the_form_runs_the_same_queries_whatever_the_feature_offers(
    client, size, django_assert_max_num_queries
):
    """Guards against a query per offered value: the claim with its cell, then the values."""
    feature, values = make_scale([f"Value {n}" for n in range(size)])
    claim = make_claim(feature=feature, feature_value=values[0])
    make_claim(framework=claim.framework, key="other", feature=feature, feature_value=values[1])
    with django_assert_max_num_queries(2):
        page = client.get(claim_form_url(claim))
    assert len(offered(page.content.decode())) == size + 1
