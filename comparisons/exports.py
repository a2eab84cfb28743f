"""The matrix as CSV and JSON.

Both are written from the same `Matrix` records the page renders, so an export holds exactly
the page's rows for the same query string: all of them, from each part of a matrix split into
parts (comparisons/parts.py) in turn, so that a large export is written part by part (the
view streams it) and never held whole in memory.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from .records import Cell, Footnote, Matrix

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def cell_text(cell: Cell) -> str:
    """The badge's text (a support level, or a descriptor's or assessment's value), then the
    detail when there is one: “Built in: Jinja2”, “Microframework”."""
    label = cell.mark.label
    text = f"{label}: {cell.value}" if cell.value else label
    if cell.disagree:
        text += " (sources disagree)"
    return text


class _Line:
    """What csv.writer writes to, so that it hands back each line instead."""

    def write(self, line: str) -> str:
        return line


def matrix_csv_lines(matrices: Iterable[Matrix]) -> Iterator[str]:
    """The CSV of the parts `matrices`: one header row, then their rows in order."""
    writer = csv.writer(_Line())
    for n, matrix in enumerate(matrices):
        for row in matrix_csv_rows(matrix, header=n == 0):
            yield writer.writerow(row)


def matrix_csv_rows(matrix: Matrix, *, header: bool = True) -> Iterator[list[str]]:
    """One header row, then one row per feature in page order, one column per framework."""
    if header:
        yield ["Category", "Feature", *(spreadsheet_safe(f.name) for f in matrix.frameworks)]
    for section in matrix.sections:
        for group in section.groups:
            for row in group.rows:
                yield [
                    spreadsheet_safe(group.name),
                    spreadsheet_safe(row.name),
                    *(spreadsheet_safe(cell_text(cell)) for cell in row.cells),
                ]


def _date(moment) -> str | None:
    return moment.isoformat() if moment else None


def _citation(footnote: Footnote, absolute: Callable[[str], str]) -> dict:
    return {
        "claim_id": footnote.claim_id,
        "quote": footnote.quote,
        "locator": footnote.locator,
        "verification": {
            "status": footnote.verification,
            "verified_at": _date(footnote.verified_at),
            "checked_at": _date(footnote.checked_at),
        },
        "source": {
            "id": footnote.source.id,
            "title": footnote.source.title,
            "url": footnote.source.url,
            "kind": footnote.source.kind,
            "page": absolute(footnote.source.page),
        },
    }


def _said(item) -> dict:
    """What a cell or claim says: a support level, or (descriptor and assessment rows) the slug
    of the value it picks; `label` is its badge's text either way."""
    picks_value = item.support == "" and item.mark.level != ""
    return {
        "support": None if picks_value else item.support,
        "feature_value": item.mark.level if picks_value else None,
        "label": item.mark.label,
    }


def matrix_json_chunks(
    matrices: Iterable[Matrix], *, query: str, absolute: Callable[[str], str]
) -> Iterator[str]:
    """The JSON document of the parts `matrices` (`matrix_json`'s shape, all their features in
    order), written feature by feature."""
    matrices = iter(matrices)
    first = next(matrices)
    head = json.dumps(
        {
            "filters": query,
            "frameworks": [
                {"slug": f.slug, "name": f.name, "url": absolute(f.url)} for f in first.frameworks
            ],
        },
        ensure_ascii=False,
        indent=1,
    )
    yield head.removesuffix("\n}") + ',\n "features": ['
    separator = "\n"
    for matrix in _chained(first, matrices):
        for feature in _json_features(matrix, absolute):
            yield separator + json.dumps(feature, ensure_ascii=False, indent=1)
            separator = ",\n"
    yield ("]" if separator == "\n" else "\n ]") + "\n}\n"


def _chained(first: Matrix, rest: Iterator[Matrix]) -> Iterator[Matrix]:
    yield first
    yield from rest


def _json_features(matrix: Matrix, absolute: Callable[[str], str]) -> Iterator[dict]:
    by_number = {footnote.number: footnote for footnote in matrix.footnotes}

    def claim(claim) -> dict:
        return {
            "id": claim.id,
            "url": absolute(claim.url),
            **_said(claim),
            "value": claim.value,
            "rank": claim.rank,
            "citations": [_citation(by_number[n], absolute) for n in claim.footnotes],
        }

    for section in matrix.sections:
        for group in section.groups:
            for row in group.rows:
                yield (
                    {
                        "slug": row.slug,
                        "name": row.name,
                        "category": group.name,
                        "url": absolute(row.url),
                        "cells": {
                            framework.slug: {
                                **_said(cell),
                                "value": cell.value,
                                "sources_disagree": cell.disagree,
                                "agreeing_sources": cell.agreeing_sources,
                                "superseded_claims": cell.superseded,
                                "evidence_verified": bool(cell.claim and cell.claim.verified),
                                "claims": [claim(c) for c in cell.claims],
                            }
                            for framework, cell in zip(matrix.frameworks, row.cells, strict=True)
                        },
                    }
                )
