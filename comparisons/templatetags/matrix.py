"""Template tags of the matrix: its rows, its cells with several claims and its footnotes.

The one renderer of the matrix markup. A 20 × 300 matrix has 6,000 cells and 12,000
footnotes; `manage.py benchmark` draws the same records with Django's template engine and
with Jinja2 beside these tags, which write them several times faster than either (see its
renderer table). So the markup is written with f-strings in which every text value passes
through `_e` (the standard library's `html.escape`, quotes included), safe in text and in
attribute values alike; numbers are formatted with `:d`, which only an int passes. Anchors (`c12-3`,
`claims-c12-3`) are made by `matrix_build` from such numbers.

The writers (`row_html`, `cell_html`, `footnote_html`, …) take keyword arguments of plain
values, so the tags call them with a record's fields by name, and the benchmark's floor
writes the same bytes from plain lists with the same functions instead of a copy
(devtools/benchmark_floor.py). The tags hand their output to `comparisons/fragments.py`: on a
page rendered by `render_spliced` it is put into the page in one join at the end, not copied
up through every level of the template.

The markup is lean on purpose, since every byte and element is repeated thousands of times:
styles hang on the table and list classes instead of a class per element, and a cell is two
elements, its badge's link and the `<td>` (the browser's DOM per cell is asserted in
tests/comparisons/test_matrix_dom.py). A footnote names its cell
("Django · ORM", the link to its claim), since it opens in place over the table, away from the
cell it belongs to. A value repeated across the page (a source link, a claim link) is escaped
and formatted once. No query and no decision here: only markup.
"""

from collections.abc import Iterable, Sequence
from functools import cache
from html import escape as _e

from django import template
from django.utils.safestring import SafeString

from comparisons.fragments import fragment
from comparisons.records import Cell, CellClaim, Footnote, Row
from comparisons.support import SupportDisplay
from knowledge.models import ClaimRank

register = template.Library()


def _rank_label(rank: str) -> str:
    # What the admin calls it ("Preferred"); a value no longer a choice is shown as stored.
    return str(ClaimRank(rank).label) if rank in ClaimRank.values else rank


# After a shown claim's citation numbers when the last check found none of its quotes verbatim.
UNVERIFIED = "unverified"


# Memoised per display: a display holds everything its badge shows, so each is escaped once.
@cache
def badge_parts(mark: SupportDisplay) -> tuple[str, str]:
    """The classes and the content of a badge (a support level's or a value's symbol and
    label, both always shown, never colour alone)."""
    return (
        f"support {_e(mark.css_class)}",
        f'<b aria-hidden="true">{_e(mark.symbol)}</b> {_e(mark.label)}',
    )


@cache
def cell_badge(mark: SupportDisplay) -> tuple[str, str]:
    """The same for a badge in a cell, where the symbol is text: a `<b>` in each of 2,000
    cells was a third of the table's elements."""
    return (
        f"support {_e(mark.css_class)}",
        f"{_e(mark.symbol)} {_e(mark.label)}",
    )


def refs_html(numbers: Iterable[int]) -> str:
    # In the lists of a cell's claims: each reference its own link (a few cells, not 2,000).
    return "".join(f'<a href="#fn-{n:d}" aria-label="Citation {n:d}">[{n:d}]</a>' for n in numbers)


def markers_html(*, anchor: str, disagree: bool, agreeing_sources: int, superseded: int) -> str:
    """What a cell's other claims say, in words: they disagree; they agree, and how many
    sources say so; older claims were superseded. Each links to the list of them all."""
    html = ""
    link = f'href="#claims-{anchor}"'
    if disagree:
        html += f'\n<a class="cell__disagree" {link}>⚠ Sources disagree</a>'
    elif agreeing_sources:
        words = (
            "1 source agrees" if agreeing_sources == 1 else f"{agreeing_sources:d} sources agree"
        )
        html += f'\n<a class="cell__more" {link}>{words}</a>'
    if superseded:
        html += f'\n<a class="cell__more" {link}>+{superseded:d} superseded</a>'
    return html


def cell_html(
    *,
    anchor: str,
    mark: SupportDisplay,
    url: str = "",
    value: str = "",
    footnotes: Sequence[int] = (),
    verified: bool = True,
    disagree: bool = False,
    agreeing_sources: int = 0,
    superseded: int = 0,
) -> str:
    """A cell's `<td>`: its badge, a link to the shown claim's first footnote (to the claim
    when it cites nothing); then, one to a line (the table keeps line breaks), its value, its
    citation numbers (marked when none of their quotes was found verbatim at the last check)
    and what its other claims say, when it has any.

    Two elements for most cells: the numbers and words are text, since the footnote the badge
    leads to names its cell, and the page's script opens all of the cell's footnotes in place
    (static/js/matrix.js); without it the badge's footnote opens over the table."""
    classes, badge = cell_badge(mark)
    if not url:
        return f'<td id="{anchor}"><span class="{classes}">{badge}</span></td>'
    numbers = footnotes
    href = f"#fn-{numbers[0]:d}" if numbers else _e(url)
    start = '<td class="cell--disagree" id="' if disagree else '<td id="'
    html = f'{start}{anchor}"><a class="{classes}" href="{href}">{badge}</a>'
    if value:
        html += f"\n{_e(value)}"
    refs = "".join(f"[{n:d}]" for n in numbers)
    if not verified:
        refs = f"{refs} {UNVERIFIED}" if refs else UNVERIFIED
    if refs:
        html += f"\n{refs}"
    markers = markers_html(
        anchor=anchor,
        disagree=disagree,
        agreeing_sources=agreeing_sources,
        superseded=superseded,
    )
    return html + markers + "</td>"


def row_html(*, url: str, name: str, cells: str) -> str:
    """A feature's `<tr>`: its name, then its cells' markup."""
    return (
        f'<tr class="matrix__row"><th scope="row" class="matrix__feature">'
        f'<a href="{_e(url)}">{_e(name)}</a></th>{cells}</tr>'
    )


def source_link_html(*, page: str, title: str, kind_label: str) -> str:
    return f'<a href="{_e(page)}">{_e(title)}</a> ({_e(kind_label)})'


def claim_link_html(*, url: str, framework: str, feature: str) -> str:
    """The link to a footnote's claim, named by its cell: "Django · ORM"."""
    return f'<a href="{_e(url)}">{_e(framework)} · {_e(feature)}</a>'


def footnote_html(
    *, number: int, quote: str, locator: str, source_link: str, claim_link: str, backref: str
) -> str:
    """A footnote's `<li>` (the list's own numbering shows the number); the links are
    written once per source and claim by `source_link_html` and `claim_link_html`. Its "back"
    link returns to its cell (or its cell's list of claims): the script opens together the
    footnotes that return to the same cell."""
    quote = f"<blockquote>{_e(quote)}</blockquote>" if quote else ""
    locator = f"{_e(locator)}, " if locator else ""
    return (
        f'<li id="fn-{number:d}">{quote}{locator}{source_link} · {claim_link} · '
        f'<a href="#{backref}">back</a></li>'
    )


def _cell(cell: Cell) -> str:
    if not cell.claims:
        return cell_html(anchor=cell.anchor, mark=cell.mark)
    claim = cell.claims[0]
    first = claim.first_footnote
    return cell_html(
        anchor=cell.anchor,
        mark=cell.mark,
        url=claim.url,
        value=claim.value,
        # The shown claim's citation numbers (Cell.footnotes), without a list per cell.
        footnotes=range(first, first + claim.footnote_count),
        verified=claim.verified,
        disagree=cell.disagree,
        agreeing_sources=cell.agreeing_sources,
        superseded=cell.superseded,
    )


@register.simple_tag(takes_context=True)
def matrix_rows(context, rows: list[Row]) -> SafeString:
    """The `<tr>` of each feature: its name, then one cell per framework."""
    return fragment(
        context,
        "\n".join(
            row_html(url=row.url, name=row.name, cells="".join([_cell(c) for c in row.cells]))
            for row in rows
        ),
    )


_NO_CITATION = ' <span class="muted">no citation</span>'


def _claim_item(claim: CellClaim, *, shown: bool, footnotes: list[Footnote]) -> str:
    """A claim of the list: its badge (a link to it), value and rank, then each citation's
    quote with its reference, so a reader compares the claims' quotes side by side."""
    classes, badge = badge_parts(claim.mark)
    value = f' <span class="cell__value">{_e(claim.value)}</span>' if claim.value else ""
    note = ' <span class="muted">(shown in the table)</span>' if shown else ""
    rank = (
        f' <span class="rank">{_e(_rank_label(claim.rank))}</span>'
        if claim.rank != "normal"
        else ""
    )
    start = claim.first_footnote - 1
    quotes = "".join(
        (f" <q>{_e(fn.quote)}</q>" if fn.quote else "") + refs_html((fn.number,))
        for fn in footnotes[start : start + claim.footnote_count]
    )
    return (
        f'<li><a class="{classes}" href="{_e(claim.url)}">{badge}</a>{value}{note}{rank}'
        f"{quotes or _NO_CITATION}</li>"
    )


@register.simple_tag(takes_context=True)
def several_claims(context, pairs: list[tuple[Row, Cell]], footnotes: list[Footnote]) -> SafeString:
    """For each (row, cell) with several published claims: all of them, the shown one first,
    each with its quotes (from `footnotes`, the page's)."""
    groups = []
    for row, cell in pairs:
        disagree = (
            ' <span class="cell__disagree"><span aria-hidden="true">⚠</span> Sources disagree'
            "</span>"
            if cell.disagree
            else ""
        )
        items = "".join(
            _claim_item(claim, shown=index == 0, footnotes=footnotes)
            for index, claim in enumerate(cell.claims)
        )
        groups.append(
            f'<div class="cell-claims__group" id="claims-{cell.anchor}"><h3>'
            f'{_e(cell.framework_name)} <span class="sep" aria-hidden="true">·</span> '
            f'{_e(row.name)}{disagree}</h3><ul class="cell-claims__list">{items}</ul>'
            f'<p><a href="#{cell.anchor}">Back to the cell</a></p></div>'
        )
    return fragment(context, "\n".join(groups))


@register.simple_tag(takes_context=True)
def footnote_items(context, footnotes: list[Footnote]) -> SafeString:
    """The `<li>` of every footnote, in order."""
    sources: dict[int, str] = {}
    claims: dict[int, str] = {}
    items = []
    for fn in footnotes:
        source = sources.get(fn.source.id)
        if source is None:
            source = sources[fn.source.id] = source_link_html(
                page=fn.source.page, title=fn.source.title, kind_label=fn.source.kind_label
            )
        claim = claims.get(fn.claim_id)
        if claim is None:
            claim = claims[fn.claim_id] = claim_link_html(
                url=fn.claim_url, framework=fn.framework_name, feature=fn.feature_name
            )
        items.append(
            footnote_html(
                number=fn.number,
                quote=fn.quote,
                locator=fn.locator,
                source_link=source,
                claim_link=claim,
                backref=fn.backref,
            )
        )
    return fragment(context, "\n".join(items))
