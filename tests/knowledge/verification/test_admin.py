"""Verification in the curators' admin: filters, the archive inline, "Check these sources now"."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from knowledge.models import CitationVerification, SourceArchive
from knowledge.verification.admin import CHECK_NOW_LIMIT
from tests.factories import make_citation, make_source, make_verification
from tests.knowledge.admin_helpers import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser("alice", "alice@example.org", "x")
    client.force_login(user)
    return client


def listed(response):
    return {obj.pk for obj in response.context["cl"].result_list}


def test_citations_are_filtered_by_the_status_of_their_last_check(curator_client):
    verified = make_verification(status="verified").citation
    lost = make_verification(status="not_found").citation
    never = make_citation()
    url = reverse("admin:knowledge_citation_changelist")
    assert listed(curator_client.get(url, {"verification": "verified"})) == {verified.pk}
    assert listed(curator_client.get(url, {"verification": "not_found"})) == {lost.pk}
    assert listed(curator_client.get(url, {"verification": "unchecked"})) == {never.pk}
    page = curator_client.get(url).content.decode()
    assert "Not found" in page and "Unchecked" in page


def test_sources_are_filtered_by_their_citations_checks(curator_client):
    lost = make_verification(status="not_found").citation.source
    make_verification(status="verified")
    url = reverse("admin:knowledge_source_changelist")
    assert listed(curator_client.get(url, {"verification": "not_found"})) == {lost.pk}


def test_the_citation_page_shows_the_last_check_and_its_passage(curator_client):
    check = make_verification(status="reworded", score=91.5, passage="Nearly <the> quote")
    page = curator_client.get(change_url(check.citation)).content.decode()
    assert "Reworded on" in page and "Found: “Nearly &lt;the&gt; quote”" in page


def test_a_curator_attaches_a_text_snapshot_to_a_source_without_url(curator_client):
    source = make_source(url="")
    data = form_data(curator_client.get(change_url(source)))
    data["archive-TOTAL_FORMS"] = "1"
    data["archive-0-source"] = str(source.pk)
    data["archive-0-text"] = "The full text of the article."
    data["archive-0-url"] = "web.archive.org/web/2025/https://example.org/a"
    response = curator_client.post(change_url(source), data, follow=True)
    assert response.status_code == 200
    archive = SourceArchive.objects.get(source=source)
    assert archive.text == "The full text of the article."
    assert archive.url == "https://web.archive.org/web/2025/https://example.org/a"


def run_check_now(client, sources):
    return client.post(
        reverse("admin:knowledge_source_changelist"),
        {"action": "check_sources_now", "_selected_action": [s.pk for s in sources]},
        follow=True,
    )


def test_check_these_sources_now_checks_them_and_says_what_it_found(curator_client, site):
    found = make_citation(source=make_source(url=site.page("/a/", "<p>The quote is here.</p>")))
    found.quote = "The quote is here."
    found.save()
    gone = make_citation(source=make_source(url=site.page("/b/", "", status=404)))
    response = run_check_now(curator_client, [found.source, gone.source])
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["2 source(s) checked: 1 verified, 1 unreachable."]
    statuses = dict(CitationVerification.objects.values_list("citation_id", "status"))
    assert statuses == {found.pk: "verified", gone.pk: "unreachable"}


def test_check_these_sources_now_refuses_too_many_at_once_and_checks_nothing(curator_client):
    sources = [make_citation().source for _ in range(CHECK_NOW_LIMIT + 1)]
    response = run_check_now(curator_client, sources)
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(f"Select at most {CHECK_NOW_LIMIT} sources")
    assert not CitationVerification.objects.exists()
