"""Reads for the public site that span several models.

Each selector is a plain function with keyword-only, typed arguments; views call one or two of
them and render. Every read of claims goes through `Claim.objects.published()`, so what is
public is decided in one place. Each selector runs a fixed number of queries, whatever the
size of the knowledge base (tests/comparisons assert it at two sizes).
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import QueryDict
from django.urls import reverse
from taggit.models import Tag

from comparisons import search
from knowledge.models import (
    Category,
    Citation,
    Claim,
    ClaimRank,
    ClaimStatus,
    Feature,
    Framework,
    Source,
    SourceKind,
    SupportLevel,
)

from .filters import CellCriteria, MatrixFilter
from .models import Comparison, ComparisonFramework
from .support import SupportDisplay, support_display

# == Comparison matrix (helper "matrix") ======================================================
# The matrix, compare and curated comparison pages, the home page and the exports. The matrix
# is read in a fixed handful of queries (frameworks, features with their categories, published
# claims, their citations with sources) and assembled in Python into plain records of
# primitives: templates only loop over them, and the whole `Matrix` can be pickled and cached.
# A 20 × 300 matrix has 6,000 cells and 12,000 citations, so every lookup that repeats (support
# marks, URLs, labels) is made once per page, and the records are light (see `Footnote`).


UNKNOWN_DISPLAY = support_display(SupportLevel.UNKNOWN)
# Plain strings: comparing with an enum member costs an attribute lookup on the enum class.
_UNKNOWN = SupportLevel.UNKNOWN.value
_DEPRECATED = ClaimRank.DEPRECATED.value
_SOURCE_KIND_LABELS = {kind: str(label) for kind, label in SourceKind.choices}

# What each mark means, for the legend under every matrix.
SUPPORT_MEANINGS = {
    SupportLevel.YES: "Ships with the framework.",
    SupportLevel.PARTIAL: "Some of it, with limits the claim explains.",
    SupportLevel.EXTENSION: "Through a third-party package or plug-in.",
    SupportLevel.NO: "Not available.",
    SupportLevel.NOT_APPLICABLE: "The question does not arise for this framework.",
    SupportLevel.UNKNOWN: "No published, sourced claim yet.",
}


def support_legend() -> list[tuple[SupportDisplay, str]]:
    return [(support_display(level), meaning) for level, meaning in SUPPORT_MEANINGS.items()]


_URL_SENTINEL = "987654321987"  # matches both the <int:pk> and the <slug:slug> converters
# What the int and slug converters accept, and what reverse() puts in a URL unchanged.
_URL_SAFE = re.compile(r"[-a-zA-Z0-9_]+")


def _url_maker(name: str, kwarg: str) -> Callable[[object], str]:
    """What get_absolute_url() returns for any pk or slug, from one reverse() per call.

    reverse() costs ~70 µs: once per cell, row or column it was a third of a cold 20 × 300
    matrix. Made per page, not at import, so a script prefix or URLconf change is still
    honoured. A value the converter might refuse or quote goes through reverse() itself.
    """
    head, tail = reverse(name, kwargs={kwarg: _URL_SENTINEL}).split(_URL_SENTINEL)

    def url(value) -> str:
        text = str(value)
        if _URL_SAFE.fullmatch(text):
            return f"{head}{text}{tail}"
        return reverse(name, kwargs={kwarg: value})

    return url


def _claim_url(pk: int) -> str:
    # What Claim.get_absolute_url() returns, without building a model instance per cell.
    return reverse("comparisons:claim-detail", kwargs={"pk": pk})


@dataclass(frozen=True)
class FrameworkColumn:
    id: int
    name: str
    slug: str
    url: str


# The records made per cell and per citation (6,000 and 12,000 for 20 × 300) are kept as plain
# tuples of strings and numbers: CPython's garbage collector stops tracking such tuples (exact
# tuples only, not NamedTuple instances), where ~30,000 tracked records per page set off a full
# collection (~50 ms) on nearly every cold matrix. It untracks a tuple only once the tuples in
# it are untracked, one level per collection, so a cell holds its claims' fields flat rather
# than a tuple of tuples (which mostly reached the oldest generation still tracked).
# The NamedTuples below name the fields; `Row.cells`, `Cell.claims` and `Matrix.footnotes`
# hand the records out as them.


class Footnote(NamedTuple):
    """One citation of a claim shown on the page, numbered in reading order."""

    number: int
    quote: str
    locator: str
    source_id: int
    source_title: str
    source_url: str
    source_kind: str
    source_kind_label: str
    source_page: str
    claim_id: int
    claim_url: str
    backref: str  # the anchor its "back" link returns to


class CellClaim(NamedTuple):
    """A published claim of a cell. Its citations are the footnotes numbered `first_footnote`
    onwards (a claim's citations are numbered in a run)."""

    id: int
    url: str
    support: str
    value: str
    rank: str
    first_footnote: int
    footnote_count: int

    @property
    def mark(self) -> SupportDisplay:
        return support_display(self.support)

    @property
    def footnotes(self) -> list[int]:
        return list(range(self.first_footnote, self.first_footnote + self.footnote_count))


_CLAIM_WIDTH = len(CellClaim._fields)


class Cell(NamedTuple):
    """One framework × feature: the claim it shows (the first) and every other published one."""

    anchor: str
    framework_id: int
    framework_name: str
    support: str  # of the claim shown, or unknown
    value: str
    claim_fields: tuple  # the CellClaim fields of each claim in turn, flat (see above)
    disagree: bool

    @property
    def mark(self) -> SupportDisplay:
        return support_display(self.support)

    @property
    def claims(self) -> list[CellClaim]:
        fields, width = self.claim_fields, _CLAIM_WIDTH
        return [CellClaim._make(fields[i : i + width]) for i in range(0, len(fields), width)]

    @property
    def claim(self) -> CellClaim | None:
        return CellClaim._make(self.claim_fields[:_CLAIM_WIDTH]) if self.claim_fields else None

    @property
    def claim_count(self) -> int:
        return len(self.claim_fields) // _CLAIM_WIDTH

    @property
    def other_claim_count(self) -> int:
        return max(self.claim_count - 1, 0)

    @property
    def footnotes(self) -> list[int]:
        """The numbers of the shown claim's citations: the ones the cell links to."""
        claim = self.claim
        return claim.footnotes if claim else []


_SUPPORT_OF_CELL = 3  # Cell.support, in a cell row


@dataclass
class Row:
    feature_id: int
    name: str
    slug: str
    url: str
    cell_rows: list[tuple]  # Cell fields, one per framework

    @property
    def cells(self) -> list[Cell]:
        return [Cell._make(row) for row in self.cell_rows]

    @property
    def differ(self) -> bool:
        return _differ([cell[_SUPPORT_OF_CELL] for cell in self.cell_rows])

    @property
    def all_unknown(self) -> bool:
        return all(cell[_SUPPORT_OF_CELL] == _UNKNOWN for cell in self.cell_rows)


def _differ(levels: list[str]) -> bool:
    # Unknown says nothing about a framework: "yes" beside "unknown" is no difference.
    return len(set(levels) - {_UNKNOWN}) > 1


@dataclass
class CategoryGroup:
    id: int
    name: str
    slug: str
    url: str
    rows: list[Row]


@dataclass
class Section:
    key: str
    title: str
    groups: list[CategoryGroup]

    @property
    def row_count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


@dataclass
class SupportSummary:
    """How many of the shown features a framework has at each support level."""

    framework: FrameworkColumn
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def by_level(self) -> list[tuple[SupportDisplay, int]]:
        return [(support_display(level), self.counts.get(level, 0)) for level in SupportLevel]


@dataclass
class Matrix:
    frameworks: list[FrameworkColumn]
    sections: list[Section]
    footnote_rows: list[tuple]  # Footnote fields, in order
    several_claims: list[tuple[Row, Cell]]  # cells with more than one published claim
    summary: list[SupportSummary]

    @property
    def footnotes(self) -> list[Footnote]:
        return [Footnote._make(row) for row in self.footnote_rows]

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for group in section.groups for row in group.rows]

    @property
    def cells(self) -> dict[int, dict[int, Cell]]:
        """{feature_id: {framework_id: cell}}"""
        return {
            row.feature_id: {cell.framework_id: cell for cell in row.cells} for row in self.rows
        }

    @property
    def row_count(self) -> int:
        return sum(section.row_count for section in self.sections)


def _framework_column(pk: int, name: str, slug: str) -> FrameworkColumn:
    return FrameworkColumn(id=pk, name=name, slug=slug, url=Framework(slug=slug).get_absolute_url())


def framework_columns(*, slugs: Sequence[str] | None = None) -> list[FrameworkColumn]:
    """Every framework by name, or those named by `slugs` in that order (unknown ones left out)."""
    rows = Framework.objects.order_by("name").values_list("id", "name", "slug")
    if slugs is not None:
        rows = rows.filter(slug__in=list(slugs))
    framework_url = _url_maker("comparisons:framework-detail", "slug")
    columns = [
        FrameworkColumn(id=pk, name=name, slug=slug, url=framework_url(slug))
        for pk, name, slug in rows
    ]
    if slugs is not None:
        position = {slug: index for index, slug in enumerate(slugs)}
        columns.sort(key=lambda column: position[column.slug])
    return columns


# The rows read stay plain tuples too (see `Footnote`), grouped into tuples, not lists.
# A claim row: (id, feature_id, framework_id, support, value, rank).
# A citation row: (claim_id, quote, locator, source_id, source title, source url, source kind).
_ID, _SUPPORT, _VALUE, _RANK = 0, 3, 4, 5  # of a claim row
_KIND = 6  # of a citation row
_CELL_OF_CLAIM = itemgetter(1, 2)
_CLAIM_OF_CITATION = itemgetter(0)
_ClaimRows = tuple[tuple, ...]


def _cell_claims(frameworks, feature_ids) -> dict[tuple[int, int], _ClaimRows]:
    """{(feature_id, framework_id): the cell's claim rows, the one to show first}."""
    claims = claims_in_cell_order(
        Claim.objects.published().filter(
            framework_id__in=[f.id for f in frameworks], feature__in=feature_ids
        )
    ).values_list("id", "feature_id", "framework_id", "support", "value", "rank")
    # sorted() is stable: each cell's claims keep the cell order the query gave them.
    ordered = sorted(claims, key=_CELL_OF_CLAIM)
    return {cell: tuple(rows) for cell, rows in groupby(ordered, _CELL_OF_CLAIM)}


_PUBLISHED_CLAIM_OF_CITATION = Q(claim__status=ClaimStatus.PUBLISHED)


def _claim_citations(frameworks, feature_ids) -> dict[int, tuple[tuple, ...]]:
    """{claim_id: its citation rows, in the order they are numbered}."""
    citations = (
        Citation.objects.filter(
            _PUBLISHED_CLAIM_OF_CITATION,
            claim__framework_id__in=[f.id for f in frameworks],
            claim__feature__in=feature_ids,
        )
        .order_by("claim_id", "id")
        .values_list(
            "claim_id",
            "quote",
            "locator",
            "source_id",
            "source__title",
            "source__url",
            "source__kind",
        )
    )
    return {claim: tuple(rows) for claim, rows in groupby(citations, _CLAIM_OF_CITATION)}


def _disagree(claims: _ClaimRows) -> bool:
    # Deprecated claims are kept for the record; only current ones can disagree.
    return len(claims) > 1 and len({c[_SUPPORT] for c in claims if c[_RANK] != _DEPRECATED}) > 1


def _keeps(levels: list[str], shown_kinds: Callable[[], set[str]], criteria: CellCriteria) -> bool:
    if criteria.support and criteria.support.isdisjoint(levels):
        return False
    if criteria.source_kind and criteria.source_kind not in shown_kinds():
        return False
    if criteria.differ and not _differ(levels):
        return False
    return not (criteria.hide_unknown and all(level == _UNKNOWN for level in levels))


def _grouped(rows: list[tuple[dict, Row]]) -> list[CategoryGroup]:
    groups: list[CategoryGroup] = []
    category_url = _url_maker("comparisons:category-detail", "slug")
    for feature, row in rows:
        if not groups or groups[-1].id != feature["category_id"]:
            slug = feature["category__slug"]
            groups.append(
                CategoryGroup(
                    id=feature["category_id"],
                    name=feature["category__name"],
                    slug=slug,
                    url=category_url(slug),
                    rows=[],
                )
            )
        groups[-1].rows.append(row)
    return groups


class _Footnoter:
    """Numbers citations in reading order: first those of every shown claim, then those of the
    cells' other claims, whose run starts after the last shown one (`first_other`)."""

    def __init__(self, citations: dict[int, tuple[tuple, ...]], first_other: int):
        self.citations = citations
        self.shown: list[tuple] = []
        self.others: list[tuple] = []
        self.first_other = first_other
        self._source_url = _url_maker("comparisons:source-detail", "pk")
        self._source_pages: dict[int, str] = {}

    def claim(self, row: tuple, url: str, *, backref: str | None) -> tuple:
        """The CellClaim fields of the claim `row`, its citations numbered next in their run."""
        pk, _, _, support, value, rank = row
        footnotes = self.shown if backref is None else self.others
        first = len(footnotes) + (1 if backref is None else self.first_other)
        pages = self._source_pages
        number = first
        for _, quote, locator, source_id, title, source_url, kind in self.citations.get(pk, ()):
            page = pages.get(source_id)
            if page is None:
                page = pages[source_id] = self._source_url(source_id)
            footnotes.append(
                (
                    number,
                    quote,
                    locator,
                    source_id,
                    title,
                    source_url,
                    kind,
                    _SOURCE_KIND_LABELS.get(kind, kind),
                    page,
                    pk,
                    url,
                    backref or f"fnref-{number}",
                )
            )
            number += 1
        return (pk, url, support, value, rank, first, number - first)


def _kept_rows(
    feature_rows, frameworks, by_cell, citations, criteria: CellCriteria, differing_first: bool
) -> list[tuple[dict, list[_ClaimRows], bool]]:
    """(feature, its cells' claim rows, whether the frameworks differ) for each row kept by
    `criteria`, from the levels its cells show, differing rows first if asked."""
    kept = []
    for feature in feature_rows:
        cells = [by_cell.get((feature["id"], framework.id), ()) for framework in frameworks]
        levels = [claims[0][_SUPPORT] if claims else _UNKNOWN for claims in cells]

        def shown_kinds(cells=cells) -> set[str]:
            return {
                citation[_KIND]
                for claims in cells
                if claims
                for citation in citations.get(claims[0][_ID], ())
            }

        if _keeps(levels, shown_kinds, criteria):
            kept.append((feature, cells, _differ(levels)))
    if differing_first:
        return [row for row in kept if row[2]] + [row for row in kept if not row[2]]
    return kept


def matrix_build(
    *,
    frameworks: Sequence[FrameworkColumn],
    features: QuerySet[Feature],
    criteria: CellCriteria = CellCriteria(),  # noqa: B008 - frozen, so safe to share
    differing_first: bool = False,
) -> Matrix:
    """The matrix of `frameworks` (columns, in this order) × `features` (rows), in 3 queries.

    Only published claims are read. A cell shows its preferred claim, else the best-ranked and
    most recently changed one (see `claims_in_cell_order`); the cell keeps the others so that
    disagreement stays visible. `criteria` then drops rows by what their cells show, and
    `differing_first` puts the rows where the frameworks differ in a section of their own.
    Footnotes are numbered in the order the page shows them: every shown claim's citations,
    row by row, then those of the cells' other claims.
    """
    feature_rows = list(
        features.values("id", "name", "slug", "category_id", "category__name", "category__slug")
    )
    feature_ids = features.order_by().values("pk")
    if frameworks and feature_rows:
        by_cell = _cell_claims(frameworks, feature_ids)
        citations = _claim_citations(frameworks, feature_ids)
    else:
        by_cell, citations = {}, {}

    kept = _kept_rows(feature_rows, frameworks, by_cell, citations, criteria, differing_first)

    # Then the records, numbering citations as they come.
    shown_count = sum(
        len(citations.get(claims[0][_ID], ())) for _, cells, _ in kept for claims in cells if claims
    )
    footnoter = _Footnoter(citations, first_other=shown_count + 1)
    claim_url = _url_maker("comparisons:claim-detail", "pk")
    feature_url = _url_maker("comparisons:feature-detail", "slug")
    counts = {framework.id: dict.fromkeys(SupportLevel.values, 0) for framework in frameworks}
    rows: list[tuple[dict, Row, bool]] = []
    several: list[tuple[Row, Cell]] = []
    for feature, cell_claims, differ in kept:
        row = Row(feature["id"], feature["name"], feature["slug"], feature_url(feature["slug"]), [])
        for framework, claims in zip(frameworks, cell_claims, strict=True):
            anchor = f"c{row.feature_id}-{framework.id}"
            if not claims:
                cell = (anchor, framework.id, framework.name, _UNKNOWN, "", (), False)
            else:
                shown = claims[0]
                claim_fields = footnoter.claim(shown, claim_url(shown[_ID]), backref=None)
                for other in claims[1:]:
                    claim_fields += footnoter.claim(
                        other, claim_url(other[_ID]), backref=f"claims-{anchor}"
                    )
                cell = (
                    anchor,
                    framework.id,
                    framework.name,
                    shown[_SUPPORT],
                    shown[_VALUE],
                    claim_fields,
                    _disagree(claims),
                )
                if len(claims) > 1:
                    several.append((row, Cell._make(cell)))
            row.cell_rows.append(cell)
            level_counts = counts[framework.id]
            level_counts[cell[_SUPPORT_OF_CELL]] = level_counts.get(cell[_SUPPORT_OF_CELL], 0) + 1
        rows.append((feature, row, differ))

    if differing_first:
        sections = [
            Section("differ", "Where they differ", _grouped([r[:2] for r in rows if r[2]])),
            Section("rest", "The rest", _grouped([r[:2] for r in rows if not r[2]])),
        ]
    else:
        sections = [Section("all", "", _grouped([r[:2] for r in rows]))]
    return Matrix(
        frameworks=list(frameworks),
        sections=sections,
        footnote_rows=footnoter.shown + footnoter.others,
        several_claims=several,
        summary=[SupportSummary(framework, counts[framework.id]) for framework in frameworks],
    )


@dataclass
class FilteredMatrix:
    filterset: MatrixFilter
    matrix: Matrix
    query: str  # the valid filters as a query string, for canonical and export links


def matrix_filtered(
    *,
    data: QueryDict,
    frameworks: Sequence[FrameworkColumn] | None = None,
    category_slugs: Sequence[str] = (),
    differing_first: bool = False,
) -> FilteredMatrix:
    """The matrix the page, its CSV and its JSON show for the query `data`: one place, so that
    the three always hold the same rows.

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
    all_frameworks = framework_columns() if frameworks is None else None
    filterset = MatrixFilter(
        data,
        features,
        frameworks=[(f.slug, f.name) for f in all_frameworks] if all_frameworks else None,
        categories=categories,
        tags=tags,
    )
    criteria = filterset.cell_criteria()
    if all_frameworks is not None:
        chosen = set(criteria.framework_slugs)
        frameworks = [f for f in all_frameworks if f.slug in chosen] or all_frameworks
    matrix = matrix_build(
        frameworks=frameworks,
        features=filterset.qs,
        criteria=criteria,
        differing_first=differing_first,
    )
    return FilteredMatrix(filterset=filterset, matrix=matrix, query=filterset.querystring())


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
        frameworks=[
            _framework_column(e.framework.pk, e.framework.name, e.framework.slug)
            for e in comparison.entries.all()
        ],
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


def knowledge_counts() -> KnowledgeCounts:
    """What the knowledge base holds; sources count only when a published claim cites them."""
    return KnowledgeCounts(
        frameworks=Framework.objects.count(),
        features=Feature.objects.count(),
        claims=Claim.objects.published().count(),
        sources=Source.objects.filter(citations__claim__status=ClaimStatus.PUBLISHED)
        .distinct()
        .count(),
    )


@dataclass(frozen=True)
class RecentClaim:
    id: int
    url: str
    framework_name: str
    feature_name: str
    mark: SupportDisplay
    value: str
    updated_at: datetime


def claim_list_recent(*, limit: int = 8) -> list[RecentClaim]:
    """The published claims changed last, newest first."""
    rows = (
        Claim.objects.published()
        .order_by("-updated_at", "-pk")
        .values_list("id", "framework__name", "feature__name", "support", "value", "updated_at")[
            :limit
        ]
    )
    recent = []
    for pk, framework_name, feature_name, support, value, updated_at in rows:
        recent.append(
            RecentClaim(
                id=pk,
                url=_claim_url(pk),
                framework_name=framework_name,
                feature_name=feature_name,
                mark=support_display(support),
                value=value,
                updated_at=updated_at,
            )
        )
    return recent


# == Detail pages, lists and search (helper "pages") =========================================
# framework, feature, category, tag, claim and source pages; see comparisons/detail_views.py.

# Within one cell (framework × feature) the claim a reader sees first: a preferred claim, then
# normal, then deprecated; among equals the most recently changed one.
_RANK_ORDER = Case(
    When(rank=ClaimRank.PREFERRED, then=Value(0)),
    When(rank=ClaimRank.NORMAL, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
PUBLISHED_CLAIM = Q(status=ClaimStatus.PUBLISHED)


def claims_in_cell_order(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """`queryset` ordered so that the first claim of each cell is the one shown for it."""
    return queryset.alias(rank_order=_RANK_ORDER).order_by("rank_order", "-updated_at", "-pk")


def _citations_with_sources() -> Prefetch:
    return Prefetch(
        "citations",
        queryset=Citation.objects.select_related("source").order_by("id"),
        to_attr="citation_list",
    )


def framework_list_get() -> QuerySet[Framework]:
    return Framework.objects.annotate(
        claim_count=Count("claims", filter=Q(claims__status=ClaimStatus.PUBLISHED))
    ).order_by("name")


def _sorted_tags(item) -> list[Tag]:
    # taggit refuses a Prefetch with its own queryset, so tags are read and ordered here.
    return list(item.tags.order_by("name"))


def framework_detail_get(*, slug: str) -> Framework:
    """The framework with its tags in `tag_list`; raises Framework.DoesNotExist."""
    framework = Framework.objects.get(slug=slug)
    framework.tag_list = _sorted_tags(framework)
    return framework


@dataclass(frozen=True)
class FeatureClaims:
    """The published claims of one cell, the one the matrix shows first."""

    feature: Feature
    claims: list[Claim]


@dataclass(frozen=True)
class CategoryClaims:
    category: Category
    features: list[FeatureClaims]


def claims_for_framework(*, framework: Framework) -> list[CategoryClaims]:
    """Every published claim about `framework`, by category and feature, in matrix order."""
    claims = claims_in_cell_order(
        Claim.objects.published()
        .filter(framework=framework)
        .select_related("feature__category")
        .prefetch_related(_citations_with_sources())
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


def feature_list_get() -> list[Category]:
    """Categories that have features, each with its features in `feature_list`."""
    categories = Category.objects.prefetch_related(
        Prefetch(
            "features", queryset=Feature.objects.order_by("order", "name"), to_attr="feature_list"
        )
    ).order_by("order", "name")
    return [category for category in categories if category.feature_list]


def feature_detail_get(*, slug: str) -> Feature:
    """The feature with its category and its tags in `tag_list`; raises Feature.DoesNotExist."""
    feature = Feature.objects.select_related("category").get(slug=slug)
    feature.tag_list = _sorted_tags(feature)
    return feature


@dataclass(frozen=True)
class FeatureCell:
    framework: Framework
    claim: Claim | None
    other_claim_count: int


def feature_row(*, feature: Feature) -> list[FeatureCell]:
    """The feature's row of the matrix: one cell per framework, with the claim it shows."""
    claims = claims_in_cell_order(
        Claim.objects.published()
        .filter(feature=feature)
        .prefetch_related(_citations_with_sources())
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
            )
        )
    return cells


def category_detail_get(*, slug: str) -> Category:
    return Category.objects.get(slug=slug)


def category_features(*, category: Category) -> QuerySet[Feature]:
    return category.features.annotate(
        claim_count=Count("claims", filter=Q(claims__status=ClaimStatus.PUBLISHED))
    ).order_by("order", "name")


@dataclass(frozen=True)
class TaggedItems:
    tag: Tag
    frameworks: list[Framework]
    features: list[Feature]


def tag_detail_get(*, slug: str) -> TaggedItems:
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
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    date: datetime
    status_label: str
    is_public: bool
    is_first_publication: bool
    changes: list[FieldChange]
    note_changed: bool


@dataclass(frozen=True)
class ClaimDetail:
    claim: Claim
    citations: list[Citation]
    competing: list[Claim]
    is_shown_in_cell: bool
    history: list[HistoryEntry]


# The fields whose changes a reader sees, with how each is shown. The note is long markdown:
# the history says that it changed, and the page shows the current one.
_CHOICE_LABELS = {
    "support": ("Support", SupportLevel),
    "rank": ("Rank", ClaimRank),
}
_TEXT_FIELDS = {
    "statement": "Statement",
    "value": "Value",
    "as_of_version": "As of version",
    "valid_until": "Valid until",
}


def _label(choices, raw: str) -> str:
    # A value no longer among the choices (renamed since) is shown as stored.
    return str(choices(raw).label) if raw in choices.values else raw


def _shown_value(field: str, raw) -> str:
    if raw in (None, ""):
        return "—"
    if field in _CHOICE_LABELS:
        return _label(_CHOICE_LABELS[field][1], raw)
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


def _changes(old, new) -> list[FieldChange]:
    labels = {field: label for field, (label, _) in _CHOICE_LABELS.items()} | _TEXT_FIELDS
    return [
        FieldChange(
            label=label,
            old=_shown_value(field, getattr(old, field)),
            new=_shown_value(field, getattr(new, field)),
        )
        for field, label in labels.items()
        if getattr(old, field) != getattr(new, field)
    ]


def claim_history(*, claim: Claim) -> list[HistoryEntry]:
    """The claim's history, newest first.

    Versions saved while the claim was not published (a draft, in review, retracted) show only
    their date and status: their content was never reviewed for the public. A published
    version shows what changed since the previous *published* version, so a draft's wording
    never leaks through an "old → new" pair.
    """
    entries = []
    last_public = None
    for record in claim.history.order_by("history_date", "history_id"):
        is_public = record.status == ClaimStatus.PUBLISHED
        entries.append(
            HistoryEntry(
                date=record.history_date,
                status_label=_label(ClaimStatus, record.status),
                is_public=is_public,
                is_first_publication=is_public and last_public is None,
                changes=_changes(last_public, record) if is_public and last_public else [],
                note_changed=bool(is_public and last_public and last_public.note != record.note),
            )
        )
        if is_public:
            last_public = record
    entries.reverse()
    return entries


def claim_detail_get(*, pk: int) -> ClaimDetail:
    """A published claim with its evidence, rivals and history; raises Claim.DoesNotExist."""
    claim = Claim.objects.published().select_related("framework", "feature__category").get(pk=pk)
    cell = list(
        claims_in_cell_order(
            Claim.objects.published()
            .filter(framework_id=claim.framework_id, feature_id=claim.feature_id)
            .annotate(citation_count=Count("citations"))
        )
    )
    return ClaimDetail(
        claim=claim,
        citations=list(claim.citations.select_related("source").order_by("id")),
        competing=[other for other in cell if other.pk != claim.pk],
        is_shown_in_cell=bool(cell) and cell[0].pk == claim.pk,
        history=claim_history(claim=claim),
    )


def source_list_get() -> QuerySet[Source]:
    return Source.objects.annotate(
        claim_count=Count(
            "citations__claim",
            filter=Q(citations__claim__status=ClaimStatus.PUBLISHED),
            distinct=True,
        )
    ).order_by("title", "pk")


def source_detail_get(*, pk: int) -> Source:
    return Source.objects.get(pk=pk)


def source_claims(*, source: Source) -> QuerySet[Citation]:
    """The citations of `source` made by published claims, with their claim, framework, feature."""
    return (
        Citation.objects.filter(source=source, claim__status=ClaimStatus.PUBLISHED)
        .select_related("claim__framework", "claim__feature")
        .order_by("claim__framework__name", "claim__feature__name", "claim__key", "pk")
    )


def search_run(*, query: str, limit: int = search.RESULTS_PER_KIND) -> search.SearchResults:
    """Up to `limit` matches of each kind for `query`, a cleaned, non-empty search string."""
    backend = search.backend_for(connection.vendor)
    return search.SearchResults(
        query=query,
        **{name: backend.find(kind, query, limit) for name, kind in search.search_kinds().items()},
    )
