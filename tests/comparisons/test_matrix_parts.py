"""A bounded page: no matrix page shows more than MATRIX_PAGE_CELLS cells; a larger matrix
comes in parts of whole categories (or runs of rows), each with its own canonical URL, and the
exports stay complete."""

import csv
import datetime
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comparisons.cache import bump_content_version
from knowledge.models import Feature
from tests.factories import make_comparison, make_grid

pytestmark = pytest.mark.django_db

BOUND = 100
CELL = re.compile(r'<td(?: class="cell--disagree")? id="c(\d+)-(\d+)">')


@pytest.fixture(autouse=True)
def _bound(settings):
    settings.MATRIX_PAGE_CELLS = BOUND


def _rows_in_page_order(grid):
    """The matrix's rows read from the ORM, in the order the page shows them."""
    ids = {f.pk for f in grid.features}
    ordered = Feature.objects.order_by("category__order", "category__name", "order", "name", "pk")
    return [f.pk for f in ordered if f.pk in ids]


def _parts(client, path):
    """(html, query count) of every part of the page at `path`, following its navigation."""
    pages, url = [], path
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        pages.append((html, len(queries)))
        following = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = following.group(1).replace("&amp;", "&") if following else None
    return pages


def _shown_rows(html):
    return list(dict.fromkeys(int(feature) for feature, _ in CELL.findall(html)))


@pytest.mark.parametrize(("frameworks", "features", "categories"), [(4, 30, 3), (10, 120, 6)])
def test_every_part_keeps_within_the_bound_and_the_parts_hold_every_cell(
    client, frameworks, features, categories
):
    grid = make_grid(frameworks, features, categories=categories)

    pages = _parts(client, "/matrix/")

    for html, _ in pages:
        assert len(CELL.findall(html)) <= BOUND
    rows = [row for html, _ in pages for row in _shown_rows(html)]
    assert rows == _rows_in_page_order(grid)
    # Here every category fits a part (4 × 10 rows ≤ 100 cells; 10 × 20 rows do not, and
    # are split into runs of exactly 10 rows): a category is never cut where it fits.
    per_part = BOUND // frameworks
    size = features // categories
    part_of = {row: n for n, (html, _) in enumerate(pages) for row in _shown_rows(html)}
    for category in grid.categories:
        parts = {part_of[f.pk] for f in grid.features if f.category_id == category.pk}
        assert len(parts) == (1 if size <= per_part else size // per_part)


def test_a_part_costs_the_same_queries_whatever_is_stored(client):
    """Guards against a query per part, per category or per row of the whole matrix: each part
    is read with the same fixed handful at 4 × 30 and at 10 × 120 stored."""
    make_grid(4, 30, categories=3)
    small = {count for _, count in _parts(client, "/matrix/")}
    make_grid(10, 120, categories=6)
    bump_content_version()  # the test's transaction never commits, which would bump it
    large = {count for _, count in _parts(client, "/matrix/")}

    assert small == large and len(small) == 1


def test_a_category_larger_than_a_part_is_split_into_runs_of_rows(client):
    make_grid(10, 60, categories=2)  # 30 rows a category, 10 a part

    pages = _parts(client, "/matrix/")

    assert len(pages) == 6
    first = pages[0][0]
    assert "part 1 of 6" in first
    category = re.search(r"<strong>part 1 of 6</strong>, ([^<]+), rows 1–10 of 30\.", first)
    assert category, first[first.index("matrix-parts") :][:400]


def test_the_navigation_shows_where_you_are_with_canonical_links(client):
    make_grid(10, 30, categories=3)  # a category a part

    html = client.get("/matrix/?part=2").content.decode()

    nav = html[html.index('<nav class="matrix-parts"') :]
    nav = nav[: nav.index("</nav>")]
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', nav)]
    assert links == ["/matrix/", "/matrix/?part=2", "/matrix/?part=3"]
    assert 'href="/matrix/?part=2" aria-current="page"' in nav
    assert "<strong>part 2 of 3</strong>" in nav
    assert '<link rel="canonical" href="http://testserver/matrix/?part=2">' in html
    for link in links:
        assert client.get(link).status_code == 200


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/matrix/?part=1", "/matrix/"),
        ("/matrix/?part=02", "/matrix/?part=2"),
        ("/matrix/?part=2&hide_unknown=on", "/matrix/?hide_unknown=on&part=2"),
        ("/matrix/?part=x", "/matrix/"),
        ("/matrix/export.csv?part=2", "/matrix/export.csv"),
        ("/matrix/export.json?part=2&support=yes", "/matrix/export.json?support=yes"),
    ],
)
def test_the_part_has_one_spelling_and_the_exports_have_none(client, url, canonical):
    response = client.get(url)

    assert response.status_code == 301
    assert response["Location"] == canonical


def test_a_part_the_matrix_does_not_have_is_404(client):
    make_grid(10, 30, categories=3)  # a category a part

    assert client.get("/matrix/?part=3").status_code == 200
    assert client.get("/matrix/?part=4").status_code == 404


def test_a_part_is_cached_under_its_own_url(client, django_assert_num_queries):
    make_grid(4, 30, categories=3)
    first, second = client.get("/matrix/"), client.get("/matrix/?part=2")

    with django_assert_num_queries(0):
        again = client.get("/matrix/?part=2")

    assert again.content == second.content != first.content


def test_the_filters_keep_rows_within_the_part(client):
    grid = make_grid(4, 30, categories=3)
    part_rows = _shown_rows(client.get("/matrix/?part=2").content.decode())

    filtered = _shown_rows(client.get("/matrix/?differ=on&part=2").content.decode())

    assert filtered and set(filtered) <= set(part_rows)
    assert set(part_rows) <= set(_rows_in_page_order(grid))


def test_a_head_to_head_and_a_curated_comparison_are_bounded_too(client):
    grid = make_grid(10, 60, categories=6)
    comparison = make_comparison("All ten", "all-ten", grid.frameworks)
    slugs = "-vs-".join(f.slug for f in grid.frameworks[:8])

    for path in (f"/compare/{slugs}/", comparison.get_absolute_url()):
        pages = _parts(client, path)
        assert len(pages) > 1, path
        assert all(len(CELL.findall(html)) <= BOUND for html, _ in pages), path


def test_the_exports_stream_every_part_and_hold_every_row(client):
    grid = make_grid(4, 30, categories=3)
    names = {f.pk: f.name for f in grid.features}
    expected = [names[pk] for pk in _rows_in_page_order(grid)]

    csv_response = client.get("/matrix/export.csv")
    json_response = client.get("/matrix/export.json")

    assert csv_response.streaming and json_response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert rows[0][:2] == ["Category", "Feature"] and len(rows[0]) == 2 + 4
    assert [row[1] for row in rows[1:]] == expected
    document = json.loads(b"".join(json_response.streaming_content))
    assert [feature["name"] for feature in document["features"]] == expected
    assert len(document["frameworks"]) == 4


def test_an_export_streaming_while_rows_are_deleted_still_ends_whole(client):
    grid = make_grid(4, 30, categories=3)
    response = client.get("/matrix/export.csv")
    chunks = iter(response.streaming_content)
    header = next(chunks)
    # Between two parts a curator deletes the last category's rows: counted again, the matrix
    # would have fewer parts than the export set out to write.
    Feature.objects.filter(category=grid.categories[-1]).delete()
    rest = b"".join(chunks)
    rows = list(csv.reader(io.StringIO((header + rest).decode())))
    assert rows[0][:2] == ["Category", "Feature"]
    assert len(rows) > 1


def test_an_export_of_one_part_is_whole_and_cached(client, django_assert_num_queries):
    grid = make_grid(4, 30, categories=3)
    url = f"/matrix/export.json?category={grid.categories[0].slug}"
    first = client.get(url)

    with django_assert_num_queries(0):
        again = client.get(url)

    assert not first.streaming
    assert again.content == first.content
    assert json.loads(first.content)["features"]


def test_the_today_link_of_a_past_day_s_part_keeps_the_part(client):
    make_grid(4, 30, categories=3)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    then = client.get(f"/matrix/?as_of={yesterday}&part=2")
    assert then.status_code == 200
    html = then.content.decode()
    link = re.search(r'<a href="([^"]+)">See it as it is today</a>', html).group(1)
    assert link == "/matrix/?part=2"
    today = client.get(link.replace("&amp;", "&"))
    assert today.status_code == 200
    # The same rows, today.
    assert _shown_rows(today.content.decode()) == _shown_rows(html)


def test_parts_of_a_tag_filtered_matrix_hold_exactly_its_tagged_rows(client):
    """The tag filter makes a DISTINCT queryset; its parts, read as a sliced subquery, still
    hold every tagged row once, in the page's order, each part within the bound."""
    grid = make_grid(4, 60, categories=3)
    tagged = set(_rows_in_page_order(grid)[5:55])
    for feature in grid.features:
        if feature.pk in tagged:
            feature.tags.add("async", "api")  # two tags: the join would repeat rows
        else:
            feature.tags.add("api")
    pages = _parts(client, "/matrix/?tag=async")
    assert len(pages) > 1
    shown = [row for html, _ in pages for row in _shown_rows(html)]
    assert shown == [row for row in _rows_in_page_order(grid) if row in tagged]
    assert all(len(CELL.findall(html)) <= BOUND for html, _ in pages)
