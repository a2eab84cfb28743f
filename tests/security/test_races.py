"""The citation rule under a race: curator A publishes a claim that has one citation (through
its change form, or the *Publish* action) while curator B deletes that citation on its own
admin page. Exactly one of them wins, and no round ends with a published claim without a
citation.

The threaded test needs two real database connections that block on each other's row locks,
so it runs on PostgreSQL (CI's PostgreSQL leg). The same interleavings, one step after the
other, run on both databases below it: a publish after the citation went, and a delete after
the claim was published, each checked again under the claim's lock.
"""

import json
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from knowledge import services
from knowledge.models import Citation, Claim, ClaimStatus
from tests.factories import make_claim, make_feature, make_framework, make_source

from .forms import form_data

ROUNDS = 100


def _claim_in_review():
    return make_claim(citations=1, status=ClaimStatus.REVIEW)


def _open_claim_form(client, claim):
    url = reverse("admin:knowledge_claim_change", args=[claim.pk])
    data = form_data(client.get(url).content.decode(), form_id="claim_form")
    data["status"] = ClaimStatus.PUBLISHED
    return url, data


def _publish_by_action(client, claim):
    return client.post(
        reverse("admin:knowledge_claim_changelist"),
        {"action": "publish", "_selected_action": [claim.pk]},
    )


def _delete_citation(client, citation):
    url = reverse("admin:knowledge_citation_delete", args=[citation.pk])
    return client.post(url, {"post": "yes"})


def _at_once(**requests):
    """Run each request in a thread of its own (its own database connection), all released at
    the same moment; their responses by name."""
    start = threading.Barrier(len(requests))
    responses = {}

    def run(name, request):
        try:
            start.wait()
            responses[name] = request()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in requests.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def _published_uncited():
    return Claim.objects.published().without_citation().count()


def _outcome(claim, citation):
    """'published' (A won), 'deleted' (B won), or what went wrong."""
    published = Claim.objects.get(pk=claim.pk).status == ClaimStatus.PUBLISHED
    cited = Citation.objects.filter(pk=citation.pk).exists()
    if published and cited:
        return "published"
    if not published and not cited:
        return "deleted"
    return "published without its citation" if published else "neither"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two connections that wait on each other's row locks (PostgreSQL leg); "
    "the SQLite path is covered by the step-by-step tests below",
)
def test_publishing_while_the_citation_is_deleted_never_leaves_a_published_uncited_claim(
    curators,
):
    first, second = curators
    outcomes = []
    statuses = []
    for round_number in range(ROUNDS):
        claim = _claim_in_review()
        citation = claim.citations.get()
        if round_number % 2:
            url, data = _open_claim_form(first, claim)

            def publish(url=url, data=data):
                return first.post(url, data)
        else:

            def publish(claim=claim):
                return _publish_by_action(first, claim)

        responses = _at_once(publish=publish, delete=lambda c=citation: _delete_citation(second, c))
        statuses.append((responses["publish"].status_code, responses["delete"].status_code))
        outcomes.append(_outcome(claim, citation))

    assert _published_uncited() == 0
    # Every request got an answer (a redirect, or the form shown again), never a 500.
    assert all(code in (200, 302) for pair in statuses for code in pair), statuses
    # Each round, exactly one curator's change went through.
    assert set(outcomes) <= {"published", "deleted"}, outcomes


# -- the same interleavings, one step after the other (both databases) ------------------------


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_a_claim_form_opened_before_its_citation_was_deleted_cannot_publish_it(curators):
    first, second = curators
    claim = _claim_in_review()
    url, data = _open_claim_form(first, claim)
    assert _delete_citation(second, claim.citations.get()).status_code == 302

    response = first.post(url, data)

    assert response.status_code == 200
    assert services.UNSOURCED_MESSAGE in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.REVIEW


@pytest.mark.django_db
def test_a_claim_loaded_before_its_citation_was_deleted_is_not_published_by_the_service():
    claim = _claim_in_review()
    services.citations_delete(list(claim.citations.all()))

    result = services.claims_set_status(claims=[claim], status=ClaimStatus.PUBLISHED)

    assert result.refused and not result.changed
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.REVIEW


@pytest.mark.django_db
def test_a_citation_read_before_its_claim_was_published_is_not_deleted(curators):
    claim = _claim_in_review()
    citation = claim.citations.get()
    services.claim_publish(claim=claim)

    with pytest.raises(services.LastCitationProtected):
        services.citations_delete([citation])

    assert Citation.objects.filter(pk=citation.pk).exists()


# -- PostgreSQL's own refusal (migration 0002), whatever path wrote ---------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the deferred trigger exists on PostgreSQL only"
)


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["publish uncited", "delete last citation", "move citation"])
def test_postgresql_refuses_a_commit_that_leaves_a_published_claim_uncited(write):
    claim = make_claim(citations=1)
    citation = claim.citations.get()
    draft = make_claim(citations=0, status=ClaimStatus.DRAFT)
    with pytest.raises(IntegrityError, match=services.CITATION_RULE), transaction.atomic():
        if write == "publish uncited":
            Claim.objects.filter(pk=draft.pk).update(status=ClaimStatus.PUBLISHED)
        elif write == "delete last citation":
            Citation.objects.filter(pk=citation.pk).delete()
        else:
            Citation.objects.filter(pk=citation.pk).update(claim=draft)
    assert _published_uncited() == 0


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_publishing_then_citing_in_one_transaction_is_allowed():
    with transaction.atomic():
        claim = make_claim(citations=0, status=ClaimStatus.PUBLISHED)
        # The citation comes after the claim, as loadkb writes them.
        Citation.objects.create(claim=claim, source=make_source())
    assert Claim.objects.published().filter(pk=claim.pk).exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_admin_turns_the_databases_refusal_into_its_message(curators, monkeypatch):
    """If every check in Python were bypassed, the curator still gets the message, not a 500."""
    first, _ = curators
    claim = make_claim(citations=1)
    citation = claim.citations.get()
    monkeypatch.setattr(services, "_unsourced_if_deleted", lambda doomed: [])
    monkeypatch.setattr(services, "citations_delete_blockers", lambda citations: [])

    response = _delete_citation(first, citation)

    assert response.status_code == 302
    assert Citation.objects.filter(pk=citation.pk).exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_loadkb_turns_the_databases_refusal_into_its_message(tmp_path, monkeypatch):
    """If loadkb's own check missed an unsourced published claim, the commit is refused and
    the load reports the usual message, saving nothing."""
    from knowledge import loading

    framework, feature = make_framework(slug="alpha"), make_feature(slug="beta")
    fixture = tmp_path / "claims.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "knowledge.claim",
                    "fields": {
                        "framework": [framework.slug],
                        "feature": [feature.slug],
                        "key": "unsourced",
                        "support": "yes",
                        "status": ClaimStatus.PUBLISHED,
                    },
                }
            ]
        )
    )
    monkeypatch.setattr(loading, "_publish_rule_errors", lambda loaded: [])

    with pytest.raises(loading.FixtureLoadError, match="cannot be published without"):
        loading.load_fixture_files([fixture])
    assert not Claim.objects.filter(key="unsourced").exists()
