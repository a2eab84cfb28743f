import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from knowledge.models import Claim, ClaimRank, ClaimStatus, Source
from tests.factories import make_claim, make_feature, make_framework, make_source

pytestmark = pytest.mark.django_db


def test_database_rejects_a_second_preferred_published_claim_for_a_cell():
    framework, feature = make_framework(), make_feature()
    make_claim(framework=framework, feature=feature, key="a", rank=ClaimRank.PREFERRED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            framework=framework,
            feature=feature,
            key="b",
            status=ClaimStatus.PUBLISHED,
            rank=ClaimRank.PREFERRED,
        )


def test_a_preferred_draft_may_sit_beside_a_preferred_published_claim():
    framework, feature = make_framework(), make_feature()
    make_claim(framework=framework, feature=feature, key="a", rank=ClaimRank.PREFERRED)
    make_claim(
        framework=framework,
        feature=feature,
        key="b",
        rank=ClaimRank.PREFERRED,
        status=ClaimStatus.DRAFT,
    )
    assert Claim.objects.filter(framework=framework, feature=feature).count() == 2


def test_full_clean_explains_the_preferred_claim_rule():
    framework, feature = make_framework(), make_feature()
    make_claim(framework=framework, feature=feature, key="a", rank=ClaimRank.PREFERRED)
    second = Claim(
        framework=framework,
        feature=feature,
        key="b",
        status=ClaimStatus.PUBLISHED,
        rank=ClaimRank.PREFERRED,
    )
    preferred = f"{framework.name} · {feature.name} (a) is already the preferred published claim"
    with pytest.raises(ValidationError, match=re.escape(preferred)):
        second.full_clean()


def test_the_same_url_cannot_be_stored_twice():
    make_source(url="https://docs.djangoproject.com/en/5.2/")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(title="Again", url="https://docs.djangoproject.com/en/5.2/")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,x"])
def test_source_urls_must_be_http(url):
    source = Source(title="Bad", url=url)
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "url" in error.value.message_dict


def test_natural_keys_round_trip():
    claim = make_claim(key="docs")
    citation = claim.citations.get()
    assert Claim.objects.get_by_natural_key(*claim.natural_key()) == claim
    assert type(citation).objects.get_by_natural_key(*citation.natural_key()) == citation
    offline = make_source(url="", title="A printed book", publisher="Press")
    assert offline.natural_key() == ("A printed book", "Press")
    assert Source.objects.get_by_natural_key(*offline.natural_key()) == offline


def test_markdown_is_rendered_and_sanitised_on_save():
    claim = make_claim(note="**Bold** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>Bold</strong>" in claim.note_html
    assert "<script" not in claim.note_html
    assert "javascript:" not in claim.note_html


def test_claim_history_is_recorded():
    claim = make_claim(status=ClaimStatus.DRAFT, citations=0)
    claim.status = ClaimStatus.REVIEW
    claim.save()
    assert [h.status for h in claim.history.all()] == [ClaimStatus.REVIEW, ClaimStatus.DRAFT]


def test_a_claim_is_named_by_its_cell_without_a_query_of_its_own(django_assert_num_queries):
    claim = make_claim(framework=make_framework(name="Django"), feature=make_feature(name="ORM"))
    plain = Claim.objects.get(pk=claim.pk)
    named = Claim.objects.select_related("framework", "feature").get(pk=claim.pk)
    with django_assert_num_queries(0):
        assert str(named) == "Django · ORM (main)"
        # Without its relations selected it is named by its key, not by a query per claim.
        assert str(plain) == "claim “main”"
