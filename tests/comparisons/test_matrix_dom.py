"""The matrix page's DOM, counted as a browser running scripts builds it: a cell is two
elements, and the page at most three times a bare table of the same cells (issue 16).

A browser with scripts reads a <noscript>'s content as text, not elements: so the elements
counted are all those the parser finds (it parses as a browser without scripts) except those
inside a <noscript>, plus the one popover static/js/matrix.js adds.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from selectolax.lexbor import LexborHTMLParser

from devtools.views import bare_matrix

pytestmark = pytest.mark.django_db

ADDED_BY_SCRIPT = 1  # the popover


def elements_with_script(html: str) -> int:
    tree = LexborHTMLParser(html)
    return len(tree.css("*")) - len(tree.css("noscript *")) + ADDED_BY_SCRIPT


@pytest.fixture
def page():
    # 2,000 cells: one part, as many cells as a part may show.
    call_command("seed_synthetic", "--frameworks", "20", "--features", "100", stdout=StringIO())
    return reverse("comparisons:matrix")


def test_a_cell_is_its_td_and_badge_and_its_markers(client, page):
    tree = LexborHTMLParser(client.get(page).content.decode())
    cells = tree.css(".matrix td")
    assert len(cells) == 2000
    marked = 0
    for td in cells:
        markers = len(td.css(".cell__disagree, .cell__more"))
        marked += bool(markers)
        # css("*") finds the node itself too.
        assert len(td.css("*")) == 2 + markers, td.html
    assert marked, "the synthetic data has cells with several claims"
    for row in tree.css("tr.matrix__row"):
        # The row, its heading and the heading's link, then its cells.
        assert len(row.css("*")) - sum(len(td.css("*")) for td in row.css("td")) == 3


def test_the_page_is_at_most_three_times_a_bare_table_of_its_cells(client, page):
    html = client.get(page).content.decode()
    bare = bare_matrix(RequestFactory().get(page)).content.decode()
    bare_elements = len(LexborHTMLParser(bare).css("*"))
    # html, head, title, body, table, tbody; a row per feature and the header row; a heading
    # per row and column and the corner; a cell per framework and feature.
    assert bare_elements == 6 + 101 + 121 + 2000
    assert elements_with_script(html) <= 3 * bare_elements
    # Not by leaving the quotes out: every footnote is on the page, as text until opened.
    tree = LexborHTMLParser(html)
    notes = tree.css("noscript .footnotes__list > li")
    assert len(notes) == len(tree.css(".footnotes__list > li")) >= 2000
