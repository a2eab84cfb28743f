"""/matrix/export.csv and /matrix/export.json: the page's rows, with the same filters."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Framework
from tests.factories import (
    make_citation,
    make_claim,
    make_comparison,
    make_feature,
    make_framework,
    make_grid,
    make_source,
    make_verification,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("comparisons:matrix")
CSV = reverse("comparisons:matrix-csv")
JSON = reverse("comparisons:matrix-json")


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def _page_rows(html):
    return re.findall(r'<th scope="row" class="matrix__feature"><a [^>]*>([^<]*)</a>', html)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "support=no",
        "differ=on&framework={fw[0]}&framework={fw[2]}",
        "category={cat[1]}&hide_unknown=on",
        "q=offers+1",
        "framework={fw[1]}&support=partial&support=yes",
    ],
)
def test_csv_rows_are_the_page_rows_for_the_same_query(client, query):
    grid = make_grid(4, 12, categories=3)
    query = query.format(
        fw=[f.slug for f in grid.frameworks], cat=[c.slug for c in grid.categories]
    )
    # The page and its export redirect a query spelled another way to its canonical form.
    page_rows = _page_rows(client.get(f"{PAGE}?{query}", follow=True).content.decode())
    rows = _csv(client.get(f"{CSV}?{query}", follow=True))
    assert [row[1] for row in rows[1:]] == page_rows
    assert page_rows or query.startswith("q=")  # the filters leave something to compare


def test_csv_has_a_column_per_framework_and_label_plus_value_cells(client):
    framework = make_framework(name="Django")
    feature = make_feature(name="Templates")
    make_claim(framework=framework, feature=feature, support="yes", value="DTL and Jinja2")
    response = client.get(CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="citegrid-matrix.csv"'
    header, row = _csv(response)
    assert header == ["Category", "Feature", "Django"]
    assert row[1:] == ["Templates", "Built in: DTL and Jinja2"]


def test_csv_cells_that_look_like_formulas_are_defused(client):
    make_claim(feature=make_feature(name="=HYPERLINK(1)"), value="+1")
    _, row = _csv(client.get(CSV))
    assert row[1] == "'=HYPERLINK(1)"
    assert row[2] == "Built in: +1"  # starts with a letter: left alone


def test_json_carries_citations_with_sources_and_claim_ids(client):
    framework = make_framework(name="Django", slug="django")
    feature = make_feature(name="ORM", slug="orm")
    claim = make_claim(framework=framework, feature=feature, value="Django ORM", citations=0)
    source = make_source(title="Django docs", url="https://docs.djangoproject.com/", kind="book")
    make_citation(claim=claim, source=source, quote="Models are Python classes.", locator="§ 1")
    response = client.get(JSON)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="citegrid-matrix.json"'
    data = json.loads(response.content)
    assert data["frameworks"][0]["slug"] == "django"
    cell = data["features"][0]["cells"]["django"]
    assert (
        cell["support"] == "yes" and cell["label"] == "Built in" and cell["value"] == "Django ORM"
    )
    (citation,) = cell["claims"][0]["citations"]
    assert citation == {
        "claim_id": claim.pk,
        "quote": "Models are Python classes.",
        "locator": "§ 1",
        "verification": {"status": "unchecked", "verified_at": None, "checked_at": None},
        "source": {
            "id": source.pk,
            "title": "Django docs",
            "url": "https://docs.djangoproject.com/",
            "kind": "book",
            "page": f"http://testserver{source.get_absolute_url()}",
        },
    }
    assert cell["claims"][0]["id"] == claim.pk
    assert cell["evidence_verified"] is False


def test_json_carries_each_citations_last_check_and_its_dates(client):
    claim = make_claim(citations=0)
    checked = make_verification(make_citation(claim=claim), status="not_found")
    found = make_verification(make_citation(claim=claim, quote="Found."))
    cell = json.loads(client.get(JSON).content)["features"][0]["cells"][claim.framework.slug]
    assert [c["verification"] for c in cell["claims"][0]["citations"]] == [
        {"status": "not_found", "verified_at": None, "checked_at": checked.checked_at.isoformat()},
        {
            "status": "verified",
            "verified_at": found.verified_at.isoformat(),
            "checked_at": found.checked_at.isoformat(),
        },
    ]
    assert cell["evidence_verified"] is True
    # And as of a day, whose citations are read from their history (the checks of today).
    day = timezone.localdate().isoformat()
    earlier = json.loads(client.get(f"{JSON}?as_of={day}").content)["features"][0]["cells"]
    assert earlier[claim.framework.slug]["claims"][0]["citations"] == cell["claims"][0]["citations"]


def test_json_features_are_the_page_rows(client):
    make_grid(3, 9)
    query = "support=no"
    # The page redirects a query spelled another way to its canonical form.
    page_rows = _page_rows(client.get(f"{PAGE}?{query}", follow=True).content.decode())
    data = json.loads(client.get(f"{JSON}?{query}").content)
    assert [feature["name"] for feature in data["features"]] == page_rows
    assert data["filters"] == query


def test_json_lists_every_claim_of_a_disagreeing_cell(client):
    framework, feature = make_framework(slug="flask"), make_feature()
    make_claim(framework=framework, feature=feature, key="a", support="yes")
    make_claim(framework=framework, feature=feature, key="b", support="no")
    cell = json.loads(client.get(JSON).content)["features"][0]["cells"]["flask"]
    assert cell["sources_disagree"] is True
    assert sorted(c["support"] for c in cell["claims"]) == ["no", "yes"]


@pytest.mark.parametrize("url", [CSV, JSON])
@pytest.mark.parametrize("query", ["framework=nope", "support=bogus", "q=%00", "q=" + "x" * 10_000])
def test_invalid_filters_are_a_400_never_a_different_export(client, url, query):
    make_claim()
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert "Invalid filters" in response.content.decode()


def test_the_matrix_page_links_to_both_exports(client):
    make_claim()
    html = client.get(PAGE).content.decode()
    assert f'href="{CSV}"' in html and f'href="{JSON}"' in html


def _links(html, name):
    """The page's links with a query string to the URL named `name`, unescaped."""
    path = reverse(f"comparisons:{name}")
    return [
        href.replace("&amp;", "&")
        for href in re.findall(r'href="([^"]*)"', html)
        if href.startswith(f"{path}?")
    ]


@pytest.fixture
def head_to_head():
    """Django, Flask and FastAPI where they differ on some rows only: column and row orders
    that name order and category order would both change."""
    web = make_feature(name="Admin", slug="admin")
    same = make_feature(name="Blueprints", slug="blueprints", category=web.category)
    zeta = make_feature(name="Zeta", slug="zeta", category=web.category)
    django = make_framework(name="Django", slug="django")
    flask = make_framework(name="Flask", slug="flask")
    make_framework(name="FastAPI", slug="fastapi")
    for framework in (django, flask):
        make_claim(framework=framework, feature=same, support="yes")
    make_claim(framework=django, feature=zeta, support="yes")
    make_claim(framework=flask, feature=zeta, support="no")
    return ["flask", "django"]


@pytest.mark.parametrize("name", ["matrix-csv", "matrix-json", "matrix"])
def test_a_compare_page_exports_and_links_its_own_column_and_row_order(client, head_to_head, name):
    page = client.get(reverse("comparisons:compare", args=["flask-vs-django"]))
    html = page.content.decode()
    page_rows = _page_rows(html)
    assert page_rows == ["Zeta", "Admin", "Blueprints"]  # where they differ first
    [link] = _links(html, name)
    response = client.get(link)
    assert response.status_code == 200
    if name == "matrix-csv":
        rows = _csv(response)
        assert rows[0][2:] == ["Flask", "Django"]
        assert [row[1] for row in rows[1:]] == page_rows
    elif name == "matrix-json":
        data = response.json()
        assert [f["slug"] for f in data["frameworks"]] == head_to_head
        assert [f["name"] for f in data["features"]] == page_rows
    else:
        linked = response.content.decode()
        header = linked[linked.index('<table class="matrix">') : linked.index("</thead>")]
        assert header.index("Flask") < header.index("Django") and "FastAPI" not in header
        assert _page_rows(linked) == page_rows


def test_a_curated_comparison_exports_its_column_order(client, head_to_head):
    frameworks = [Framework.objects.get(slug=slug) for slug in head_to_head]
    comparison = make_comparison("Flask and Django", "flask-django", frameworks)
    html = client.get(comparison.get_absolute_url()).content.decode()
    [link] = _links(html, "matrix-csv")
    rows = _csv(client.get(link))
    assert rows[0][2:] == ["Flask", "Django"]
    assert [row[1] for row in rows[1:]] == _page_rows(html)
