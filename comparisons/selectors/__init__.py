"""Reads for the public pages that span several models.

Each selector is a plain function named `<entity>_<action>` with keyword-only, typed
arguments; views call one or two of them and render. Every read of claims goes through
`Claim.objects.published()`, so what is public is decided in one place. Each selector runs a
fixed number of queries, whatever the size of the knowledge base (tests/comparisons assert it
at two sizes). The matrix itself, its records and their build, is in `comparisons.matrix`.

Two modules: `matrix_pages` (the matrix, compare and curated comparison pages, the home page,
the exports) and `detail_pages` (detail pages, lists, search); everything is read from here.
"""

from .detail_pages import (
    CategoryClaims,
    ClaimDetail,
    FeatureCell,
    FeatureClaims,
    TaggedItems,
    category_get,
    cell_list_for_feature,
    citation_list_for_source,
    claim_get,
    claim_list_for_framework,
    feature_get,
    feature_list,
    feature_list_for_category,
    framework_get,
    framework_list,
    search_run,
    source_get,
    source_list,
    tag_get,
)
from .matrix_pages import (
    CuratedComparison,
    FilteredMatrix,
    KnowledgeCounts,
    RecentClaim,
    claim_list_recent,
    comparison_get,
    comparison_list,
    day_end,
    knowledge_count,
    matrix_get,
)

__all__ = [
    "CategoryClaims",
    "ClaimDetail",
    "CuratedComparison",
    "FeatureCell",
    "FeatureClaims",
    "FilteredMatrix",
    "KnowledgeCounts",
    "RecentClaim",
    "TaggedItems",
    "category_get",
    "cell_list_for_feature",
    "citation_list_for_source",
    "claim_get",
    "claim_list_for_framework",
    "claim_list_recent",
    "comparison_get",
    "comparison_list",
    "day_end",
    "feature_get",
    "feature_list",
    "feature_list_for_category",
    "framework_get",
    "framework_list",
    "knowledge_count",
    "matrix_get",
    "search_run",
    "source_get",
    "source_list",
    "tag_get",
]
