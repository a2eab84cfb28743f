import pytest
from django.core.exceptions import ValidationError

from knowledge import services
from knowledge.models import Claim, ClaimRank, ClaimStatus
from tests.factories import (
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_source,
)
from tests.knowledge.admin_helpers import make_rival_claims

pytestmark = pytest.mark.django_db


def test_an_unsourced_claim_cannot_be_published_and_the_error_says_why():
    claim = make_claim(citations=0, status=ClaimStatus.DRAFT)
    assert services.claim_publish_errors(claim) == [services.UNSOURCED_MESSAGE]
    with pytest.raises(ValidationError, match="without at least one citation"):
        services.claim_publish(claim=claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT


def test_unknown_support_gets_no_exception_from_the_publish_rule():
    claim = make_claim(citations=0, status=ClaimStatus.REVIEW, support="unknown")
    with pytest.raises(ValidationError):
        services.claim_publish(claim=claim)


def test_a_cited_claim_is_published_and_history_records_it():
    claim = make_claim(citations=1, status=ClaimStatus.REVIEW)
    assert services.claim_publish_errors(claim) == []
    services.claim_publish(claim=claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED
    assert claim.history.first().status == ClaimStatus.PUBLISHED


def test_publish_errors_of_an_unsaved_claim_count_no_citation():
    claim = Claim(framework=make_framework(), feature=make_feature())
    assert services.claim_publish_errors(claim) == [services.UNSOURCED_MESSAGE]
    assert services.claim_publish_errors(claim, citation_count=1) == []


def test_a_second_preferred_claim_in_a_cell_is_refused_with_the_constraint_message():
    framework, feature = make_framework(), make_feature()
    make_claim(framework=framework, feature=feature, key="a", rank=ClaimRank.PREFERRED)
    second = make_claim(
        framework=framework,
        feature=feature,
        key="b",
        rank=ClaimRank.PREFERRED,
        status=ClaimStatus.DRAFT,
    )
    errors = services.claim_publish_errors(second)
    assert len(errors) == 1
    assert f"{framework.name} · {feature.name} (a) is already the preferred" in errors[0]
    assert services.claim_publish_errors(second, check_constraints=False) == []
    with pytest.raises(ValidationError):
        services.claim_publish(claim=second)
    second.refresh_from_db()
    assert second.status == ClaimStatus.DRAFT


def test_send_to_review_and_retract_change_the_status():
    claim = make_claim()
    services.claim_send_to_review(claim=claim)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.REVIEW
    services.claim_retract(claim=claim)
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.RETRACTED


def test_bulk_publish_publishes_what_it_can_and_says_why_for_the_rest():
    first, rival = make_rival_claims()
    unsourced = make_claim(citations=0, status=ClaimStatus.DRAFT)
    already = make_claim()
    claims = Claim.objects.filter(pk__in=[first.pk, rival.pk, unsourced.pk, already.pk])
    result = services.claims_set_status(
        claims=claims.select_related("framework", "feature").order_by("pk"),
        status=ClaimStatus.PUBLISHED,
    )
    assert [c.pk for c in result.changed] == [first.pk]
    assert [c.pk for c in result.unchanged] == [already.pk]
    refused = {claim.pk: errors for claim, errors in result.refused}
    assert set(refused) == {rival.pk, unsourced.pk}
    assert "preferred published claim" in refused[rival.pk][0]
    assert refused[unsourced.pk] == [services.UNSOURCED_MESSAGE]
    statuses = dict(claims.values_list("pk", "status"))
    assert statuses == {
        first.pk: ClaimStatus.PUBLISHED,
        rival.pk: ClaimStatus.REVIEW,
        unsourced.pk: ClaimStatus.DRAFT,
        already.pk: ClaimStatus.PUBLISHED,
    }


def test_sources_delete_blockers_name_the_citing_claims():
    cited, uncited = make_source(), make_source()
    claims = [make_claim(citations=0) for _ in range(2)]
    for claim in claims:
        make_citation(claim=claim, source=cited)
    blockers = services.sources_delete_blockers([cited, uncited])
    assert list(blockers) == [cited]
    assert sorted(c.pk for c in blockers[cited]) == sorted(c.pk for c in claims)


def test_citations_delete_blockers_guard_only_the_last_citation_of_published_claims():
    published = make_claim(citations=2)
    first, second = published.citations.all()
    draft = make_claim(citations=1, status=ClaimStatus.DRAFT)
    assert services.citations_delete_blockers([first]) == []
    assert services.citations_delete_blockers([first, second]) == [published]
    assert services.citations_delete_blockers(list(draft.citations.all())) == []


def test_a_bulk_status_change_keeps_an_edit_saved_after_the_list_was_read():
    """The admin's action reads the selected claims, then changes them one by one: an edit a
    curator saved in between must survive, not be overwritten by the copy read before."""
    claims = [make_claim(status=ClaimStatus.REVIEW, value=f"v{n}") for n in range(2)]
    stale = list(Claim.objects.filter(pk__in=[c.pk for c in claims]).order_by("pk"))
    Claim.objects.filter(pk=claims[1].pk).update(value="edited meanwhile")
    result = services.claims_set_status(claims=stale, status=ClaimStatus.PUBLISHED)
    assert len(result.changed) == 2
    claims[1].refresh_from_db()
    assert (claims[1].status, claims[1].value) == (ClaimStatus.PUBLISHED, "edited meanwhile")
