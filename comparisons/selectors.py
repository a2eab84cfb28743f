"""Reads for the public site that span several models.

Each selector is a plain function with keyword-only, typed arguments; views call one or two of
them and render. Every read of claims goes through `Claim.objects.published()`, so what is
public is decided in one place. Each selector runs a fixed number of queries, whatever the
size of the knowledge base (tests/comparisons assert it at two sizes).
"""

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from django.db import connection
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
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
    SupportLevel,
)

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
class CategoryClaims:
    category: Category
    claims: list[Claim]


def claims_for_framework(*, framework: Framework) -> list[CategoryClaims]:
    """Every published claim about `framework`, grouped by category, features in order."""
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
        "rank_order",
        "-updated_at",
        "-pk",
    )
    return [
        CategoryClaims(category=group[0].feature.category, claims=group)
        for group in (
            list(items) for _, items in groupby(claims, key=lambda c: c.feature.category_id)
        )
    ]


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
