"""The pages the benchmark measures the site's against: a trivial page for the warm figure,
and a bare table of the matrix's cells for the browser figure."""

from html import escape

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from comparisons.records import Cell
from comparisons.selectors import matrix_get

HELLO_BODY = b"<!doctype html><title>hello</title><p>Hello.</p>"


def hello(request):
    return HttpResponse(HELLO_BODY)


def cell_text(cell: Cell) -> str:
    """What a reader sees in a cell, as plain text: its badge, value, citation numbers and the
    words about its other claims."""
    words = [cell.mark.symbol, cell.mark.label]
    claim = cell.claim
    if claim is not None:
        if claim.value:
            words.append(claim.value)
        words.append("".join(f"[{n}]" for n in claim.footnotes))
        if not claim.verified:
            words.append("unverified")
    if cell.disagree:
        words.append("⚠ Sources disagree")
    elif cell.agreeing_sources:
        words.append(f"{cell.agreeing_sources} sources agree")
    if cell.superseded:
        words.append(f"+{cell.superseded} superseded")
    return " ".join(word for word in words if word)


@require_safe
def bare_matrix(request):
    """The cells the matrix page's part shows (same query, same selector), as the barest table:
    a header row of framework names, then per feature its name and one cell of text per
    framework. The browser figure divides the page's load time and DOM size by this one's."""
    matrix = matrix_get(data=request.GET, paged=True).matrix
    head = "".join(f"<th>{escape(f.name)}</th>" for f in matrix.frameworks)
    rows = [
        f"<tr><th>{escape(row.name)}</th>"
        + "".join(f"<td>{escape(cell_text(cell))}</td>" for cell in row.cells)
        + "</tr>"
        for section in matrix.sections
        for group in section.groups
        for row in group.rows
    ]
    body = "\n".join(rows)
    return HttpResponse(
        f"<!doctype html><html lang=en><title>Bare matrix</title>"
        f"<table><tr><th>Feature</th>{head}</tr>\n{body}</table>"
    )
