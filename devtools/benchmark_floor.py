"""The cold figure's floor: the matrix's bytes written from plain lists, with no query.

`floor_data` reads everything the matrix part of the page shows (its tables' category groups
and rows, the cells with several claims, the footnotes) into plain tuples, before any timing;
`floor_html` then only writes them, with the page's own markup writers
(comparisons/templatetags/matrix.py), so that the floor follows any change to the markup
without a copy of it. The cold figure divides the page's time by the floor's: the page's
queries, records, template frame, middleware and compression, over the least work that can
write the same bytes. `tests/devtools/test_floor.py` holds the floor's bytes equal to the
page's for the whole part it claims: every `<tbody>` of the table, category rows included,
the several-claims list and the footnote list.

The data come from the page's selector, so the floor shows the cell the page shows (the
preferred claim, disagreement, agreeing sources): deciding what to show is the page's work,
writing it is the floor's.
"""

from dataclasses import dataclass

from django.http import QueryDict
from django.template.defaultfilters import pluralize
from django.utils.html import escape

from comparisons.records import Cell, Footnote, Row
from comparisons.selectors import matrix_get
from comparisons.templatetags import matrix as markup

# The category group's `<tbody>` and head row as _matrix_table.html writes them: that markup
# has no Python writer, so this is the one copy of it, held equal to the template's output by
# tests/devtools/test_floor.py (three groups at 20 × 300: none of the floor's time).
_GROUP_OPEN = """<tbody class="matrix__category" id="{key}-{slug}">
        <tr class="matrix__category-row">
          <th scope="rowgroup" colspan="{colspan}" aria-labelledby="name-{key}-{slug}">
            <span class="matrix__category-head">
              <input class="matrix__toggle" type="checkbox" id="hide-{key}-{slug}" \
aria-label="Hide the features of {name}">
              <h3 class="matrix__category-name" id="name-{key}-{slug}"><label \
class="matrix__toggle-label" for="hide-{key}-{slug}"><span class="matrix__chevron" \
aria-hidden="true"></span>{name}</label></h3>
              <span class="muted">{count} feature{plural}</span>
              <a class="matrix__category-link" href="{url}">about</a>
            </span>
          </th>
        </tr>
        """
_GROUP_CLOSE = "\n      </tbody>"
_BETWEEN_GROUPS = "\n      \n      "


@dataclass(frozen=True)
class FloorData:
    """What the floor writes, as plain values: no record, no model, nothing lazy."""

    groups: list[tuple[str, int, list[tuple[str, str, list[tuple]]]]]  # (head, rows, cells)
    several: list[tuple[Row, Cell]]  # the page's tag reads these records as they are
    several_notes: list[Footnote]
    footnotes: list[tuple]


def _cell_values(cell: Cell) -> tuple:
    claim = cell.claim
    if claim is None:
        return (cell.anchor, cell.mark, "", "", (), True, False, 0, 0)
    return (
        cell.anchor,
        cell.mark,
        claim.url,
        claim.value,
        tuple(cell.footnotes),
        claim.verified,
        cell.disagree,
        cell.agreeing_sources,
        cell.superseded,
    )


def floor_data(data: QueryDict | None = None) -> FloorData:
    """Everything the matrix part of `/matrix/?<data>` shows, read before the floor is timed."""
    matrix = matrix_get(data=data if data is not None else QueryDict()).matrix
    colspan = len(matrix.frameworks) + 1
    groups = []
    for section in matrix.sections:
        for group in section.groups:
            head = _GROUP_OPEN.format(
                key=escape(section.key),
                slug=escape(group.slug),
                name=escape(group.name),
                url=escape(group.url),
                colspan=colspan,
                count=len(group.rows),
                plural=pluralize(len(group.rows)),
            )
            rows = [
                (row.url, row.name, [_cell_values(cell) for cell in row.cells])
                for row in group.rows
            ]
            groups.append((head, len(rows), rows))
    footnotes = [
        (
            fn.number,
            fn.quote,
            fn.locator,
            fn.source.id,
            fn.source.page,
            fn.source.title,
            fn.source.kind_label,
            fn.claim_id,
            fn.claim_url,
            fn.framework_name,
            fn.feature_name,
            fn.backref,
        )
        for fn in matrix.footnotes
    ]
    return FloorData(groups, list(matrix.several_claims), list(matrix.footnotes), footnotes)


def floor_parts(data: FloorData) -> tuple[str, str, str]:
    """The floor's three parts: the tables' groups, the several-claims list, the footnotes."""
    cell_html, row_html = markup.cell_html, markup.row_html
    tables = []
    for head, _, rows in data.groups:
        written = []
        for url, name, cells in rows:
            written.append(
                row_html(
                    url=url,
                    name=name,
                    cells="".join(
                        [
                            cell_html(
                                anchor=anchor,
                                mark=mark,
                                url=claim_url,
                                value=value,
                                footnotes=numbers,
                                verified=verified,
                                disagree=disagree,
                                agreeing_sources=agreeing,
                                superseded=superseded,
                            )
                            for (
                                anchor,
                                mark,
                                claim_url,
                                value,
                                numbers,
                                verified,
                                disagree,
                                agreeing,
                                superseded,
                            ) in cells
                        ]
                    ),
                )
            )
        tables.append(head + "\n".join(written) + _GROUP_CLOSE)
    # The page's own tag, without a page's context: its fragment as it is.
    several = markup.several_claims({}, data.several, data.several_notes)
    sources: dict[int, str] = {}
    claims: dict[int, str] = {}
    notes = []
    for (
        number,
        quote,
        locator,
        source_id,
        page,
        title,
        kind_label,
        claim_id,
        claim_url,
        framework,
        feature,
        backref,
    ) in data.footnotes:
        source = sources.get(source_id)
        if source is None:
            source = sources[source_id] = markup.source_link_html(
                page=page, title=title, kind_label=kind_label
            )
        claim = claims.get(claim_id)
        if claim is None:
            claim = claims[claim_id] = markup.claim_link_html(
                url=claim_url, framework=framework, feature=feature
            )
        notes.append(
            markup.footnote_html(
                number=number,
                quote=quote,
                locator=locator,
                source_link=source,
                claim_link=claim,
                backref=backref,
            )
        )
    return _BETWEEN_GROUPS.join(tables), str(several), "\n".join(notes)


def floor_html(data: FloorData) -> str:
    """The floor's bytes, the three parts one after the other."""
    return "".join(floor_parts(data))


def floor_render(data: FloorData) -> int:
    """The floor, timed: the length of its HTML, so the work cannot be optimised away."""
    return len(floor_html(data))
