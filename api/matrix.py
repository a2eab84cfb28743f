"""The matrix in the API: the `Matrix` that /matrix/ renders, written as JSON.

`/api/v1/matrix/` calls `comparisons.selectors.matrix_get` with the request's query string,
exactly as the page does, and writes its records: the same frameworks in the same column
order, the same sections and category groups of rows, the same shown claim per cell, the
same "sources disagree" and "+N claims" markers, and the same footnote numbers. Sources are
listed once and footnotes name them by id, because a 20 × 300 matrix cites the same few
hundred sources 12,000 times.

The response is written from the records directly rather than through serializers (a
serializer per cell and citation costs more than the page's whole render); the serializers
below only describe it, for the OpenAPI schema, and the schemathesis tests hold the two equal.
"""

from rest_framework import serializers

from comparisons.collector import no_collections
from comparisons.records import CellClaim
from comparisons.selectors import FilteredMatrix


def matrix_payload(result: FilteredMatrix, *, origin: str, api_path: str, page_path: str) -> dict:
    """The part of the matrix `result` holds as plain JSON data; `origin` ("https://host")
    makes its paths absolute."""
    # Some 40,000 dicts for a 20 × 300 matrix: made with the collector on, they set off the
    # same fruitless full collections that matrix_build pauses it for.
    with no_collections():
        return _payload(result, origin=origin, api_path=api_path, page_path=page_path)


def _url(origin: str, path: str, query: str) -> str:
    return origin + path + (f"?{query}" if query else "")


def _parts(result: FilteredMatrix, *, origin: str, api_path: str) -> dict:
    """Where this response is among the parts of the matrix, with a link to each."""
    number = result.part.number

    def link(part_number: int) -> str | None:
        if not 1 <= part_number <= len(result.parts):
            return None
        return _url(origin, api_path, result.part_query(part_number))

    return {
        "number": number,
        "count": len(result.parts),
        "label": result.part.label,
        "previous": link(number - 1),
        "next": link(number + 1),
        "parts": [
            {"number": part.number, "label": part.label, "url": link(part.number)}
            for part in result.parts
        ],
    }


def _payload(result: FilteredMatrix, *, origin: str, api_path: str, page_path: str) -> dict:
    matrix = result.matrix

    def claim(item: CellClaim) -> dict:
        return {
            "id": item.id,
            "url": origin + item.url,
            "support": item.support,
            "mark": item.mark.level,
            "label": item.mark.label,
            "value": item.value,
            "rank": item.rank,
            "footnotes": item.footnotes,
        }

    slugs = [framework.slug for framework in matrix.frameworks]
    sections = []
    for section in matrix.sections:
        groups = []
        for group in section.groups:
            rows = []
            for row in group.rows:
                cells = []
                for slug, cell in zip(slugs, row.cells, strict=True):
                    cells.append(
                        {
                            "framework": slug,
                            "anchor": cell.anchor,
                            "support": cell.support,
                            "mark": cell.mark.level,
                            "label": cell.mark.label,
                            "value": cell.value,
                            "sources_disagree": cell.disagree,
                            "agreeing_sources": cell.agreeing_sources,
                            "superseded": cell.superseded,
                            "other_claims": cell.other_claim_count,
                            "claims": [claim(item) for item in cell.claims],
                        }
                    )
                rows.append(
                    {
                        "id": row.feature_id,
                        "slug": row.slug,
                        "name": row.name,
                        "url": origin + row.url,
                        "cells": cells,
                    }
                )
            groups.append(
                {"slug": group.slug, "name": group.name, "url": origin + group.url, "rows": rows}
            )
        sections.append({"key": section.key, "title": section.title, "categories": groups})
    sources = {}
    footnotes = []
    for footnote in matrix.footnotes:
        source = footnote.source
        if source.id not in sources:
            sources[source.id] = {
                "id": source.id,
                "title": source.title,
                "url": source.url,
                "kind": source.kind,
                "kind_label": source.kind_label,
                "page": origin + source.page,
            }
        footnotes.append(
            {
                "number": footnote.number,
                "claim": footnote.claim_id,
                "source": source.id,
                "quote": footnote.quote,
                "locator": footnote.locator,
            }
        )
    return {
        "filters": result.query,
        "page": _url(origin, page_path, result.page_query),
        "part": _parts(result, origin=origin, api_path=api_path),
        "frameworks": [
            {"id": f.id, "slug": f.slug, "name": f.name, "url": origin + f.url}
            for f in matrix.frameworks
        ],
        "sections": sections,
        "footnotes": footnotes,
        "sources": list(sources.values()),
    }


# -- the schema of the payload (documentation only) -------------------------------------------


class MatrixClaimSchema(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    support = serializers.CharField(
        allow_blank=True, help_text="Its support level; empty when it picks a value."
    )
    mark = serializers.CharField(help_text="The support level, or the slug of the value.")
    label = serializers.CharField(help_text="The badge's words: “Built in”, “Microframework”.")
    value = serializers.CharField(allow_blank=True)
    rank = serializers.CharField()
    footnotes = serializers.ListField(
        child=serializers.IntegerField(), help_text="Numbers of this claim's footnotes."
    )


class MatrixCellSchema(serializers.Serializer):
    framework = serializers.SlugField(help_text="The column's framework.")
    anchor = serializers.CharField(help_text="The cell's id on the HTML page.")
    support = serializers.CharField(
        allow_blank=True,
        help_text="The level the cell shows (its first claim's); empty for a value.",
    )
    mark = serializers.CharField(help_text="The support level, or the slug of the value shown.")
    label = serializers.CharField(help_text="The badge's words.")
    value = serializers.CharField(allow_blank=True, help_text="The shown claim's detail.")
    sources_disagree = serializers.BooleanField()
    agreeing_sources = serializers.IntegerField(
        help_text="When several current claims agree: the distinct sources they cite."
    )
    superseded = serializers.IntegerField(help_text="Deprecated claims, kept for the record.")
    other_claims = serializers.IntegerField(help_text="Published claims besides the shown one.")
    claims = MatrixClaimSchema(many=True, help_text="The shown claim first, then the others.")


class MatrixRowSchema(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()
    cells = MatrixCellSchema(many=True, help_text="One per framework, in column order.")


class MatrixCategorySchema(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()
    rows = MatrixRowSchema(many=True)


class MatrixSectionSchema(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    categories = MatrixCategorySchema(many=True)


class MatrixFrameworkSchema(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField()


class MatrixFootnoteSchema(serializers.Serializer):
    number = serializers.IntegerField()
    claim = serializers.IntegerField(help_text="The id of the claim it belongs to.")
    source = serializers.IntegerField(help_text="The id of a source in `sources`.")
    quote = serializers.CharField(allow_blank=True)
    locator = serializers.CharField(allow_blank=True)


class MatrixSourceSchema(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True, help_text="Empty for sources not on the web.")
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    page = serializers.URLField()


class MatrixPartLinkSchema(serializers.Serializer):
    number = serializers.IntegerField()
    label = serializers.CharField(allow_blank=True, help_text="Its categories.")
    url = serializers.URLField()


class MatrixPartSchema(serializers.Serializer):
    number = serializers.IntegerField(help_text="This response's part, from 1.")
    count = serializers.IntegerField(help_text="How many parts the matrix has.")
    label = serializers.CharField(allow_blank=True, help_text="Its categories.")
    previous = serializers.URLField(allow_null=True)
    next = serializers.URLField(allow_null=True)
    parts = MatrixPartLinkSchema(many=True)


class MatrixSchema(serializers.Serializer):
    filters = serializers.CharField(allow_blank=True, help_text="The valid filters applied.")
    page = serializers.URLField(help_text="The same view as an HTML page.")
    part = MatrixPartSchema(
        help_text="A matrix of more than MATRIX_PAGE_CELLS cells comes in parts of whole "
        "categories (or runs of rows), each its own response."
    )
    frameworks = MatrixFrameworkSchema(many=True, help_text="The columns, in order.")
    sections = MatrixSectionSchema(many=True)
    footnotes = MatrixFootnoteSchema(many=True, help_text="Number n is footnotes[n - 1].")
    sources = MatrixSourceSchema(many=True)
