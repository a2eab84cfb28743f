"""The parts of a large matrix: no page shows more than MATRIX_PAGE_CELLS cells.

A matrix page's cost (queries' rows, records, bytes, the reader's DOM) grows with the cells it
shows, so a matrix with more cells than the bound is split into parts of whole categories, in
the page's row order; a category too large for one part is split into runs of rows. Each part
has its own URL (`?part=2`, the first without it; comparisons/canonical.py). The filters that
look at what cells show (support, differ, …) then keep rows within the part, so a part never
shows more rows than it holds.

The split is made from one count of rows per category, so working it out costs as much with
3,000 features stored as with 300; the part's own rows are a slice of the row order, read as a
subquery of the matrix's own queries.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet

from knowledge.models import Feature

# The matrix's row order (Feature.Meta.ordering), made total so that runs of rows never
# overlap.
ROW_ORDER = ("category__order", "category__name", "category_id", "order", "name", "pk")


@dataclass(frozen=True, slots=True)
class MatrixPart:
    number: int  # from 1
    start: int  # the offset of its first row in the whole matrix's row order
    end: int  # one past its last row
    label: str  # its categories: "Web – Data", or "Data, rows 21–40 of 95"


class NoSuchPart(Exception):
    """The query asks for a part the matrix does not have."""


def part_number(value) -> int | None:
    """The part (or page) a parameter names when it is spelled as a whole number above 1, else
    None: the first (as Django's `Paginator.get_page` reads anything else)."""
    text = str(value or "").strip()
    # More digits than any count of parts or pages, and than int() takes from a string.
    if len(text) > 18 or not text.isdecimal() or not text.isascii() or int(text) < 2:
        return None
    return int(text)


def matrix_part_list(*, features: QuerySet[Feature], columns: int) -> list[MatrixPart]:
    """The parts of the matrix of `features` × `columns` frameworks; one when it fits the bound
    (or has no rows)."""
    per_part = max(1, settings.MATRIX_PAGE_CELLS // max(columns, 1))
    counts = list(
        features.order_by()
        .values("category_id", "category__order", "category__name")
        .annotate(rows=Count("pk", distinct=True))
        .order_by("category__order", "category__name", "category_id")
    )
    total = sum(count["rows"] for count in counts)
    if total <= per_part:
        return [MatrixPart(1, 0, total, "")]
    parts: list[MatrixPart] = []
    start, names = 0, []

    def close(end: int, label: str) -> None:
        nonlocal start, names
        parts.append(MatrixPart(len(parts) + 1, start, end, label))
        start, names = end, []

    offset = 0
    for count in counts:
        name, rows = count["category__name"], count["rows"]
        if names and offset + rows - start > per_part:
            close(offset, _label(names))
        if rows <= per_part:
            names.append(name)
        else:
            for first in range(0, rows, per_part):
                last = min(first + per_part, rows)
                close(offset + last, f"{name}, rows {first + 1}–{last} of {rows}")
        offset += rows
    if names:
        close(offset, _label(names))
    return parts


def _label(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} – {names[-1]}"


def part_features(features: QuerySet[Feature], part: MatrixPart) -> QuerySet[Feature]:
    """The rows of `part`, in the page's order. Its ids are a subquery, not a query of their
    own: the matrix reads the cited sources in one, within the same budget of queries. Each of
    the matrix's statements reads the slice again: on PostgreSQL a feature edit committed
    between two of them can shift a row for that one rendering, and the edit's content-version
    bump retires that rendering at once."""
    ids = features.order_by(*ROW_ORDER).values("pk")[part.start : part.end]
    return Feature.objects.filter(pk__in=ids).order_by(*ROW_ORDER)
