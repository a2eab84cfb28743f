"""The changes list as CSV and JSON: the same `Change` records the page renders."""

from collections.abc import Callable, Iterator

from .changes import Change
from .exports import spreadsheet_safe

CSV_HEADER = [
    "Date",
    "Framework",
    "Feature",
    "Category",
    "Change",
    "Before",
    "After",
    "Detail",
    "Statement",
    "Claim URL",
]


def _label(display) -> str:
    return display.label if display else ""


def change_csv_rows(changes: list[Change], *, absolute: Callable[[str], str]) -> Iterator[list]:
    """One header row, then one row per change, in the page's order (by day, then framework)."""
    yield CSV_HEADER
    for change in changes:
        yield [
            change.date.isoformat(),
            *(
                spreadsheet_safe(text)
                for text in (
                    change.framework.name,
                    change.feature.name,
                    change.category.name,
                    change.kind_label,
                    _label(change.old),
                    _label(change.new),
                    change.detail,
                    change.statement,
                )
            ),
            absolute(change.claim_url) if change.claim_url else "",
        ]


def change_json(changes: list[Change], *, selection: dict, absolute) -> dict:
    return {
        "since": selection["since"].isoformat(),
        "until": selection["until"].isoformat(),
        "changes": [
            {
                "id": change.id,
                "date": change.date.isoformat(),
                "kind": change.kind,
                "framework": {"name": change.framework.name, "slug": change.framework.slug},
                "feature": {"name": change.feature.name, "slug": change.feature.slug},
                "category": {"name": change.category.name, "slug": change.category.slug},
                "claim_id": change.claim_id,
                "claim_url": absolute(change.claim_url) if change.claim_url else None,
                "statement": change.statement,
                "before": _label(change.old) or None,
                "after": _label(change.new) or None,
                "detail": change.detail,
            }
            for change in changes
        ],
    }
