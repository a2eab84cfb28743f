"""The benchmark's floor writes the matrix page's own rows, cells and footnotes.

The cold figure divides the page's time by the floor's; a floor that wrote less than the page
would flatter nothing but make the figure meaningless, and one that wrote more would flatter
the page. So on data where the page and the floor agree on order (one claim per cell, one
category, features in creation order), every row and footnote the floor writes must be in the
page, character for character, and the page must hold no other.
"""

import re

import pytest
from django.urls import reverse

from devtools.benchmark import floor_html
from knowledge.models import SourceKind, SupportLevel
from tests.factories import (
    make_category,
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_source,
)

pytestmark = pytest.mark.django_db

ROWS = re.compile(r'<tr class="matrix__row">.*?</tr>', re.S)
FOOTNOTES = re.compile(r'<li id="fn-\d+">.*?</li>', re.S)


@pytest.fixture
def grid():
    category = make_category(name="Web & data", slug="web")
    frameworks = [make_framework(name=f"<Framework> {n}", slug=f"fw-{n}") for n in range(3)]
    features = [
        make_feature(name=f'Feature "{n}" & co', slug=f"f-{n}", category=category, order=n)
        for n in range(4)
    ]
    book = make_source(title="A <book>", kind=SourceKind.BOOK)
    levels = list(SupportLevel.values)
    for i, feature in enumerate(features):
        for j, framework in enumerate(frameworks):
            if (i, j) == (1, 2):
                continue  # an unknown cell
            claim = make_claim(
                framework=framework,
                feature=feature,
                support=levels[(i + j) % len(levels)],
                value="v <2>" if j == 0 else "",
                citations=0,
            )
            make_citation(claim=claim, quote=f"Quote {i}-{j} & “more”", locator="§ 1")
            if j == 1:
                make_citation(claim=claim, source=book, quote="", locator="")
    return frameworks, features


def test_the_floor_writes_the_pages_rows_and_footnotes(client, grid):
    page = client.get(reverse("comparisons:matrix")).content.decode()
    floor = floor_html()
    floor_rows, floor_notes = ROWS.findall(floor), FOOTNOTES.findall(floor)
    assert len(floor_rows) == 4 and len(floor_notes) == 4 * 3 - 1 + 4
    assert floor_rows == ROWS.findall(page)
    assert floor_notes == FOOTNOTES.findall(page)


def test_a_different_cell_is_caught(client, grid):
    """The comparison above can fail: a changed claim shows in the page and not in the floor's
    copy from before."""
    frameworks, features = grid
    floor = floor_html()
    claim = features[0].claims.get(framework=frameworks[0])
    claim.value = "changed"
    claim.save()
    page = client.get(reverse("comparisons:matrix")).content.decode()
    assert ROWS.findall(floor) != ROWS.findall(page)
    assert FOOTNOTES.findall(floor) == FOOTNOTES.findall(page)
