"""The comparison matrix: how its records (comparisons/records.py) are built from the published
claims.

The matrix, compare and curated comparison pages and their exports show a `Matrix`. It is read
in a fixed handful of queries (features with their categories, published claims, their
citations, the sources they cite) and assembled in Python into plain records of primitives,
one record per concept, read by name: templates and template tags only loop over them, and
the whole `Matrix` pickles. A 20 × 300 matrix has 6,000 cells and 12,000 citations, so every
lookup that repeats (support marks, URLs, labels, sources) is made once per page, not once per
cell.
"""

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import groupby
from operator import attrgetter
from types import SimpleNamespace

from django.db.models import OuterRef, QuerySet, Subquery

from knowledge.history import citations_as_of, claims_published_as_of
from knowledge.models import (
    Citation,
    CitationVerification,
    Claim,
    ClaimRank,
    Feature,
    FeatureKind,
    Framework,
    Source,
    SupportLevel,
    VerificationStatus,
    claim_verdict,
    claims_disagree,
    claims_in_cell_order,
    version_key,
)

from .collector import no_collections
from .filters import CellCriteria
from .footnotes import NO_SOURCE, Footnoter, url_maker
from .records import (
    CategoryGroup,
    Cell,
    FrameworkColumn,
    Matrix,
    Row,
    Section,
    SourceRow,
    SupportSummary,
)
from .support import support_display

# Plain strings: comparing with an enum member costs an attribute lookup on the enum class.
_UNKNOWN = SupportLevel.UNKNOWN.value
_VERIFIED = VerificationStatus.VERIFIED.value
_UNCHECKED = VerificationStatus.UNCHECKED.value

_DEPRECATED = ClaimRank.DEPRECATED.value
# What a cell without a claim says, in the terms of `claim_verdict`.
_UNKNOWN_VERDICT = claim_verdict(SimpleNamespace(feature_value_id=None, support=_UNKNOWN))


# -- the reads --------------------------------------------------------------------------------


def framework_column_list(*, slugs: Sequence[str] | None = None) -> list[FrameworkColumn]:
    """Every framework by name, or those named by `slugs` in that order (unknown ones left out)."""
    rows = Framework.objects.order_by("name").values_list("id", "name", "slug")
    if slugs is not None:
        rows = rows.filter(slug__in=list(slugs))
    framework_url = url_maker("comparisons:framework-detail", "slug")
    columns = [
        FrameworkColumn(id=pk, name=name, slug=slug, url=framework_url(slug))
        for pk, name, slug in rows
    ]
    if slugs is not None:
        position = {slug: index for index, slug in enumerate(slugs)}
        columns.sort(key=lambda column: position[column.slug])
    return columns


_CELL_OF_CLAIM = attrgetter("feature_id", "framework_id")


def _published_claims(frameworks, feature_ids, moment):
    """The published claims of these cells: now, or as they were just before `moment`."""
    claims = Claim.objects.published() if moment is None else claims_published_as_of(moment=moment)
    return claims.filter(framework_id__in=[f.id for f in frameworks], feature__in=feature_ids)


def _cell_claims(frameworks, feature_ids, moment=None) -> dict[tuple[int, int], list]:
    """{(feature_id, framework_id): the cell's claims, the one to show first}."""
    claims = claims_in_cell_order(_published_claims(frameworks, feature_ids, moment)).values_list(
        "id",
        "feature_id",
        "framework_id",
        "support",
        "value",
        "rank",
        "feature_value_id",
        "feature_value__slug",
        "feature_value__label",
        "feature__kind",
        "since_version__version",
        "until_version__version",
        named=True,
    )
    # sorted() is stable: each cell's claims keep the cell order the query gave them.
    ordered = sorted(claims, key=_CELL_OF_CLAIM)
    return {cell: list(rows) for cell, rows in groupby(ordered, _CELL_OF_CLAIM)}


_CITATION_FIELDS = ("claim_id", "quote", "locator", "source_id")
_VERIFICATION_FIELDS = ("status", "verified_at", "checked_at")
# What a page shows of a citation's last check: its status only. The exports also give its
# dates, which on SQLite are parsed from text, one Python call per citation and date.
_PAGE_VERIFICATION_FIELDS = ("status",)


def _claim_citations(frameworks, feature_ids, moment=None, *, check_dates=False) -> dict[int, list]:
    """{claim_id: its citations, in the order they are numbered}: now, or as they were just
    before `moment` (with the sources' titles and the checks of today: neither has a history
    the matrix could read). The dates of their checks are read only if `check_dates`, else
    None."""
    fields = _VERIFICATION_FIELDS if check_dates else _PAGE_VERIFICATION_FIELDS
    if moment is None:
        citations = Citation.objects.published().filter(
            claim__framework_id__in=[f.id for f in frameworks],
            claim__feature__in=feature_ids,
        )
        verification = [f"verification__{name}" for name in fields]
    else:
        claims = _published_claims(frameworks, feature_ids, moment)
        citations = citations_as_of(moment=moment).filter(claim_id__in=claims.values("id"))
        # A history row has no reverse relation to the citation's check: read it by id, under
        # the names the live rows carry.
        checks = CitationVerification.objects.filter(citation_id=OuterRef("id"))
        citations = citations.annotate(
            **{f"verification_{name}": Subquery(checks.values(name)[:1]) for name in fields}
        )
        verification = [f"verification_{name}" for name in fields]
    rows = citations.order_by("claim_id", "id").values_list(*_CITATION_FIELDS, *verification)
    citations = map(_as_citation_row if check_dates else _as_undated_citation_row, rows)
    return {claim: list(rows) for claim, rows in groupby(citations, attrgetter("claim_id"))}


_CitationRow = namedtuple(
    "_CitationRow",
    [
        *_CITATION_FIELDS,
        *(f"verification__{name}" for name in _VERIFICATION_FIELDS),
    ],
)


class _UndatedCitationRow(
    namedtuple(
        "_UndatedCitationRow",
        [*_CITATION_FIELDS, *(f"verification__{name}" for name in _PAGE_VERIFICATION_FIELDS)],
    )
):
    """A citation row read without the dates of its check: they read as None."""

    __slots__ = ()
    verification__verified_at = None
    verification__checked_at = None


# A row read by name without a Python call per row, as values_list(named=True) makes them: the
# namedtuple's own constructor is a Python function, 12,000 calls on a 20 × 300 matrix.
_as_citation_row = partial(tuple.__new__, _CitationRow)
_as_undated_citation_row = partial(tuple.__new__, _UndatedCitationRow)


SOURCE_BATCH = 900  # under SQLite's smallest limit of variables per statement (999)


def cited_source_rows(citations: dict[int, list]) -> dict[int, SourceRow]:
    """The sources `citations` cite, by id: read apart from the citations, since a page cites
    the same few sources thousands of times and each citation row would carry its source's
    title and URL again. A source deleted since an earlier day's citation (?as_of=) is not
    among them."""
    ids = sorted({citation.source_id for rows in citations.values() for citation in rows})
    found = {}
    # In batches, so that an export of a whole large matrix never passes more ids than SQLite
    # takes in one statement; a page cites a few hundred sources at most, one batch.
    for start in range(0, len(ids), SOURCE_BATCH):
        batch = ids[start : start + SOURCE_BATCH]
        rows = Source.objects.filter(pk__in=batch).values_list("id", "title", "url", "kind")
        found |= {pk: SourceRow(title, url, kind) for pk, title, url, kind in rows}
    return found


@dataclass(frozen=True)
class ReleaseColumn:
    """One column shown as of one release of its framework (?release=django@4.2)."""

    framework_id: int
    version: str


def _holds_at(claim, key: tuple) -> bool:
    since, until = claim.since_version__version, claim.until_version__version
    return (since is None or version_key(since) <= key) and (
        until is None or key < version_key(until)
    )


def _holding_at(by_cell, release: ReleaseColumn) -> dict[tuple[int, int], list]:
    """The cells' claims, those of the release's column only if they hold at that release:
    added in it or before (or never said), and not removed by then. Versions compare as
    versions ("4.10" after "4.9"), which SQL cannot, so in Python."""
    key = version_key(release.version)
    kept = {}
    for cell, claims in by_cell.items():
        if cell[1] == release.framework_id:
            claims = [claim for claim in claims if _holds_at(claim, key)]
        if claims:
            kept[cell] = claims
    return kept


def _verified_claims_only(by_cell, citations) -> dict[tuple[int, int], list]:
    """The cells' claims that have a verified citation; cells left with none are dropped."""
    kept = {}
    for cell, claims in by_cell.items():
        verified = [
            claim
            for claim in claims
            if any(c.verification__status == _VERIFIED for c in citations.get(claim.id, ()))
        ]
        if verified:
            kept[cell] = verified
    return kept


def _differ(verdicts: list[tuple]) -> bool:
    # Unknown says nothing about a framework: "yes" beside "unknown" is no difference. A value
    # of a descriptor or assessment is compared by the value itself.
    return len(set(verdicts) - {_UNKNOWN_VERDICT}) > 1


def _keeps(
    verdicts: list[tuple],
    has_claim: bool,
    shown_kinds: Callable[[], set[str]],
    criteria: CellCriteria,
) -> bool:
    if criteria.support and criteria.support.isdisjoint(said for _, said in verdicts):
        return False
    if criteria.source_kind and criteria.source_kind not in shown_kinds():
        return False
    if criteria.differ and not _differ(verdicts):
        return False
    # An unknown row is one without any published claim: a published claim saying "unknown"
    # (its sources cannot tell) is still something a reader can follow.
    hides_unknown = criteria.hide_unknown or criteria.verified_only
    return not (hides_unknown and not has_claim)


@dataclass(slots=True)
class _KeptRow:
    feature: dict
    cell_claims: list[list]  # each framework's claims, in column order
    differ: bool


def _kept_rows(
    feature_rows,
    frameworks,
    by_cell,
    citations,
    sources: dict[int, SourceRow],
    criteria: CellCriteria,
    differing_first: bool,
) -> list[_KeptRow]:
    """The rows `criteria` keeps, judged by the levels their cells show, differing rows first
    if asked."""
    kept = []
    for feature in feature_rows:
        cells = [by_cell.get((feature["id"], framework.id), []) for framework in frameworks]
        verdicts = [claim_verdict(claims[0]) if claims else _UNKNOWN_VERDICT for claims in cells]

        def shown_kinds(cells=cells) -> set[str]:
            return {
                sources.get(citation.source_id, NO_SOURCE).kind
                for claims in cells
                if claims
                for citation in citations.get(claims[0].id, ())
            }

        if _keeps(verdicts, any(cells), shown_kinds, criteria):
            kept.append(_KeptRow(feature, cells, _differ(verdicts)))
    if differing_first:
        return [row for row in kept if row.differ] + [row for row in kept if not row.differ]
    return kept


def _grouped(rows: list[tuple[dict, Row]]) -> list[CategoryGroup]:
    groups: list[CategoryGroup] = []
    category_url = url_maker("comparisons:category-detail", "slug")
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


def matrix_build(
    *,
    frameworks: Sequence[FrameworkColumn],
    features: QuerySet[Feature],
    criteria: CellCriteria = CellCriteria(),  # noqa: B008 - frozen, so safe to share
    differing_first: bool = False,
    moment: datetime | None = None,
    release: ReleaseColumn | None = None,
    check_dates: bool = False,
) -> Matrix:
    """The matrix of `frameworks` (columns, in this order) × `features` (rows), in 3 queries
    and one per SOURCE_BATCH cited sources (one on any page).

    Only published claims are read: those of now, or, given a `moment`, those published just
    before it, as their history says they were then. A cell shows its preferred claim, else
    the best-ranked and most recently changed one (see `claims_in_cell_order`); the cell
    keeps the others so that disagreement stays visible. `criteria` then drops rows by what
    their cells show, and `differing_first` puts the rows where the frameworks differ in a
    section of their own.
    `criteria.verified_only` keeps only claims with a verified citation before any of this, so
    a cell shows the best such claim and rows with none are left out.
    Footnotes are numbered in the order the page shows them: every shown claim's citations,
    row by row, then those of the cells' other claims. Their checks' dates (`verified_at`,
    `checked_at`), which the exports give and the pages do not show, are read only if
    `check_dates`; else they are None.
    """
    feature_rows = list(
        features.values(
            "id", "name", "slug", "kind", "category_id", "category__name", "category__slug"
        )
    )
    feature_ids = features.order_by().values("pk")
    with no_collections():
        # Built in a function of its own, so that the rows it reads are freed when it returns,
        # before the collector is back on: its first collection then walks the records only.
        return _matrix_of(
            frameworks,
            feature_rows,
            feature_ids,
            criteria,
            differing_first,
            moment,
            release,
            check_dates,
        )


def _matrix_of(
    frameworks, feature_rows, feature_ids, criteria, differing_first, moment, release, check_dates
) -> Matrix:
    if frameworks and feature_rows:
        by_cell = _cell_claims(frameworks, feature_ids, moment)
        citations = _claim_citations(frameworks, feature_ids, moment, check_dates=check_dates)
        if release is not None:
            by_cell = _holding_at(by_cell, release)
        if criteria.verified_only:
            by_cell = _verified_claims_only(by_cell, citations)
    else:
        by_cell, citations = {}, {}
    sources = cited_source_rows(citations)
    kept = _kept_rows(
        feature_rows, frameworks, by_cell, citations, sources, criteria, differing_first
    )
    return _assembled(frameworks, kept, citations, sources, differing_first)


_UNKNOWN_MARK = support_display(_UNKNOWN)


def _agreeing_sources(claims, citations) -> int:
    """How many distinct sources the current claims of an agreeing cell cite, when there are
    several such claims (one claim alone is no agreement); else 0."""
    current = [claim for claim in claims if claim.rank != _DEPRECATED]
    if len(current) < 2:
        return 0
    return len({c.source_id for claim in current for c in citations.get(claim.id, ())})


def _assembled(
    frameworks, kept: list[_KeptRow], citations, sources, differing_first: bool
) -> Matrix:
    """The records of the kept rows, numbering citations as they come."""
    shown_count = sum(
        len(citations.get(claims[0].id, ())) for row in kept for claims in row.cell_claims if claims
    )
    footnoter = Footnoter(citations, sources, first_other=shown_count + 1)
    feature_url = url_maker("comparisons:feature-detail", "slug")
    counts = {
        framework.id: SupportSummary(framework, dict.fromkeys(SupportLevel.values, 0))
        for framework in frameworks
    }
    built: list[tuple[_KeptRow, Row]] = []
    several: list[tuple[Row, Cell]] = []
    columns = [(framework, counts[framework.id]) for framework in frameworks]
    note = footnoter.claim
    for kept_row in kept:
        feature = kept_row.feature
        row = Row(
            feature_id=feature["id"],
            name=feature["name"],
            slug=feature["slug"],
            url=feature_url(feature["slug"]),
            cells=[],
        )
        name, cells = row.name, row.cells
        capability = feature["kind"] == FeatureKind.CAPABILITY
        for (framework, summary), claims in zip(columns, kept_row.cell_claims, strict=True):
            anchor = f"c{row.feature_id}-{framework.id}"
            # Cells are made with positional arguments, in the order of Cell's fields (as
            # Footnoter makes its records): a 20 × 300 page makes 6,000 of them.
            if claims:
                shown = claims[0]
                first = note(shown, True, anchor, framework.name, name)
                # One claim alone neither disagrees, agrees with another nor supersedes one:
                # most cells have one, and skip the comparisons.
                several_claims = len(claims) > 1
                if several_claims:
                    others = f"claims-{anchor}"
                    cell_claims = [first] + [
                        note(other, False, others, framework.name, name) for other in claims[1:]
                    ]
                    disagree = claims_disagree(claims)
                    agreeing = 0 if disagree else _agreeing_sources(claims, citations)
                    # Besides the claim shown: a cell whose only claims are deprecated shows
                    # one of them, and "+1 superseded" must lead to a list of its others.
                    superseded = sum(1 for claim in claims[1:] if claim.rank == _DEPRECATED)
                else:
                    cell_claims, disagree, agreeing, superseded = [first], False, 0, 0
                cell = Cell(
                    anchor,
                    framework.id,
                    framework.name,
                    shown.support,
                    first.mark,
                    shown.value,
                    cell_claims,
                    disagree,
                    agreeing,
                    superseded,
                )
                if several_claims:
                    several.append((row, cell))
            else:
                shown = None
                cell = Cell(
                    anchor,
                    framework.id,
                    framework.name,
                    _UNKNOWN,
                    _UNKNOWN_MARK,
                    "",
                    [],
                    False,
                    0,
                    0,
                )
            cells.append(cell)
            if capability:
                summary.counts[cell.support] = summary.counts.get(cell.support, 0) + 1
            elif shown and shown.feature_value_id:
                summary.described += 1
            else:
                summary.undescribed += 1
        built.append((kept_row, row))

    def grouped(differ: bool | None = None) -> list[CategoryGroup]:
        return _grouped([(k.feature, row) for k, row in built if differ in (None, k.differ)])

    if differing_first:
        sections = [
            Section("differ", "Where they differ", grouped(differ=True)),
            Section("rest", "The rest", grouped(differ=False)),
        ]
    else:
        sections = [Section("all", "", grouped())]
    return Matrix(
        frameworks=list(frameworks),
        sections=sections,
        footnotes=footnoter.shown + footnoter.others,
        several_claims=several,
        summary=[counts[framework.id] for framework in frameworks],
    )
