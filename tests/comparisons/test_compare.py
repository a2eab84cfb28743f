"""/compare/<a>-vs-<b>/: head-to-head, differing rows first, summary and SVG chart, 404s."""

import re

import pytest
from django.templatetags.static import static
from django.urls import reverse

from comparisons.charts import WIDTH, support_chart
from comparisons.records import FrameworkColumn, SupportSummary
from tests.factories import make_category, make_claim, make_feature, make_framework

pytestmark = pytest.mark.django_db


def _url(*slugs):
    return reverse("comparisons:compare", kwargs={"slugs": "-vs-".join(slugs)})


def _matrix_header(html):
    table = html[html.index('<table class="matrix">') :]
    return table[: table.index("</thead>")]


@pytest.fixture
def kb():
    web = make_category(name="Web", slug="web", order=1)
    data = make_category(name="Data", slug="data", order=2)
    django = make_framework(name="Django", slug="django")
    flask = make_framework(name="Flask", slug="flask")
    fastapi = make_framework(name="FastAPI", slug="fast-api")
    same = make_feature(name="Routing", slug="routing", category=web, order=1)
    admin = make_feature(name="Admin", slug="admin", category=web, order=2)
    orm = make_feature(name="ORM", slug="orm", category=data, order=1)
    for framework in (django, flask, fastapi):
        make_claim(framework=framework, feature=same)
    make_claim(framework=django, feature=admin, support="yes")
    make_claim(framework=flask, feature=admin, support="extension", value="Flask-Admin")
    make_claim(framework=django, feature=orm, support="yes")
    make_claim(framework=flask, feature=orm, support="partial")
    return {"django": django, "flask": flask, "fastapi": fastapi}


def test_differing_rows_come_first_then_the_rest(client, kb):
    response = client.get(_url("django", "flask"))
    assert response.status_code == 200
    html = response.content.decode()
    differ = html[html.index('id="section-differ"') : html.index('id="section-rest"')]
    rest = html[html.index('id="section-rest"') :]
    assert "Admin</a>" in differ and "ORM</a>" in differ and "Routing</a>" not in differ
    assert "Routing</a>" in rest
    assert "<title>Django vs Flask" in html
    assert "<h1>Django vs Flask</h1>" in html


def _summary_by_header(html) -> dict[str, dict[str, int]]:
    """{framework: {column header's label: count}}, read by the header, not by position; the
    two descriptor-or-assessment columns after the levels as "described" and "undescribed"."""
    table = html[html.index('class="summary__table"') : html.index("</table>")]
    labels = re.findall(r'<span class="support__label">([^<]+)</span>', table)
    labels += ["described", "undescribed"]
    cells = re.findall(r"<tr><th scope=\"row\"><a [^>]*>(\w+)</a></th>((?:<td>\d+</td>)+)", table)
    return {
        name: dict(zip(labels, map(int, re.findall(r"\d+", tds)), strict=True))
        for name, tds in cells
    }


def test_the_summary_counts_each_level_per_framework(client, kb):
    make_claim(framework=kb["flask"], feature=make_feature(slug="sessions"), support="n/a")
    html = client.get(_url("django", "flask")).content.decode()
    counts = _summary_by_header(html)
    levels = ["Built in", "Partial", "Via extension", "No", "Not applicable"]
    zero = dict.fromkeys([*levels, "described", "undescribed"], 0)
    # The new feature has no claim for Django, and one "not applicable" claim for Flask: each
    # count must sit under its own column's header.
    assert counts["Django"] == zero | {"Built in": 3, "Unknown": 1}
    assert counts["Flask"] == zero | {
        "Built in": 1,
        "Partial": 1,
        "Via extension": 1,
        "Not applicable": 1,
        "Unknown": 0,
    }


def test_the_chart_is_inline_svg_without_style_attributes(client, kb):
    html = client.get(_url("django", "flask")).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'class="support-chart__segment support--yes"' in svg
    assert "style=" not in html
    # The one script is the matrix's static file (nothing inline).
    assert re.findall(r"<script[^>]*>", html) == [f'<script src="{static("js/matrix.js")}" defer>']
    assert 'role="img"' in svg and "<title" in svg


def test_the_chart_segments_fill_each_bar_exactly():
    column = FrameworkColumn(id=1, name="A", slug="a", url="/frameworks/a/")
    chart = support_chart(
        [SupportSummary(column, {"yes": 1, "partial": 1, "extension": 1, "no": 0, "unknown": 0})]
    )
    segments = chart.bars[0].segments
    assert [s.width for s in segments] == [200, 200, 200]
    assert sum(s.width for s in segments) == WIDTH
    assert [s.x for s in segments] == [0, 200, 400]
    assert chart.bars[0].description == "A: 1 Built in, 1 Partial, 1 Via extension"


def test_three_frameworks_and_slugs_with_hyphens(client, kb):
    response = client.get(_url("django", "flask", "fast-api"))
    assert response.status_code == 200
    header = _matrix_header(response.content.decode())
    assert header.index("Django") < header.index("Flask") < header.index("FastAPI")


def test_the_order_of_the_url_is_the_order_of_the_columns(client, kb):
    html = client.get(_url("flask", "django")).content.decode()
    header = _matrix_header(html)
    assert header.index("Flask") < header.index("Django")


def test_filters_apply_on_the_compare_page(client, kb):
    html = client.get(_url("django", "flask"), {"category": "data"}).content.decode()
    assert "ORM</a>" in html and "Admin</a>" not in html
    assert 'name="framework"' not in html  # the URL fixes the columns


@pytest.mark.parametrize(
    "path",
    [
        "/compare/django-vs-nope/",
        "/compare/nope-vs-flask/",
        "/compare/django-vs-django/",
        "/compare/django--vs-flask/",
        "/compare/" + "-vs-".join(["django"] + [f"x{n}" for n in range(20)]) + "/",
        "/compare/django-vs-" + "a" * 5000 + "/",
    ],
)
def test_unknown_or_repeated_frameworks_are_404(client, kb, path):
    assert client.get(path).status_code == 404


def test_a_repeated_framework_among_others_redirects_to_the_short_url(client, kb):
    response = client.get(_url("django", "flask", "django") + "?category=data")
    assert response.status_code == 301
    assert response["Location"] == _url("django", "flask") + "?category=data"


def test_bad_filters_on_compare_are_a_form_error(client, kb):
    response = client.get(_url("django", "flask"), {"q": "\x00", "support": "bogus"})
    assert response.status_code == 200
    assert "Some filters could not be used" in response.content.decode()


def test_export_links_carry_the_columns_and_filters(client, kb):
    html = client.get(_url("flask", "django"), {"category": "data"}).content.decode()
    assert (
        'href="/matrix/export.csv?framework=flask&amp;framework=django&amp;category=data'
        '&amp;order=differ"' in html
    )
