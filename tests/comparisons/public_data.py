"""Data for the public-page tests: unpublished claims to hide, and knowledge bases of a chosen
size built with bulk_create, so that query-count tests can compare a small and a large one."""

import datetime
from dataclasses import dataclass

from knowledge.models import (
    Category,
    Citation,
    Claim,
    ClaimRank,
    ClaimStatus,
    Feature,
    Framework,
    Source,
    SupportLevel,
)
from tests.factories import make_citation, make_claim, make_source

# Text that only unpublished claims (and their citations) carry: it must appear on no page.
HIDDEN_MARKERS = {
    ClaimStatus.DRAFT: "Zqdraftmarker",
    ClaimStatus.REVIEW: "Zqreviewmarker",
    ClaimStatus.RETRACTED: "Zqretractedmarker",
}


def plant_unpublished_claims(*, framework, feature):
    """A draft, an in-review and a retracted claim in one cell, each with a distinctive
    statement, value, note and quoted citation; returns them by status."""
    claims = {}
    for status, marker in HIDDEN_MARKERS.items():
        claim = make_claim(
            framework=framework,
            feature=feature,
            key=f"hidden-{status}",
            status=status,
            statement=f"{marker} statement",
            value=f"{marker}value",
            note=f"{marker} note",
            support=SupportLevel.NO,
            citations=0,
        )
        make_citation(claim=claim, source=make_source(), quote=f"{marker} quote")
        claims[status] = claim
    return claims


@dataclass(frozen=True)
class KnowledgeBase:
    frameworks: list[Framework]
    features: list[Feature]
    sources: list[Source]
    category: Category
    # A cell with several published claims and a history of edits, and a source cited by
    # every claim of the first framework: the pages whose content grows with the data.
    busy_claim: Claim
    busy_source: Source


def build_knowledge_base(*, frameworks: int, features: int, rivals: int, edits: int):
    """`frameworks` × `features` published claims, each cited once; the busy cell has
    `rivals` extra published claims and `edits` saved versions."""
    category = Category.objects.create(name="Bulk category", slug="bulk-category")
    feature_rows = Feature.objects.bulk_create(
        Feature(name=f"Bulk feature {n}", slug=f"bulk-feature-{n}", category=category, order=n)
        for n in range(features)
    )
    framework_rows = Framework.objects.bulk_create(
        Framework(name=f"Bulk framework {n:03}", slug=f"bulk-framework-{n}")
        for n in range(frameworks)
    )
    sources = Source.objects.bulk_create(
        Source(title=f"Bulk source {n}", url=f"https://example.org/bulk/{n}") for n in range(3)
    )
    claims = Claim.objects.bulk_create(
        Claim(
            framework=framework,
            feature=feature,
            support=SupportLevel.YES,
            status=ClaimStatus.PUBLISHED,
            statement=f"{framework.name} has {feature.name}.",
        )
        for framework in framework_rows
        for feature in feature_rows
    )
    Citation.objects.bulk_create(
        Citation(
            claim=claim,
            source=sources[0] if claim.framework_id == framework_rows[0].pk else sources[1],
            quote="Bulk quote.",
            locator="§ 1",
            retrieved_date=datetime.date(2025, 1, 1),
        )
        for claim in claims
    )
    busy_claim = claims[0]
    rival_claims = Claim.objects.bulk_create(
        Claim(
            framework_id=busy_claim.framework_id,
            feature_id=busy_claim.feature_id,
            key=f"rival-{n}",
            support=SupportLevel.PARTIAL,
            status=ClaimStatus.PUBLISHED,
            rank=ClaimRank.NORMAL,
        )
        for n in range(rivals)
    )
    Citation.objects.bulk_create(
        Citation(claim=claim, source=source, quote="Rival quote.")
        for claim in rival_claims
        for source in sources
    )
    Citation.objects.bulk_create(
        Citation(claim=busy_claim, source=source, quote="More evidence.") for source in sources[1:]
    )
    for n in range(edits):
        busy_claim.value = f"version {n}"
        busy_claim.save()
    return KnowledgeBase(
        frameworks=framework_rows,
        features=feature_rows,
        sources=sources,
        category=category,
        busy_claim=busy_claim,
        busy_source=sources[0],
    )
