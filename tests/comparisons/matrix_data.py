"""Data for the matrix tests: grids of any size, built with bulk_create so that a 20 × 300
grid takes a moment, and claims that must never be shown."""

import itertools

from taggit.models import Tag

from comparisons.models import Comparison, ComparisonFramework
from knowledge.models import (
    Category,
    Citation,
    Claim,
    ClaimStatus,
    Feature,
    Framework,
    Source,
    SourceKind,
    SupportLevel,
    TaggedFeature,
)

_grids = itertools.count(1)
_LEVELS = [SupportLevel.YES, SupportLevel.PARTIAL, SupportLevel.EXTENSION, SupportLevel.NO]


def build_grid(frameworks: int, features: int, *, categories: int = 3) -> dict:
    """`frameworks` × `features` published claims, each cited once; every level in turn.

    Every other feature is tagged, and the first framework's cell of every third feature holds
    a second, disagreeing claim: the parts of a page whose work could grow with the data.
    """
    n = next(_grids)
    cats = Category.objects.bulk_create(
        Category(name=f"Grid {n} category {i}", slug=f"g{n}-cat-{i}", order=i)
        for i in range(categories)
    )
    fws = Framework.objects.bulk_create(
        Framework(name=f"Grid {n} framework {i:02d}", slug=f"g{n}-fw-{i}")
        for i in range(frameworks)
    )
    feats = Feature.objects.bulk_create(
        Feature(
            name=f"Grid {n} feature {i:03d}",
            slug=f"g{n}-feat-{i}",
            category=cats[i % categories],
            order=i,
        )
        for i in range(features)
    )
    source = Source.objects.create(
        title=f"Grid {n} source", url=f"https://example.org/grid-{n}", kind=SourceKind.ARTICLE
    )
    claims = Claim.objects.bulk_create(
        Claim(
            framework=fw,
            feature=feat,
            support=_LEVELS[(i + j) % len(_LEVELS)],
            # A "not applicable" claim carries no detail (claim_not_applicable_without_detail).
            value=""
            if _LEVELS[(i + j) % len(_LEVELS)] == SupportLevel.NOT_APPLICABLE
            else f"v{i}-{j}",
            status=ClaimStatus.PUBLISHED,
        )
        for i, fw in enumerate(fws)
        for j, feat in enumerate(feats)
    )
    claims += Claim.objects.bulk_create(
        Claim(
            framework=fws[0],
            feature=feat,
            key="rival",
            support=SupportLevel.NOT_APPLICABLE,
            status=ClaimStatus.PUBLISHED,
        )
        for feat in feats[::3]
    )
    Citation.objects.bulk_create(
        Citation(claim=claim, source=source, quote=f"quote {claim.pk}", locator="§ 1")
        for claim in claims
    )
    tag = Tag.objects.create(name=f"grid {n}", slug=f"grid-{n}")
    TaggedFeature.objects.bulk_create(TaggedFeature(content_object=f, tag=tag) for f in feats[::2])
    return {"categories": cats, "frameworks": fws, "features": feats, "source": source}


def make_comparison(title, slug, frameworks, **fields):
    comparison = Comparison.objects.create(title=title, slug=slug, **fields)
    for order, framework in enumerate(frameworks):
        ComparisonFramework.objects.create(comparison=comparison, framework=framework, order=order)
    return comparison
