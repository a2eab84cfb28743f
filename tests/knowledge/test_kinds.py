"""Feature kinds and releases: what a claim may say about a capability, a descriptor or an
assessment, and which releases its since/until versions may name."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from knowledge.models import (
    Claim,
    FeatureKind,
    Release,
    SupportLevel,
    latest_release,
    releases_supported,
    version_key,
)
from tests.factories import (
    make_claim,
    make_feature,
    make_framework,
    make_release,
    make_scale,
)

pytestmark = pytest.mark.django_db


def errors_of(claim):
    with pytest.raises(ValidationError) as raised:
        claim.full_clean()
    return raised.value.message_dict


def test_a_claim_on_an_assessment_picks_a_value_of_its_own_scale():
    feature, (gentle, _, _) = make_scale(name="Learning curve")
    claim = make_claim(feature=feature, feature_value=gentle)
    claim.full_clean()
    assert claim.support == ""


def test_a_value_of_another_feature_is_refused_naming_the_allowed_ones():
    feature, _ = make_scale(name="Learning curve")
    _, (micro,) = make_scale(labels=["Microframework"], kind=FeatureKind.DESCRIPTOR)
    claim = make_claim(feature=feature, feature_value=micro)
    assert errors_of(claim)["feature_value"] == [
        "“Microframework” is a value of another feature; “Learning curve” takes one of: "
        "gentle, moderate, steep."
    ]


def test_a_capability_claim_cannot_carry_a_value():
    _, (micro,) = make_scale(labels=["Microframework"], kind=FeatureKind.DESCRIPTOR)
    claim = make_claim(feature=make_feature(name="ORM"), feature_value=micro)
    assert "is a capability feature" in errors_of(claim)["feature_value"][0]


@pytest.mark.parametrize("support", [SupportLevel.YES, SupportLevel.NOT_APPLICABLE])
def test_a_descriptor_claim_cannot_carry_a_support_level(support):
    feature, _ = make_scale(kind=FeatureKind.DESCRIPTOR, name="Scope")
    claim = make_claim(feature=feature, support=support)
    assert "pick one of its values" in errors_of(claim)["support"][0]


def test_an_unknown_placeholder_on_an_assessment_is_allowed():
    feature, _ = make_scale()
    make_claim(feature=feature, support=SupportLevel.UNKNOWN).full_clean()


def test_the_database_refuses_a_claim_with_both_a_level_and_a_value():
    feature, (gentle, _, _) = make_scale()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_claim(feature=feature, feature_value=gentle, support=SupportLevel.YES)


def test_the_database_refuses_a_not_applicable_claim_with_a_verdict():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_claim(support=SupportLevel.NOT_APPLICABLE, value="Depends")


def test_a_kind_change_that_would_strand_claims_is_refused():
    feature, (gentle, _, _) = make_scale()
    make_claim(feature=feature, feature_value=gentle)
    feature.kind = FeatureKind.CAPABILITY
    with pytest.raises(ValidationError, match="1 claim"):
        feature.full_clean()


def test_since_and_until_must_be_releases_of_the_claims_framework_in_order():
    django, flask = make_framework(name="Django"), make_framework(name="Flask")
    r42, r52 = (
        make_release(framework=django, version="4.2"),
        make_release(framework=django, version="5.2"),
    )
    flask31 = make_release(framework=flask, version="3.1")
    claim = make_claim(framework=django, since_version=flask31)
    assert errors_of(claim)["since_version"][0].startswith("3.1 is a release of another framework")
    claim.since_version, claim.until_version = r52, r42
    assert errors_of(claim)["until_version"] == [
        "Removed in 4.2 cannot come before or with added in 5.2."
    ]
    claim.since_version, claim.until_version = r42, r52
    claim.full_clean()


def test_versions_sort_by_number_not_by_text():
    assert sorted(["0.10", "0.9", "1.0.1", "1.0"], key=version_key) == [
        "0.9",
        "0.10",
        "1.0",
        "1.0.1",
    ]


def test_latest_and_supported_releases_are_derived():
    framework = make_framework()
    old = make_release(
        framework=framework,
        version="4.2",
        released_on=date(2023, 4, 3),
        is_lts=True,
        end_of_support=date(2026, 4, 30),
    )
    lts = make_release(
        framework=framework,
        version="5.2",
        released_on=date(2025, 4, 2),
        is_lts=True,
        end_of_support=date(2028, 4, 2),
    )
    newest = make_release(framework=framework, version="6.0", released_on=date(2025, 12, 3))
    releases = list(Release.objects.filter(framework=framework))
    assert latest_release(releases) == newest
    # 4.2's support has ended; 6.0 announced no end, and as the latest it is supported.
    assert releases_supported(releases, today=date(2026, 12, 1)) == [newest, lts]
    assert old not in releases_supported(releases, today=date(2026, 12, 1))


def test_a_release_cannot_end_support_before_it_is_released():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_release(released_on=date(2025, 1, 1), end_of_support=date(2024, 1, 1))


def test_claim_str_names_a_value_claim_by_its_cell():
    feature, (gentle, _, _) = make_scale()
    claim = make_claim(feature=feature, feature_value=gentle)
    assert str(claim) == f"{claim.framework.name} · {feature.name} ({claim.key})"
    assert Claim.objects.get(pk=claim.pk).feature_value == gentle
