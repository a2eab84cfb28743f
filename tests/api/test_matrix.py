"""The API matrix is the /matrix/ page's matrix: checked against the page's JSON export (its
own writer) and the page's HTML, for the same query strings."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import make_grid

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "support=no&support=partial",
    "differ=on",
    "hide_unknown=on&source_kind=article",
    "q=layer",
]


@pytest.fixture
def grid():
    return make_grid(4, 12, categories=3)


def _api(client, query):
    response = client.get(f"{reverse('api:matrix')}?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _rows(body):
    return [
        (group["name"], row)
        for section in body["sections"]
        for group in section["categories"]
        for row in group["rows"]
    ]


@pytest.mark.parametrize("query", QUERIES)
def test_the_api_matrix_holds_the_exports_rows_cells_and_citations(client, grid, query):
    api = _api(client, query)
    export = client.get(f"{reverse('comparisons:matrix-json')}?{query}", follow=True).json()
    footnotes = {f["number"]: f for f in api["footnotes"]}
    assert [f["slug"] for f in api["frameworks"]] == [f["slug"] for f in export["frameworks"]]
    rows = _rows(api)
    assert [row["slug"] for _, row in rows] == [f["slug"] for f in export["features"]]
    assert rows, "the query should keep some rows"
    for (category, row), expected in zip(rows, export["features"], strict=True):
        assert category == expected["category"]
        for cell in row["cells"]:
            wanted = expected["cells"][cell["framework"]]
            assert cell["support"] == wanted["support"]
            assert cell["value"] == wanted["value"]
            assert cell["sources_disagree"] == wanted["sources_disagree"]
            assert [c["id"] for c in cell["claims"]] == [c["id"] for c in wanted["claims"]]
            assert cell["other_claims"] == max(len(wanted["claims"]) - 1, 0)
            for claim, wanted_claim in zip(cell["claims"], wanted["claims"], strict=True):
                quotes = [footnotes[n]["quote"] for n in claim["footnotes"]]
                assert quotes == [c["quote"] for c in wanted_claim["citations"]]


@pytest.mark.parametrize("query", QUERIES[:3])
def test_the_api_matrix_numbers_footnotes_as_the_page_does(client, grid, query):
    api = _api(client, query)
    html = client.get(f"{reverse('comparisons:matrix')}?{query}").content.decode()
    items = dict(re.findall(r'<li id="fn-(\d+)">(.*?)</li>', html))
    assert len(items) == len(api["footnotes"]) > 0
    sources = {source["id"]: source for source in api["sources"]}
    for number, footnote in enumerate(api["footnotes"], start=1):
        assert footnote["number"] == number
        item = unescape(items[str(number)])
        assert footnote["quote"] in item
        assert f'href="/claims/{footnote["claim"]}/"' in items[str(number)]
        assert sources[footnote["source"]]["title"] in item
    # The markers a cell shows link to the same numbers.
    for _, row in _rows(api):
        for cell in row["cells"]:
            if cell["claims"]:
                refs = re.search(rf'id="{cell["anchor"]}">(.*?)</td>', html).group(1)
                shown = [int(n) for n in re.findall(r'href="#fn-(\d+)"', refs)]
                assert shown == cell["claims"][0]["footnotes"]


def test_the_api_matrix_links_to_the_same_view_as_a_page(client, grid):
    api = _api(client, "support=no&q=layer")
    assert api["page"] == f"http://testserver{reverse('comparisons:matrix')}?{api['filters']}"
    assert "support=no" in api["filters"]
