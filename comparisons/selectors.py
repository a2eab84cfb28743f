"""Reads for the public site that span several models.

Each selector is a plain function with keyword-only, typed arguments; views call one or two of
them and render. Every read of claims goes through `Claim.objects.published()`, so what is
public is decided in one place. Each selector runs a fixed number of queries, whatever the
size of the knowledge base (tests/comparisons assert it at two sizes).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
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
# claims, their citations with sources) and assembled in Python into plain dataclasses of
# primitives: templates only loop over them, and the whole `Matrix` can be pickled and cached.


UNKNOWN_DISPLAY = support_display(SupportLevel.UNKNOWN)

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


_URL_SENTINEL = 987654321987


def _claim_url_maker() -> Callable[[int], str]:
    """What Claim.get_absolute_url() returns, for any pk, from one reverse() per call.

    reverse() costs ~70 µs: once per cell it was a third of a cold 20 × 300 matrix. Made per
    page, not at import, so a script prefix or URLconf change is still honoured.
    """
    template = reverse("comparisons:claim-detail", kwargs={"pk": _URL_SENTINEL})
    head, tail = template.split(str(_URL_SENTINEL))
    return lambda pk: f"{head}{pk:d}{tail}"


def _claim_url(pk: int) -> str:
    # What Claim.get_absolute_url() returns, without building a model instance per cell.
    return reverse("comparisons:claim-detail", kwargs={"pk": pk})


@dataclass(frozen=True)
class FrameworkColumn:
    id: int
    name: str
    slug: str
    url: str


@dataclass
class Footnote:
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
    framework_name: str
    feature_name: str
    backref: str  # the anchor its "back" link returns to


@dataclass
class CellClaim:
    """A published claim of a cell; `footnotes` are the numbers of its citations."""

    id: int
    url: str
    mark: SupportDisplay
    value: str
    rank: str
    footnotes: list[int] = field(default_factory=list)


@dataclass
class Cell:
    """One framework × feature: the claim it shows (claims[0]) and every other published one."""

    anchor: str
    framework_id: int
    framework_name: str
    mark: SupportDisplay  # of the claim shown, or Unknown
    value: str
    claims: list[CellClaim]
    disagree: bool
    source_kinds: frozenset[str]
    footnotes: list[int] = field(default_factory=list)

    @property
    def support(self) -> str:
        return self.mark.level

    @property
    def claim(self) -> CellClaim | None:
        return self.claims[0] if self.claims else None

    @property
    def other_claim_count(self) -> int:
        return max(len(self.claims) - 1, 0)


@dataclass
class Row:
    feature_id: int
    name: str
    slug: str
    url: str
    cells: list[Cell]

    @property
    def differ(self) -> bool:
        # Unknown says nothing about a framework: "yes" beside "unknown" is no difference.
        return len({c.support for c in self.cells if c.support != SupportLevel.UNKNOWN}) > 1

    @property
    def all_unknown(self) -> bool:
        return all(c.support == SupportLevel.UNKNOWN for c in self.cells)


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
    footnotes: list[Footnote]
    several_claims: list[tuple[Row, Cell]]  # cells with more than one published claim
    cells: dict[int, dict[int, Cell]]  # {feature_id: {framework_id: cell}}
    summary: list[SupportSummary]

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for group in section.groups for row in group.rows]

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
    columns = [_framework_column(*row) for row in rows]
    if slugs is not None:
        position = {slug: index for index, slug in enumerate(slugs)}
        columns.sort(key=lambda column: position[column.slug])
    return columns


def _cell_claims(frameworks, feature_ids) -> dict[tuple[int, int], list[CellClaim]]:
    claims = claims_in_cell_order(
        Claim.objects.published().filter(
            framework_id__in=[f.id for f in frameworks], feature__in=feature_ids
        )
    ).values_list("id", "feature_id", "framework_id", "support", "value", "rank")
    by_cell: dict[tuple[int, int], list[CellClaim]] = {}
    marks: dict[str, SupportDisplay] = {}
    claim_url = _claim_url_maker()
    for pk, feature_id, framework_id, support, value, rank in claims:
        if support not in marks:
            marks[support] = support_display(support)
        by_cell.setdefault((feature_id, framework_id), []).append(
            CellClaim(
                id=pk,
                url=claim_url(pk),
                mark=marks[support],
                value=value,
                rank=rank,
            )
        )
    return by_cell


class _CitationRow(NamedTuple):
    # A tuple, not a frozen dataclass: 12,000 of them per 20 × 300 matrix, built 5× faster.
    quote: str
    locator: str
    source_id: int
    source_title: str
    source_url: str
    source_kind: str


_PUBLISHED_CLAIM_OF_CITATION = Q(claim__status=ClaimStatus.PUBLISHED)


def _claim_citations(frameworks, feature_ids) -> dict[int, list[_CitationRow]]:
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
    by_claim: dict[int, list[_CitationRow]] = {}
    for claim_id, *fields in citations:
        by_claim.setdefault(claim_id, []).append(_CitationRow(*fields))
    return by_claim


def _cell(feature_id, framework, claims, citations) -> Cell:
    shown = claims[0] if claims else None
    # Deprecated claims are kept for the record; only current ones can disagree.
    current = {c.mark.level for c in claims if c.rank != ClaimRank.DEPRECATED}
    return Cell(
        anchor=f"c{feature_id}-{framework.id}",
        framework_id=framework.id,
        framework_name=framework.name,
        mark=shown.mark if shown else UNKNOWN_DISPLAY,
        value=shown.value if shown else "",
        claims=claims,
        disagree=len(current) > 1,
        source_kinds=frozenset(c.source_kind for c in citations.get(shown.id, ()))
        if shown
        else frozenset(),
    )


def _keeps(row: Row, criteria: CellCriteria) -> bool:
    if criteria.support and not any(c.support in criteria.support for c in row.cells):
        return False
    if criteria.source_kind and not any(criteria.source_kind in c.source_kinds for c in row.cells):
        return False
    if criteria.differ and not row.differ:
        return False
    return not (criteria.hide_unknown and row.all_unknown)


def _grouped(rows: list[tuple[dict, Row]]) -> list[CategoryGroup]:
    groups: list[CategoryGroup] = []
    for feature, row in rows:
        if not groups or groups[-1].id != feature["category_id"]:
            slug = feature["category__slug"]
            groups.append(
                CategoryGroup(
                    id=feature["category_id"],
                    name=feature["category__name"],
                    slug=slug,
                    url=Category(slug=slug).get_absolute_url(),
                    rows=[],
                )
            )
        groups[-1].rows.append(row)
    return groups


class _Footnoter:
    """Numbers citations in reading order; one source page URL per source, reversed once."""

    def __init__(self, citations: dict[int, list[_CitationRow]]):
        self.citations = citations
        self.footnotes: list[Footnote] = []
        self._source_pages: dict[int, str] = {}
        self._kind_labels = {kind: str(label) for kind, label in SourceKind.choices}

    def number(self, claim: CellClaim, row: Row, cell: Cell, *, backref: str | None) -> None:
        for citation in self.citations.get(claim.id, ()):
            number = len(self.footnotes) + 1
            if citation.source_id not in self._source_pages:
                self._source_pages[citation.source_id] = Source(
                    pk=citation.source_id
                ).get_absolute_url()
            kind = citation.source_kind
            self.footnotes.append(
                Footnote(
                    number=number,
                    quote=citation.quote,
                    locator=citation.locator,
                    source_id=citation.source_id,
                    source_title=citation.source_title,
                    source_url=citation.source_url,
                    source_kind=kind,
                    source_kind_label=self._kind_labels.get(kind, kind),
                    source_page=self._source_pages[citation.source_id],
                    claim_id=claim.id,
                    claim_url=claim.url,
                    framework_name=cell.framework_name,
                    feature_name=row.name,
                    backref=backref or f"fnref-{number}",
                )
            )
            claim.footnotes.append(number)
            if backref is None:
                cell.footnotes.append(number)


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
    Footnotes are numbered last, in the order the page shows them.
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

    kept: list[tuple[dict, Row]] = []
    for feature in feature_rows:
        row = Row(
            feature_id=feature["id"],
            name=feature["name"],
            slug=feature["slug"],
            url=Feature(slug=feature["slug"]).get_absolute_url(),
            cells=[
                _cell(
                    feature["id"],
                    framework,
                    by_cell.get((feature["id"], framework.id), []),
                    citations,
                )
                for framework in frameworks
            ],
        )
        if _keeps(row, criteria):
            kept.append((feature, row))

    if differing_first:
        differing = [pair for pair in kept if pair[1].differ]
        rest = [pair for pair in kept if not pair[1].differ]
        sections = [
            Section("differ", "Where they differ", _grouped(differing)),
            Section("rest", "The rest", _grouped(rest)),
        ]
        kept = differing + rest
    else:
        sections = [Section("all", "", _grouped(kept))]
    rows = [row for _, row in kept]

    footnoter = _Footnoter(citations)
    for row in rows:
        for cell in row.cells:
            if cell.claim:
                footnoter.number(cell.claim, row, cell, backref=None)
    several = [(row, cell) for row in rows for cell in row.cells if cell.other_claim_count]
    for row, cell in several:
        for claim in cell.claims[1:]:
            footnoter.number(claim, row, cell, backref=f"claims-{cell.anchor}")

    counts = {framework.id: dict.fromkeys(SupportLevel.values, 0) for framework in frameworks}
    for row in rows:
        for cell in row.cells:
            counts[cell.framework_id][cell.support] = (
                counts[cell.framework_id].get(cell.support, 0) + 1
            )
    return Matrix(
        frameworks=list(frameworks),
        sections=sections,
        footnotes=footnoter.footnotes,
        several_claims=several,
        cells={row.feature_id: {cell.framework_id: cell for cell in row.cells} for row in rows},
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
