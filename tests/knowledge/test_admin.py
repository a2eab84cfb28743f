"""The curators' admin, through the test client: rules refused with messages, not 500s."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from comparisons.models import Comparison
from knowledge.models import Citation, Claim, ClaimRank, ClaimStatus, Source
from tests.factories import (
    make_category,
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_source,
)
from tests.knowledge.admin_helpers import change_url, form_data, make_rival_claims

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def curator_client(client):
    """A logged-in superuser; force_login because axes needs a request to authenticate."""
    user = get_user_model().objects.create_superuser("alice", "alice@example.org", "x")
    client.force_login(user)
    return client


# -- The publish rule on the claim form -------------------------------------------------------


def test_publishing_a_claim_without_citation_on_its_form_is_refused(curator_client):
    claim = make_claim(citations=0, status=ClaimStatus.DRAFT)
    data = form_data(curator_client.get(change_url(claim)))
    data["status"] = ClaimStatus.PUBLISHED
    response = curator_client.post(change_url(claim), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be published without at least one citation" in html
    # At the top of the form, before its first field, not only at the citations below.
    top = html[html.index('class="errornote"') : html.index('name="framework"')]
    assert "cannot be published without at least one citation" in top
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT


def test_adding_a_published_claim_with_a_citation_in_the_inline_saves_both(curator_client):
    framework, feature, source = make_framework(), make_feature(), make_source()
    add_url = reverse("admin:knowledge_claim_add")
    data = form_data(curator_client.get(add_url))
    data.update(
        {
            "framework": framework.pk,
            "feature": feature.pk,
            "key": "docs",
            "support": "yes",
            "status": ClaimStatus.PUBLISHED,
            "rank": ClaimRank.PREFERRED,
            "citations-0-source": source.pk,
            "citations-0-quote": "It is built in.",
        }
    )
    response = curator_client.post(add_url, data)
    assert response.status_code == 302, response.context["errors"]
    claim = Claim.objects.get(framework=framework, feature=feature)
    assert claim.status == ClaimStatus.PUBLISHED
    assert claim.citations.get().source == source


def test_adding_a_published_claim_without_citation_saves_nothing(curator_client):
    add_url = reverse("admin:knowledge_claim_add")
    data = form_data(curator_client.get(add_url))
    data.update(
        {
            "framework": make_framework().pk,
            "feature": make_feature().pk,
            "key": "main",
            "status": ClaimStatus.PUBLISHED,
        }
    )
    response = curator_client.post(add_url, data)
    assert response.status_code == 200
    assert "cannot be published without at least one citation" in response.content.decode()
    assert not Claim.objects.exists()


def test_deleting_the_last_citation_of_a_published_claim_in_the_inline_is_refused(
    curator_client,
):
    claim = make_claim(citations=1)
    data = form_data(curator_client.get(change_url(claim)))
    data["citations-0-DELETE"] = "on"
    response = curator_client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "cannot be published without at least one citation" in response.content.decode()
    assert claim.citations.count() == 1


def test_deleting_one_of_two_citations_of_a_published_claim_is_allowed(curator_client):
    claim = make_claim(citations=2)
    data = form_data(curator_client.get(change_url(claim)))
    data["citations-0-DELETE"] = "on"
    response = curator_client.post(change_url(claim), data)
    assert response.status_code == 302
    assert claim.citations.count() == 1


def test_a_second_preferred_published_claim_is_refused_on_the_form(curator_client):
    framework, feature = make_framework(), make_feature()
    first = make_claim(framework=framework, feature=feature, key="a", rank=ClaimRank.PREFERRED)
    second = make_claim(framework=framework, feature=feature, key="b", status=ClaimStatus.DRAFT)
    data = form_data(curator_client.get(change_url(second)))
    data.update({"status": ClaimStatus.PUBLISHED, "rank": ClaimRank.PREFERRED})
    response = curator_client.post(change_url(second), data)
    assert response.status_code == 200
    # The refusal names the claim already preferred, the one to demote.
    assert f"{framework.name} · {feature.name} (a) is already the preferred published claim" in (
        response.content.decode()
    )
    assert str(first) == f"{framework.name} · {feature.name} (a)"
    second.refresh_from_db()
    assert second.status == ClaimStatus.DRAFT


# -- Bulk actions -----------------------------------------------------------------------------


def run_action(client, action, claims):
    return client.post(
        reverse("admin:knowledge_claim_changelist"),
        {"action": action, "_selected_action": [claim.pk for claim in claims]},
        follow=True,
    )


def test_bulk_publish_refuses_unsourced_and_rival_claims_and_publishes_the_rest(
    curator_client,
):
    ok, rival = make_rival_claims(
        framework=make_framework(name="Djangoish"), feature=make_feature(name="Admin")
    )
    unsourced = make_claim(citations=0, status=ClaimStatus.DRAFT, support="unknown")
    response = run_action(curator_client, "publish", [ok, rival, unsourced])
    assert response.status_code == 200
    texts = messages_of(response)
    assert "1 claim(s) published." in texts
    [refusal] = [text for text in texts if "were not published" in text]
    assert refusal.startswith("2 claim(s) were not published")
    assert f"{unsourced}</a>: A claim cannot be published without at least one citation" in (
        refusal
    )
    # Named by cell and key, never by number: the refused claim, and the one preferred already.
    assert "Djangoish · Admin (b)</a>: Djangoish · Admin (a) is already the preferred" in refusal
    assert "#" not in refusal.replace("&#x27;", "")
    assert reverse("admin:knowledge_claim_change", args=[rival.pk]) in refusal
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses == {
        ok.pk: ClaimStatus.PUBLISHED,
        rival.pk: ClaimStatus.REVIEW,
        unsourced.pk: ClaimStatus.DRAFT,
    }


def test_bulk_send_to_review_and_retract(curator_client):
    claims = [make_claim(), make_claim()]
    response = run_action(curator_client, "send_to_review", claims)
    assert "2 claim(s) sent to review." in messages_of(response)
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.REVIEW}
    response = run_action(curator_client, "retract", claims[:1])
    assert "1 claim(s) retracted." in messages_of(response)
    assert Claim.objects.get(pk=claims[0].pk).status == ClaimStatus.RETRACTED


# -- Sources: cited ones are not deleted; the change page lists the citing claims -------------


def test_deleting_a_cited_source_is_refused_with_the_citing_claims(curator_client):
    source = make_source(title="Django docs")
    claim = make_claim(citations=0, framework=make_framework(name="Django"))
    make_citation(claim=claim, source=source)
    delete_url = reverse("admin:knowledge_source_delete", args=[source.pk])
    for response in (
        curator_client.get(delete_url, follow=True),
        curator_client.post(delete_url, {"post": "yes"}, follow=True),
    ):
        assert response.status_code == 200
        [text] = messages_of(response)
        assert "cannot be deleted" in text
        assert "“Django docs” is cited by 1 claim(s)" in text
        assert f"{claim}" in text and f"#{claim.pk}" not in text
        assert change_url(claim) in text
    assert Source.objects.filter(pk=source.pk).exists()


def test_bulk_deleting_sources_refuses_when_any_is_cited_and_deletes_nothing(curator_client):
    cited, uncited = make_source(title="Cited"), make_source(title="Uncited")
    claim = make_claim(citations=0)
    make_citation(claim=claim, source=cited)
    response = curator_client.post(
        reverse("admin:knowledge_source_changelist"),
        {"action": "delete_selected", "_selected_action": [cited.pk, uncited.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    [text] = messages_of(response)
    assert "“Cited” is cited by 1 claim(s)" in text
    assert change_url(claim) in text
    assert Source.objects.count() == 2


def test_uncited_sources_are_deleted_as_usual(curator_client):
    source = make_source()
    delete_url = reverse("admin:knowledge_source_delete", args=[source.pk])
    response = curator_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not Source.objects.exists()


def test_source_page_lists_citing_claims_as_escaped_links(curator_client):
    source = make_source()
    claim = make_claim(citations=0, framework=make_framework(name="<b>Evil</b>"))
    make_citation(claim=claim, source=source)
    content = curator_client.get(change_url(source)).content.decode()
    assert f'<a href="{change_url(claim)}">&lt;b&gt;Evil&lt;/b&gt; · ' in content
    assert "<b>Evil</b>" not in content
    assert f"?source={source.pk}" in content


def test_source_changelist_counts_citing_claims_and_sorts_by_it(curator_client):
    busy = make_source(title="Busy")
    make_source(title="Quiet")
    for _ in range(3):
        make_citation(source=busy)
    changelist = reverse("admin:knowledge_source_changelist")
    column = 5  # list_display position of claim_count, 1-based
    response = curator_client.get(changelist, {"o": f"-{column}"})
    rows = list(response.context["cl"].result_list)
    assert [(s.title, s.claim_count) for s in rows] == [("Busy", 3), ("Quiet", 0)]
    response = curator_client.get(changelist, {"o": str(column)})
    assert [s.title for s in response.context["cl"].result_list] == ["Quiet", "Busy"]


def test_claims_list_filters_by_cited_source(curator_client):
    source = make_source()
    citing = make_claim(citations=0)
    make_citation(claim=citing, source=source)
    make_claim()
    response = curator_client.get(
        reverse("admin:knowledge_claim_changelist"), {"source": source.pk}
    )
    assert [c.pk for c in response.context["cl"].result_list] == [citing.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cited": "no"}, {"unsourced"}),
        ({"cited": "yes"}, {"docs", "survey"}),
        ({"source_kind": "survey"}, {"survey"}),
        ({"status__exact": "draft"}, {"unsourced"}),
        ({"support__exact": "no"}, {"survey"}),
    ],
)
def test_claims_list_filters(curator_client, params, expected):
    make_claim(key="docs")
    survey = make_claim(key="survey", citations=0, support="no")
    make_citation(claim=survey, source=make_source(kind="survey"))
    make_claim(key="unsourced", citations=0, status=ClaimStatus.DRAFT)
    response = curator_client.get(reverse("admin:knowledge_claim_changelist"), params)
    assert {c.key for c in response.context["cl"].result_list} == expected


def test_claims_list_filters_by_framework_and_feature_category(curator_client):
    framework, category = make_framework(), make_category()
    wanted = make_claim(framework=framework, feature=make_feature(category=category))
    make_claim()
    changelist = reverse("admin:knowledge_claim_changelist")
    for params in (
        {"framework__id__exact": framework.pk},
        {"feature__category__id__exact": category.pk},
    ):
        response = curator_client.get(changelist, params)
        assert [c.pk for c in response.context["cl"].result_list] == [wanted.pk]


# -- Citations edited on their own ------------------------------------------------------------


def test_deleting_the_only_citation_of_a_published_claim_in_the_citation_admin_is_refused(
    curator_client,
):
    claim = make_claim(citations=1)
    citation = claim.citations.get()
    delete_url = reverse("admin:knowledge_citation_delete", args=[citation.pk])
    response = curator_client.post(delete_url, {"post": "yes"}, follow=True)
    [text] = messages_of(response)
    assert "without at least one citation" in text and change_url(claim) in text
    response = curator_client.post(
        reverse("admin:knowledge_citation_changelist"),
        {"action": "delete_selected", "_selected_action": [citation.pk], "post": "yes"},
        follow=True,
    )
    assert "without at least one citation" in messages_of(response)[0]
    assert Citation.objects.filter(pk=citation.pk).exists()


# -- No lost updates --------------------------------------------------------------------------


def test_a_second_curator_saving_a_stale_claim_is_refused_with_what_changed(client):
    users = get_user_model().objects
    alice = users.create_superuser("alice", "alice@example.org", "x")
    bob = users.create_superuser("bob", "bob@example.org", "x")
    claim = make_claim(support="yes", statement="Ships an admin.")
    url = change_url(claim)

    client.force_login(alice)
    alice_data = form_data(client.get(url))
    client.force_login(bob)
    bob_data = form_data(client.get(url))

    client.force_login(alice)
    alice_data.update({"support": "partial", "statement": "Ships a partial admin."})
    assert client.post(url, alice_data).status_code == 302

    client.force_login(bob)
    bob_data["value"] = "contrib.admin"
    response = client.post(url, bob_data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Another curator (alice) changed this claim at" in content
    assert "support level: “Built in” → “Partial”" in content
    assert "statement: “Ships an admin.” → “Ships a partial admin.”" in content
    assert "value:" not in content.split("What changed meanwhile")[1].split("</ul>")[0]
    claim.refresh_from_db()
    assert (claim.support, claim.value) == ("partial", "")

    # Bob has seen the change; saving again on purpose replaces Alice's values with his.
    response = client.post(url, form_data(response))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.support, claim.value) == ("yes", "contrib.admin")


def test_a_form_without_its_version_is_refused(curator_client):
    claim = make_claim()
    data = form_data(curator_client.get(change_url(claim)))
    data["version"] = "not a date"
    response = curator_client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "which version of the claim" in response.content.decode()


def test_claim_history_is_shown(curator_client):
    claim = make_claim(status=ClaimStatus.DRAFT)
    claim.status = ClaimStatus.REVIEW
    claim.save()
    response = curator_client.get(reverse("admin:knowledge_claim_history", args=[claim.pk]))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 2


def test_a_historical_version_is_shown_but_cannot_be_reverted_to(curator_client):
    """A revert would save the claim without its citations inline (no publish rule)."""
    claim = make_claim(citations=1, status=ClaimStatus.DRAFT)
    claim.citations.all().delete()
    claim.status = ClaimStatus.REVIEW
    claim.save()
    draft = claim.history.earliest()
    url = reverse("admin:knowledge_claim_simple_history", args=[claim.pk, draft.history_id])
    response = curator_client.get(url)
    assert response.status_code == 200
    assert "Revert" not in response.content.decode()
    data = form_data(response)
    data["status"] = ClaimStatus.PUBLISHED
    assert curator_client.post(url, data).status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVIEW


# -- Comparisons ------------------------------------------------------------------------------


def test_a_comparison_is_added_with_its_frameworks_in_order(curator_client):
    flask, django = make_framework(name="Flask"), make_framework(name="Django")
    add_url = reverse("admin:comparisons_comparison_add")
    data = form_data(curator_client.get(add_url))
    data.update(
        {
            "title": "Django vs Flask",
            "slug": "django-vs-flask",
            "entries-0-framework": django.pk,
            "entries-0-order": 1,
            "entries-1-framework": flask.pk,
            "entries-1-order": 2,
        }
    )
    response = curator_client.post(add_url, data)
    assert response.status_code == 302, response.context["errors"]
    comparison = Comparison.objects.get()
    assert [entry.framework.name for entry in comparison.entries.all()] == ["Django", "Flask"]


def test_every_page_of_a_stale_source_renders(curator_client):
    source = make_source(accessed_date=date(2001, 1, 1))
    for url in (
        reverse("admin:knowledge_source_changelist"),
        change_url(source),
        reverse("admin:knowledge_source_add"),
    ):
        assert curator_client.get(url).status_code == 200


# -- Names ------------------------------------------------------------------------------------


def test_admin_pages_name_a_claim_by_its_cell_and_key_never_by_number(curator_client):
    """Claim.__str__ reads no relation itself: the admin's querysets select the framework and
    feature, so every page that names a claim names it by its cell."""
    claim = make_claim(framework=make_framework(name="Django"), feature=make_feature(name="ORM"))
    citation = claim.citations.get()
    name = "Django · ORM (main)"
    urls = [
        change_url(claim),
        reverse("admin:knowledge_claim_history", args=[claim.pk]),
        reverse(
            "admin:knowledge_claim_simple_history",
            args=[claim.pk, claim.history.earliest().history_id],
        ),
        reverse("admin:knowledge_claim_delete", args=[claim.pk]),
        reverse("admin:knowledge_claim_changelist"),
        reverse("admin:knowledge_citation_change", args=[citation.pk]),
        reverse("admin:knowledge_citation_changelist"),
    ]
    for url in urls:
        page = curator_client.get(url).content.decode()
        assert name in page, url
        assert "claim “main”" not in page and f"laim #{claim.pk}" not in page, url
    autocomplete = curator_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "knowledge", "model_name": "citation", "field_name": "claim", "term": "Dj"},
    ).json()
    assert [result["text"] for result in autocomplete["results"]] == [name]
