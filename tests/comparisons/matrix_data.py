"""Data for the matrix tests: grids of any size, built with bulk_create so that a 20 × 300
grid takes a moment, and claims that must never be shown."""

import itertools

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
)

_grids = itertools.count(1)
_LEVELS = [SupportLevel.YES, SupportLevel.PARTIAL, SupportLevel.EXTENSION, SupportLevel.NO]


def build_grid(frameworks: int, features: int, *, categories: int = 3) -> dict:
    """`frameworks` × `features` published claims, each cited once; every level in turn."""
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
            value=f"v{i}-{j}",
            status=ClaimStatus.PUBLISHED,
        )
        for i, fw in enumerate(fws)
        for j, feat in enumerate(feats)
    )
    Citation.objects.bulk_create(
        Citation(claim=claim, source=source, quote=f"quote {claim.pk}", locator="§ 1")
        for claim in claims
    )
    return {"categories": cats, "frameworks": fws, "features": feats, "source": source}
