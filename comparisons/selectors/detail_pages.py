"""Reads for the framework, feature, category, tag, claim and source pages, the lists and search
(comparisons/detail_views.py)."""

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.http import QueryDict
from django.utils import timezone
from taggit.models import Tag

from comparisons import search
from knowledge.models import (
    Category,
    Citation,
    Claim,
    ClaimRank,
    Feature,
    FeatureKind,
    Framework,
    Provenance,
    Source,
    claim_verdict,
    claims_disagree,
    latest_release,
    published_claim,
    releases_supported,
)

from ..history import HistoryEntry, claim_history_list

# == Detail pages, lists and search (helper "pages") =========================================
# framework, feature, category, tag, claim and source pages; see comparisons/detail_views.py.


def _citations_with_sources() -> Prefetch:
    return Prefetch(
        "citations",
        queryset=Citation.objects.select_related("source").order_by("id"),
        to_attr="citation_list",
    )


def _with_releases(frameworks):
    """Each framework with `release_list`, its `latest_release` and its `supported_releases`
    (derived from the releases, never typed in)."""
    today = timezone.localdate()
    for framework in frameworks:
        framework.latest_release = latest_release(framework.release_list)
        framework.supported_releases = releases_supported(framework.release_list, today=today)
    return frameworks


def framework_list() -> list[Framework]:
    frameworks = (
        Framework.objects.annotate(
            claim_count=Count("claims", filter=published_claim(through="claims__"))
        )
        .prefetch_related(Prefetch("releases", to_attr="release_list"))
        .order_by("name")
    )
    return _with_releases(list(frameworks))


def _sorted_tags(item) -> list[Tag]:
    # taggit refuses a Prefetch with its own queryset, so tags are read and ordered here.
    return list(item.tags.order_by("name"))


def framework_get(*, slug: str) -> Framework:
    """The framework with its tags in `tag_list`; raises Framework.DoesNotExist."""
    framework = Framework.objects.prefetch_related(
        Prefetch("releases", to_attr="release_list")
    ).get(slug=slug)
    framework.tag_list = _sorted_tags(framework)
    return _with_releases([framework])[0]


@dataclass(frozen=True)
class FeatureClaims:
    """The published claims of one cell, the one the matrix shows first."""

    feature: Feature
    claims: list[Claim]


@dataclass(frozen=True)
class CategoryClaims:
    category: Category
    features: list[FeatureClaims]


def claim_list_for_framework(*, framework: Framework) -> list[CategoryClaims]:
    """Every published claim about `framework`, by category and feature, in matrix order."""
    claims = (
        Claim.objects.published()
        .filter(framework=framework)
        .select_related("feature__category", "feature_value", "since_version", "until_version")
        .prefetch_related(_citations_with_sources())
        .in_cell_order()
    ).order_by(
        "feature__category__order",
        "feature__category__name",
        "feature__order",
        "feature__name",
        "feature_id",
        "rank_order",
        "-updated_at",
        "-pk",
    )
    groups = []
    for _, in_category in groupby(claims, key=lambda claim: claim.feature.category_id):
        features = [
            FeatureClaims(feature=cell[0].feature, claims=cell)
            for cell in (list(c) for _, c in groupby(in_category, key=lambda c: c.feature_id))
        ]
        groups.append(CategoryClaims(category=features[0].feature.category, features=features))
    return groups


def feature_list() -> list[Category]:
    """Categories that have features, each with its features in `feature_list`."""
    categories = Category.objects.prefetch_related(
        Prefetch(
            "features", queryset=Feature.objects.order_by("order", "name"), to_attr="feature_list"
        )
    ).order_by("order", "name")
    return [category for category in categories if category.feature_list]


def feature_get(*, slug: str) -> Feature:
    """The feature with its category and its tags in `tag_list`; raises Feature.DoesNotExist."""
    feature = Feature.objects.select_related("category").get(slug=slug)
    feature.tag_list = _sorted_tags(feature)
    return feature


@dataclass(frozen=True)
class FeatureCell:
    framework: Framework
    claim: Claim | None
    other_claim_count: int
    disagree: bool  # as the matrix's cell says it


def cell_list_for_feature(*, feature: Feature) -> list[FeatureCell]:
    """The feature's row of the matrix: one cell per framework, with the claim it shows."""
    claims = (
        Claim.objects.published()
        .filter(feature=feature)
        .select_related("feature", "feature_value", "since_version", "until_version")
        .prefetch_related(_citations_with_sources())
        .in_cell_order()
    )
    by_framework: dict[int, list[Claim]] = {}
    for claim in claims:
        by_framework.setdefault(claim.framework_id, []).append(claim)
    cells = []
    for framework in Framework.objects.order_by("name"):
        cell_claims = by_framework.get(framework.pk, [])
        cells.append(
            FeatureCell(
                framework=framework,
                claim=cell_claims[0] if cell_claims else None,
                other_claim_count=max(len(cell_claims) - 1, 0),
                disagree=claims_disagree(cell_claims),
            )
        )
    return cells


def category_get(*, slug: str) -> Category:
    return Category.objects.get(slug=slug)


def feature_list_for_category(*, category: Category) -> QuerySet[Feature]:
    return category.features.annotate(
        claim_count=Count("claims", filter=published_claim(through="claims__"))
    ).order_by("order", "name")


@dataclass(frozen=True)
class TaggedItems:
    tag: Tag
    frameworks: list[Framework]
    features: list[Feature]


def tag_get(*, slug: str) -> TaggedItems:
    """The frameworks and features tagged `slug`; raises Tag.DoesNotExist."""
    tag = Tag.objects.get(slug=slug)
    return TaggedItems(
        tag=tag,
        frameworks=list(Framework.objects.filter(tags=tag).order_by("name")),
        features=list(
            Feature.objects.filter(tags=tag)
            .select_related("category")
            .order_by("category__order", "category__name", "order", "name")
        ),
    )


@dataclass(frozen=True)
class ClaimDetail:
    claim: Claim  # annotated with `last_changed` (its evidence's changes included)
    citations: list[Citation]
    competing: list[Claim]
    is_shown_in_cell: bool
    kept_because: str  # why a claim the cell does not show is kept, by the cell's own rule
    self_described: bool  # an assessment backed only by first-party sources
    history: list[HistoryEntry]
    # When another curator approved this version: a date, never who (the reviewer's name is
    # the curators' record). None for a claim published without review (loadkb's import, a
    # superuser's reason, or with review turned off).
    reviewed_on: date | None = None


def _kept_because(claim: Claim, shown: Claim) -> str:
    """The cell markers' rule in a sentence: superseded, disagreeing, or agreeing."""
    if claim.rank == ClaimRank.DEPRECATED:
        return (
            "This claim is superseded: it is kept for the record, and the matrix shows the "
            "claim below instead."
        )
    if claim_verdict(claim) != claim_verdict(shown):
        return (
            "Its source says something different from the claim the matrix shows, so the cell "
            "is marked “Sources disagree” and lists both."
        )
    return (
        "It agrees with the claim the matrix shows; the cell counts its sources among those "
        "that agree."
    )


def claim_get(*, pk: int) -> ClaimDetail:
    """A published claim with its evidence, rivals and history; raises Claim.DoesNotExist."""
    claim = (
        Claim.objects.published()
        .with_last_changed()
        .select_related(
            "framework", "feature__category", "feature_value", "since_version", "until_version"
        )
        .get(pk=pk)
    )
    cell = list(
        Claim.objects.published()
        .filter(framework_id=claim.framework_id, feature_id=claim.feature_id)
        .select_related("feature", "feature_value")
        .annotate(citation_count=Count("citations"))
        .in_cell_order()
    )
    citations = list(
        claim.citations.select_related("source__archive", "verification").order_by("id")
    )
    shown = cell[0] if cell else claim
    return ClaimDetail(
        claim=claim,
        citations=citations,
        competing=[other for other in cell if other.pk != claim.pk],
        is_shown_in_cell=shown.pk == claim.pk,
        kept_because="" if shown.pk == claim.pk else _kept_because(claim, shown),
        self_described=claim.feature.kind == FeatureKind.ASSESSMENT
        and bool(citations)
        and all(c.provenance == Provenance.FIRST_PARTY for c in citations),
        history=claim_history_list(claim=claim),
        reviewed_on=(
            timezone.localdate(claim.reviewed_at)
            if claim.reviewed_at and not claim.review_waiver
            else None
        ),
    )


def source_list() -> QuerySet[Source]:
    return Source.objects.public().with_claim_count().order_by("title", "pk")


def source_get(*, pk: int) -> Source:
    """The public source with its archived copy and last fetch; raises Source.DoesNotExist
    (also for a source no published claim cites)."""
    return Source.objects.public().select_related("archive", "last_fetch").get(pk=pk)


def citation_list_for_source(*, source: Source) -> QuerySet[Citation]:
    """The citations of `source` made by published claims, with their claim, framework, feature
    and last check."""
    return (
        Citation.objects.published()
        .filter(source=source)
        .select_related("claim__framework", "claim__feature", "source__archive", "verification")
        .order_by("claim__framework__name", "claim__feature__name", "claim__key", "pk")
    )


def search_run(
    *, query: str, limit: int = search.RESULTS_PER_KIND, pages: QueryDict | None = None
) -> search.SearchResults:
    """The matches of each kind for `query`, a cleaned, non-empty search string: a page of
    `limit` of them, the page each kind's `<kind>_page` in `pages` asks for (else the first),
    with their true count. Two queries per kind, the count and the page."""
    backend = search.backend_for(connection.vendor)
    pages = pages or QueryDict()
    return search.SearchResults(
        query=query,
        **{
            name: Paginator(backend.matches(kind, query), limit).get_page(
                pages.get(search.page_parameter(name))
            )
            for name, kind in search.search_kinds().items()
        },
    )
