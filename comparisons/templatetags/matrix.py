"""Template tags of the matrix: its table rows and its footnote list, rendered in Python.

A 20 × 300 matrix has 6,000 cells and as many footnotes. Drawn with template variables it took
seconds, most of it in per-variable lookups, number formatting and `format_html`. These tags
write the same markup from the selector's dataclasses with f-strings in which every value
passes through `_e` (the standard library's `html.escape`, quotes included), so they are safe
in text and in attribute values alike. Still no query and no decision here: only markup.
"""

from html import escape as _e

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _badge(mark, url: str = "", title: str = "") -> str:
    inner = (
        f'<span class="support__symbol" aria-hidden="true">{_e(mark.symbol)}</span> '
        f'<span class="support__label">{_e(mark.label)}</span>'
    )
    if url:
        return (
            f'<a class="cell__claim support {_e(mark.css_class)}" href="{_e(url)}" '
            f'title="{_e(title)}">{inner}</a>'
        )
    return f'<span class="support {_e(mark.css_class)}">{inner}</span>'


def _cell(cell) -> str:
    claim = cell.claim
    parts = [_badge(cell.mark, claim.url, f"Claim #{claim.id}") if claim else _badge(cell.mark)]
    if cell.value:
        parts.append(f'<span class="cell__value">{_e(cell.value)}</span>')
    if cell.footnotes:
        refs = "".join(
            f'<a class="fn-ref" href="#fn-{n:d}" id="fnref-{n:d}" aria-label="Citation {n:d}">'
            f"[{n:d}]</a>"
            for n in cell.footnotes
        )
        parts.append(f'<span class="cell__refs">{refs}</span>')
    anchor = _e(cell.anchor)
    if cell.disagree:
        parts.append(
            f'<a class="cell__disagree" href="#claims-{anchor}"><span aria-hidden="true">⚠</span>'
            " Sources disagree</a>"
        )
    elif cell.other_claim_count:
        count = cell.other_claim_count
        plural = "" if count == 1 else "s"
        parts.append(f'<a class="cell__more" href="#claims-{anchor}">+{count:d} claim{plural}</a>')
    disagree = " cell--disagree" if cell.disagree else ""
    return f'<td class="cell{disagree}" id="{anchor}">{" ".join(parts)}</td>'


@register.simple_tag
def matrix_row(row) -> SafeString:
    """The `<tr>` of one feature: its name, then one cell per framework."""
    cells = "".join(_cell(cell) for cell in row.cells)
    return mark_safe(
        f'<tr class="matrix__row"><th scope="row" class="matrix__feature">'
        f'<a href="{_e(row.url)}">{_e(row.name)}</a></th>{cells}</tr>'
    )


def _footnote(fn) -> str:
    quote = (
        f'<blockquote class="footnote__quote"><p>{_e(fn.quote)}</p></blockquote>'
        if fn.quote
        else ""
    )
    locator = f'<span class="footnote__locator">{_e(fn.locator)}</span>, ' if fn.locator else ""
    sep = '<span class="sep" aria-hidden="true">·</span>'
    return (
        f'<li class="footnote" id="fn-{fn.number:d}">'
        f'<span class="footnote__number">{fn.number:d}.</span><div class="footnote__body">'
        f'<p class="footnote__cell">{_e(fn.framework_name)} {sep} {_e(fn.feature_name)}</p>'
        f'{quote}<p class="footnote__meta">{locator}'
        f'<a class="footnote__source" href="{_e(fn.source_page)}">{_e(fn.source_title)}</a> '
        f'<span class="muted">({_e(fn.source_kind_label)})</span> {sep} '
        f'<a class="footnote__claim" href="{_e(fn.claim_url)}">claim #{fn.claim_id:d}</a> {sep} '
        f'<a class="footnote__back" href="#{_e(fn.backref)}">back'
        '<span class="visually-hidden"> to the table</span></a></p></div></li>'
    )


@register.simple_tag
def footnote_items(footnotes) -> SafeString:
    """The `<li>` of every footnote, in order."""
    return mark_safe("\n".join(_footnote(fn) for fn in footnotes))
