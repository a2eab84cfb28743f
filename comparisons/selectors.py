"""Reads for the public pages that span several models.

Each selector is a plain function named `<entity>_<action>` with keyword-only, typed
arguments; views call one or two of them and render. Every read of claims goes through
`Claim.objects.published()`, so what is public is decided in one place. Each selector runs a
fixed number of queries, whatever the size of the knowledge base (tests/comparisons assert it
at two sizes). The matrix itself, its records and their build, is in `comparisons.matrix`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from urllib.parse import parse_qsl

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from comparisons import search
from comparisons.canonical import canonical_query
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

from .filters import MatrixFilter
from .history import HistoryEntry, claim_history_list
from .matrix import framework_column_list, matrix_build
from .models import Comparison, ComparisonFramework
from .parts import MatrixPart, NoSuchPart, matrix_part_list, part_features, part_number
from .records import FrameworkColumn, Matrix
from .support import SupportDisplay, claim_display
from .timelines import release_column_pick

# == The matrix pages ==========================================================================
# The matrix, compare and curated comparison pages, the home page and the exports.


def _claim_url(pk: int) -> str:
    # What Claim.get_absolute_url() returns, without building a model instance per claim.
    return reverse("comparisons:claim-detail", kwargs={"pk": pk})


def _framework_column(framework: Framework) -> FrameworkColumn:
    return FrameworkColumn(
        id=framework.pk,
        name=framework.name,
        slug=framework.slug,
        url=framework.get_absolute_url(),
    )


def day_end(day: date) -> datetime:
    """The end of `day` in the site's time zone: the first moment of the next day."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@dataclass
class FilteredMatrix:
    filterset: MatrixFilter
    matrix: Matrix
    query: str  # the valid filters as a query string, for canonical and export links
    parts: list[MatrixPart]  # one, unless the matrix is split (comparisons/parts.py)
    part: MatrixPart  # the one shown
    as_of: date | None = None  # the day whose end it shows; None: now

    def part_query(self, number: int) -> str:
        """The canonical query string of part `number` with the same filters."""
        return canonical_query([*parse_qsl(self.query), ("part", str(number))], parts=True)

    @property
    def page_query(self) -> str:
        """The canonical query string of the page shown."""
        return self.part_query(self.part.number)


def matrix_get(
    *,
    data: QueryDict,
    frameworks: Sequence[FrameworkColumn] | None = None,
    category_slugs: Sequence[str] = (),
    differing_first: bool = False,
    paged: bool = False,
    part: int | None = None,
) -> FilteredMatrix:
    """The matrix the page, its CSV and its JSON show for the query `data`: one place, so that
    the three always hold the same rows.

    `paged`: only the part that `part` names (else the query's `part`, else the first) of a
    matrix split into parts of at most MATRIX_PAGE_CELLS cells; NoSuchPart when it has no
    such part. Otherwise the whole matrix (the API and the embeds).

    `frameworks=None`: the columns are chosen by ?framework= (all when none). Otherwise the page
    fixes them (compare, curated comparison) and the filter is not offered. `category_slugs`
    limits the rows to those categories (a curated comparison's; empty means all).
    """
    categories = Category.objects.order_by("order", "name").values_list("slug", "name")
    features = Feature.objects.all()
    if category_slugs:
        categories = categories.filter(slug__in=list(category_slugs))
        features = features.filter(category__slug__in=list(category_slugs))
    tags = (
        Tag.objects.filter(knowledge_taggedfeature_items__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )
    all_frameworks = framework_column_list() if frameworks is None else None
    filterset = MatrixFilter(
        data,
        features,
        frameworks=[(f.slug, f.name) for f in all_frameworks] if all_frameworks else None,
        categories=categories,
        tags=tags,
    )
    criteria = filterset.cell_criteria()
    if all_frameworks is not None:
        # The columns in the order the URL names them: a head-to-head's export and its
        # "open in the full matrix" link keep the page's order.
        by_slug = {f.slug: f for f in all_frameworks}
        chosen = dict.fromkeys(criteria.framework_slugs)
        frameworks = [by_slug[slug] for slug in chosen if slug in by_slug] or all_frameworks
    as_of = filterset.day_shown()
    frameworks, release = release_column_pick(filterset=filterset, frameworks=frameworks)
    features = filterset.qs
    if paged:
        parts = matrix_part_list(features=features, columns=len(frameworks))
        number = part or part_number(data.get("part")) or 1
        if number > len(parts):
            raise NoSuchPart(f"The matrix has {len(parts)} part(s), not {number}.")
        shown = parts[number - 1]
        features = part_features(features, shown)
    else:
        parts = [shown := MatrixPart(1, 0, 0, "")]
    matrix = matrix_build(
        frameworks=frameworks,
        features=features,
        criteria=criteria,
        differing_first=differing_first or criteria.differing_first,
        moment=day_end(as_of) if as_of else None,
        release=release,
    )
    return FilteredMatrix(
        filterset=filterset,
        matrix=matrix,
        query=canonical_query(parse_qsl(filterset.querystring())),
        parts=parts,
        part=shown,
        as_of=as_of,
    )


@dataclass(frozen=True)
class CuratedComparison:
    title: str
    slug: str
    url: str
    intro_html: str
    frameworks: list[FrameworkColumn]
    category_slugs: list[str]
    category_names: list[str]


def _curated(comparison: Comparison) -> CuratedComparison:
    categories = comparison.category_list
    return CuratedComparison(
        title=comparison.title,
        slug=comparison.slug,
        url=comparison.get_absolute_url(),
        intro_html=comparison.intro_html,
        frameworks=[_framework_column(entry.framework) for entry in comparison.entries.all()],
        category_slugs=[c.slug for c in categories],
        category_names=[c.name for c in categories],
    )


def _comparisons() -> QuerySet[Comparison]:
    return Comparison.objects.prefetch_related(
        Prefetch(
            "entries",
            queryset=ComparisonFramework.objects.select_related("framework").order_by(
                "order", "id"
            ),
        ),
        Prefetch(
            "categories",
            queryset=Category.objects.order_by("order", "name"),
            to_attr="category_list",
        ),
    ).order_by("order", "title")


def comparison_get(*, slug: str) -> CuratedComparison:
    """A curated comparison, its frameworks in order; raises Comparison.DoesNotExist."""
    return _curated(_comparisons().get(slug=slug))


def comparison_list(*, featured_only: bool = False) -> list[CuratedComparison]:
    comparisons = _comparisons()
    if featured_only:
        comparisons = comparisons.filter(is_featured=True)
    return [_curated(comparison) for comparison in comparisons]


@dataclass(frozen=True)
class KnowledgeCounts:
    frameworks: int
    features: int
    claims: int
    sources: int


def knowledge_count() -> KnowledgeCounts:
    """What the knowledge base holds; sources count only when a published claim cites them."""
    return KnowledgeCounts(
        frameworks=Framework.objects.count(),
        features=Feature.objects.count(),
        claims=Claim.objects.published().count(),
        sources=Source.objects.cited().count(),
    )


@dataclass(frozen=True)
class RecentClaim:
    id: int
    url: str
    framework_name: str
    feature_name: str
    mark: SupportDisplay
    value: str
    updated_at: datetime  # its last change, its evidence's included


def claim_list_recent(*, limit: int = 8) -> list[RecentClaim]:
    """The published claims changed last (their evidence included), newest first."""
    rows = (
        Claim.objects.published()
        .with_last_changed()
        .order_by("-last_changed", "-pk")
        .values_list(
            "id",
            "framework__name",
            "feature__name",
            "support",
            "value",
            "last_changed",
            "feature_value_id",
            "feature_value__slug",
            "feature_value__label",
            "feature__kind",
            named=True,
        )[:limit]
    )
    return [
        RecentClaim(
            id=row.id,
            url=_claim_url(row.id),
            framework_name=row.framework__name,
            feature_name=row.feature__name,
            mark=claim_display(row),
            value=row.value,
            updated_at=row.last_changed,
        )
        for row in rows
    ]


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
    )


def source_list() -> QuerySet[Source]:
    return Source.objects.with_claim_count().order_by("title", "pk")


def source_get(*, pk: int) -> Source:
    """The source with its archived copy and last fetch; raises Source.DoesNotExist."""
    return Source.objects.select_related("archive", "last_fetch").get(pk=pk)


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
