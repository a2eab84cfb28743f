"""Reads for the matrix, compare and curated comparison pages, the home page and the exports."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qsl

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from comparisons.canonical import canonical_query
from knowledge.models import (
    Category,
    Claim,
    Feature,
    Framework,
    Source,
)

from ..filters import MatrixFilter
from ..matrix import framework_column_list, matrix_build
from ..models import Comparison, ComparisonFramework
from ..parts import MatrixPart, NoSuchPart, matrix_part_list, part_features, part_number
from ..records import FrameworkColumn, Matrix
from ..support import SupportDisplay, claim_display
from ..timelines import release_column_pick

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

    def part_links(self) -> list[tuple[MatrixPart, str]]:
        """Each part with the query string of its page when the matrix is split, else none:
        the parts navigation."""
        if len(self.parts) < 2:
            return []
        return [(part, self.part_query(part.number)) for part in self.parts]

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
    parts: list[MatrixPart] | None = None,
    check_dates: bool = False,
) -> FilteredMatrix:
    """The matrix the page, its CSV and its JSON show for the query `data`: one place, so that
    the three always hold the same rows.

    `paged`: only the part that `part` names (else the query's `part`, else the first) of a
    matrix split into parts of at most MATRIX_PAGE_CELLS cells; NoSuchPart when it has no
    such part. Otherwise the whole matrix (the API and the embeds). `parts`: the split to
    use instead of counting it again (a streamed export's later parts). `check_dates`: the
    footnotes carry the dates of their quotes' last checks, which only the exports give.

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
        if parts is None:
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
        check_dates=check_dates,
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
