"""The benchmark's floor writes the matrix page's own bytes, from plain lists, with no query.

The cold figure divides the page's time by the floor's; a floor that wrote less than the page
would flatter it (the floor once left out the category rows and the several-claims list), and
one that wrote more would flatter the floor. So the floor's three parts must equal, byte for
byte, the page's whole matrix part: everything from the first category `<tbody>` to the last
`</tbody>`, the list of cells with several claims, and the footnote list.
"""

import re

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devtools.benchmark_floor import floor_data, floor_html, floor_parts
from knowledge.models import Claim, Framework
from tests.factories import make_grid

pytestmark = pytest.mark.django_db


def page_parts(page: str) -> tuple[str, str, str]:
    """The page's matrix part, cut where its template puts it (found independently of the
    floor: by the markup's own landmarks)."""
    tables = page[page.index('<tbody class="matrix__category"') : page.rindex("</tbody>") + 8]
    start = page.index('<div class="cell-claims__group"')
    end = page.index("</section>", start)
    several = page[start : page.rindex("</div>", start, end) + 6]
    start = page.index('<li id="fn-')
    end = page.index("</ol>", start)
    footnotes = page[start : page.rindex("</li>", start, end) + 5]
    return tables, several, footnotes


@pytest.fixture
def grid():
    # Three categories, unknown cells, cells with disagreeing and with agreeing claims.
    make_grid(4, 24, categories=3, rivals=2)


def test_the_floor_writes_the_pages_whole_matrix_part(client, grid):
    page = client.get(reverse("comparisons:matrix")).content.decode()
    tables, several, footnotes = floor_parts(floor_data())
    expected = page_parts(page)
    # The part is all there: every feature's row, every category's head, every footnote.
    assert tables.count('<tr class="matrix__row">') == 24
    assert tables.count('<tr class="matrix__category-row">') == 3
    assert several.count('class="cell-claims__group"') >= 1
    # Every footnote a cell or the several-claims list refers to, counted from the citation
    # numbers they show ("[7]", a link in the lists, text in the cells).
    shown = set(re.findall(r"\[(\d+)\]", expected[0] + expected[1]))
    assert footnotes.count("<li ") == len(shown)
    assert (tables, several, footnotes) == expected


def test_the_floor_runs_no_query(grid):
    data = floor_data()
    with CaptureQueriesContext(connections["default"]) as captured:
        html = floor_html(data)
    assert len(captured) == 0
    assert html.count('<tr class="matrix__row">') == 24


def test_a_different_cell_is_caught(client, grid):
    """The comparison above can fail: a claim changed after the floor read its data shows in
    the page and not in the floor's part."""
    data = floor_data()
    claim = Claim.objects.published().filter(framework=Framework.objects.first()).first()
    claim.value = "changed"
    claim.save()
    page = client.get(reverse("comparisons:matrix")).content.decode()
    tables, _, _ = floor_parts(data)
    assert tables != page_parts(page)[0]
