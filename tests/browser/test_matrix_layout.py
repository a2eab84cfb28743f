"""The matrix's rows, each laid out on its own and skipped while out of view
(static/css/matrix.css): in Chromium they still line up as one table's columns, and a reader
with a screen reader still gets the whole table, every cell of it, including the rows the
browser has not drawn."""

import pytest

from knowledge.models import Category, Feature, Framework
from tests.factories import make_category, make_claim, make_feature, make_framework

pytestmark = pytest.mark.usefixtures("transactional_db")

# What Chromium turns on when an assistive technology attaches to it: the accessibility tree
# of every renderer, kept as complete as the platform's screen readers read it.
SCREEN_READER = "--force-renderer-accessibility"


@pytest.fixture
def tall_matrix():
    """Three frameworks (one with a long name) and 40 features in two categories (one with a
    name that wraps), every cell claimed: far more rows than a 600 px window shows."""
    frameworks = [
        make_framework(name=name, slug=slug)
        for name, slug in (("Django", "django"), ("Flask", "flask"), ("Quart Async Web", "quart"))
    ]
    for number, category in enumerate((make_category(name="Web"), make_category(name="Data"))):
        for n in range(20):
            name = f"Feature {number}-{n:02d}"
            if n == 3:
                name += " with a name long enough to wrap onto several lines"
            feature = make_feature(name=name, slug=f"f-{number}-{n}", category=category)
            for framework in frameworks:
                make_claim(framework=framework, feature=feature)
    return frameworks


def _columns(page, selector):
    return page.eval_on_selector_all(
        selector,
        "rows => rows.map(row => [...row.children].map(cell => {"
        " const box = cell.getBoundingClientRect(); return [box.left, box.width]; }))",
    )


def test_every_row_lines_up_with_the_header_row(live_server, page, tall_matrix):
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(live_server.url + "/matrix/")
    [header] = _columns(page, ".matrix thead tr")
    rows = _columns(page, ".matrix tr.matrix__row")
    assert len(rows) == Feature.objects.count() == 40
    assert len(header) == 1 + len(tall_matrix)
    for row in rows:
        assert len(row) == len(header)
        for (left, width), (header_left, header_width) in zip(row, header, strict=True):
            assert abs(left - header_left) < 0.5 and abs(width - header_width) < 0.5


def test_a_screen_reader_gets_every_cell_of_the_rows_not_drawn(
    live_server, browser_type, browser_type_launch_args, tall_matrix
):
    launch = {**browser_type_launch_args}
    launch["args"] = [*launch.get("args", []), SCREEN_READER]
    browser = browser_type.launch(**launch)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 600})
        page.goto(live_server.url + "/matrix/")
        # Rows below the window are skipped: what this test is about.
        skipped = page.eval_on_selector_all(
            "tr.matrix__row",
            "rows => rows.filter(row => !row.querySelector('td')"
            ".checkVisibility({contentVisibilityAuto: true})).length",
        )
        assert skipped > 0
        devtools = page.context.new_cdp_session(page)
        nodes = [
            node
            for node in devtools.send("Accessibility.getFullAXTree")["nodes"]
            if not node.get("ignored")
        ]

        def named(role):
            return [n["name"]["value"] for n in nodes if n.get("role", {}).get("value") == role]

        features = list(Feature.objects.values_list("name", flat=True))
        frameworks = list(Framework.objects.values_list("name", flat=True))
        # A row's header is its feature; a category's row heads its group of rows.
        categories = list(Category.objects.values_list("name", flat=True))
        assert sorted(named("rowheader")) == sorted(features + categories)
        assert sorted(named("columnheader")) == sorted(["Feature", *frameworks])
        assert len(named("cell")) == len(features) * len(frameworks)
    finally:
        browser.close()
