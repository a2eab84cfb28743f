"""Template tags of the matrix: its rows, its cells with several claims and its footnotes.

A 20 × 300 matrix has 6,000 cells and 12,000 footnotes. Drawn with template variables it took
seconds, most of it in per-variable lookups, number formatting and `format_html`. These tags
write the markup from the records of `comparisons.matrix` with f-strings in which every text
value passes through `_e` (the standard library's `html.escape`, quotes included), so they are
safe in text and in attribute values alike; numbers are formatted with `:d`, which only an
int passes. Anchors (`c12-3`, `fnref-7`, `claims-c12-3`) are made by `matrix_build` from
such numbers.

The markup is lean on purpose, since every byte is repeated thousands of times: styles hang
on the table and list classes instead of a class per element, and a footnote does not repeat
which cell it belongs to, since its "back" link leads there. A value repeated across the page
(a source link, a claim link) is escaped and formatted once. `benchmark.floor_html` writes
the same row, cell and footnote markup: keep the two in step (tests/comparisons/test_matrix_floor).
Still no query and no decision here: only markup.
"""

from html import escape as _e

from django import template
from django.utils.safestring import SafeString, mark_safe

from comparisons.matrix import Cell, Footnote
from comparisons.support import support_display
from knowledge.models import ClaimRank

register = template.Library()


def _rank_label(rank: str) -> str:
    # What the admin calls it ("Preferred"); a value no longer a choice is shown as stored.
    return str(ClaimRank(rank).label) if rank in ClaimRank.values else rank


# {level: (classes, symbol and label)}: a display is a function of its level alone.
_badge_parts: dict[str, tuple[str, str]] = {}


def badge_parts(level: str) -> tuple[str, str]:
    """The classes and the content of a support level's badge (its symbol and its label, both
    always shown, never colour alone), escaped once per level."""
    parts = _badge_parts.get(level)
    if parts is None:
        mark = support_display(level)
        parts = _badge_parts[level] = (
            f"support {_e(mark.css_class)}",
            f'<b aria-hidden="true">{_e(mark.symbol)}</b> {_e(mark.label)}',
        )
    return parts


def _refs(numbers, *, backlinks: bool) -> str:
    # Only the cell's references carry the ids the footnotes' "back" links return to.
    if backlinks:
        return "".join(
            f'<a href="#fn-{n:d}" id="fnref-{n:d}" aria-label="Citation {n:d}">[{n:d}]</a>'
            for n in numbers
        )
    return "".join(f'<a href="#fn-{n:d}" aria-label="Citation {n:d}">[{n:d}]</a>' for n in numbers)


def _cell(cell: Cell) -> str:
    """A cell's `<td>`."""
    classes, badge = badge_parts(cell.support)
    anchor = cell.anchor
    if not cell.claims:
        return f'<td id="{anchor}"><span class="{classes}">{badge}</span></td>'
    shown = cell.claims[0]
    start = '<td class="cell--disagree" id="' if cell.disagree else '<td id="'
    html = f'{start}{anchor}"><a class="{classes}" href="{_e(shown.url)}">{badge}</a>'
    if shown.value:
        html += f'<span class="cell__value">{_e(shown.value)}</span>'
    if shown.footnote_count:
        html += _refs(shown.footnotes, backlinks=True)
    if cell.disagree:
        html += (
            f' <a class="cell__disagree" href="#claims-{anchor}">'
            '<span aria-hidden="true">⚠</span> Sources disagree</a>'
        )
    elif len(cell.claims) > 1:
        count = len(cell.claims) - 1
        plural = "" if count == 1 else "s"
        html += f' <a class="cell__more" href="#claims-{anchor}">+{count:d} claim{plural}</a>'
    return html + "</td>"


@register.simple_tag
def matrix_rows(rows) -> SafeString:
    """The `<tr>` of each feature: its name, then one cell per framework."""
    return mark_safe(
        "\n".join(
            f'<tr class="matrix__row"><th scope="row" class="matrix__feature">'
            f'<a href="{_e(row.url)}">{_e(row.name)}</a></th>'
            f"{''.join([_cell(cell) for cell in row.cells])}</tr>"
            for row in rows
        )
    )


def _claim_item(claim, *, shown: bool) -> str:
    classes, badge = badge_parts(claim.support)
    value = f' <span class="cell__value">{_e(claim.value)}</span>' if claim.value else ""
    note = ' <span class="muted">(shown in the table)</span>' if shown else ""
    rank = (
        f' <span class="rank">{_e(_rank_label(claim.rank))}</span>'
        if claim.rank != "normal"
        else ""
    )
    refs = (
        _refs(claim.footnotes, backlinks=False)
        if claim.footnote_count
        else '<span class="muted">no citation</span>'
    )
    return (
        f'<li><span class="{classes}">{badge}</span>{value}{note}{rank} '
        f'<a href="{_e(claim.url)}">claim #{claim.id:d}</a> {refs}</li>'
    )


@register.simple_tag
def several_claims(pairs) -> SafeString:
    """For each (row, cell) with several published claims: all of them, the shown one first."""
    groups = []
    for row, cell in pairs:
        disagree = (
            ' <span class="cell__disagree"><span aria-hidden="true">⚠</span> Sources disagree'
            "</span>"
            if cell.disagree
            else ""
        )
        items = "".join(
            _claim_item(claim, shown=index == 0) for index, claim in enumerate(cell.claims)
        )
        groups.append(
            f'<div class="cell-claims__group" id="claims-{cell.anchor}"><h3>{_e(row.name)} '
            f'<span class="sep" aria-hidden="true">·</span> {_e(cell.framework_name)}{disagree}'
            f'</h3><ul class="cell-claims__list">{items}</ul>'
            f'<p><a href="#{cell.anchor}">Back to the cell</a></p></div>'
        )
    return mark_safe("\n".join(groups))


@register.simple_tag
def footnote_items(matrix) -> SafeString:
    """The `<li>` of every footnote, in order (the list's own numbering shows the number)."""
    sources: dict[int, str] = {}
    claims: dict[int, str] = {}
    items = []
    fn: Footnote
    for fn in matrix.footnotes:
        source = sources.get(fn.source.id)
        if source is None:
            source = sources[fn.source.id] = (
                f'<a href="{_e(fn.source.page)}">{_e(fn.source.title)}</a> '
                f"({_e(fn.source.kind_label)})"
            )
        claim = claims.get(fn.claim_id)
        if claim is None:
            claim = claims[fn.claim_id] = f'<a href="{_e(fn.claim_url)}">claim #{fn.claim_id:d}</a>'
        quote = f"<blockquote>{_e(fn.quote)}</blockquote>" if fn.quote else ""
        locator = f"{_e(fn.locator)}, " if fn.locator else ""
        items.append(
            f'<li id="fn-{fn.number:d}">{quote}{locator}{source} · {claim} · '
            f'<a href="#{fn.backref}">back</a></li>'
        )
    return mark_safe("\n".join(items))
