"""The API matrix is the /matrix/ page's matrix: checked against the page's JSON export (its
own writer) and the page's HTML, for the same query strings."""

import json
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
    # The citation numbers a cell shows are the same, and its badge leads to the first.
    for _, row in _rows(api):
        for cell in row["cells"]:
            if cell["claims"]:
                refs = re.search(rf'id="{cell["anchor"]}">(.*?)</td>', html, re.S).group(1)
                shown = [int(n) for n in re.findall(r"\[(\d+)\]", refs)]
                numbers = cell["claims"][0]["footnotes"]
                assert shown == numbers
                if numbers:
                    assert f'href="#fn-{numbers[0]}"' in refs


def test_the_api_matrix_links_to_the_same_view_as_a_page(client, grid):
    api = _api(client, "support=no&q=layer")
    assert api["page"] == f"http://testserver{reverse('comparisons:matrix')}?{api['filters']}"
    assert "support=no" in api["filters"]


def _follow_parts(client, url):
    """Every part of the API matrix, by following `next` from `url`."""
    bodies = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        bodies.append(response.json())
        url = bodies[-1]["part"]["next"]
    return bodies


@pytest.mark.parametrize("query", ["", "support=no&support=partial"])
def test_a_large_api_matrix_comes_in_parts_that_together_are_the_export(
    client, grid, settings, query
):
    settings.MATRIX_PAGE_CELLS = 12  # four columns: three rows a part
    response = client.get(f"{reverse('comparisons:matrix-json')}?{query}", follow=True)
    export = json.loads(b"".join(response.streaming_content))  # streamed: several parts
    bodies = _follow_parts(client, f"http://testserver{reverse('api:matrix')}?{query}")
    assert len(bodies) > 1
    for number, body in enumerate(bodies, start=1):
        assert body["part"]["number"] == number
        assert body["part"]["count"] == len(bodies)
        cells = sum(len(row["cells"]) for _, row in _rows(body))
        assert cells <= settings.MATRIX_PAGE_CELLS
        # The HTML page of the same part.
        assert body["page"].endswith(f"part={number}") == (number > 1)
    assert bodies[0]["part"]["previous"] is None
    assert bodies[1]["part"]["previous"].startswith("http://testserver/api/v1/matrix/")
    shown = [row["slug"] for body in bodies for _, row in _rows(body)]
    assert shown == [feature["slug"] for feature in export["features"]]


def test_the_api_matrix_part_is_the_page_part(client, grid, settings):
    settings.MATRIX_PAGE_CELLS = 12
    api = _api(client, "part=2")
    html = client.get(f"{reverse('comparisons:matrix')}?part=2").content.decode()
    for _, row in _rows(api):
        for cell in row["cells"]:
            assert f'id="{cell["anchor"]}"' in html
    assert html.count("<td") == sum(len(row["cells"]) for _, row in _rows(api))


def test_an_api_matrix_part_past_the_end_is_404(client, grid, settings):
    settings.MATRIX_PAGE_CELLS = 12
    count = _api(client, "")["part"]["count"]
    response = client.get(f"{reverse('api:matrix')}?part={count + 1}")
    assert response.status_code == 404
    assert "part" in response.json()["message"]
