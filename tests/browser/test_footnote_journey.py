"""From the home page to a source through a cell's footnote, in Chromium."""

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from tests.factories import (
    make_category,
    make_citation,
    make_claim,
    make_comparison,
    make_feature,
    make_framework,
    make_source,
)

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_home_to_source_through_a_footnote(live_server, page):
    django = make_framework(name="Django", slug="django")
    flask = make_framework(name="Flask", slug="flask")
    orm = make_feature(name="ORM", slug="orm")
    source = make_source(title="Django documentation: Models")
    # One transaction: PostgreSQL refuses a published claim committed before its citation.
    with transaction.atomic():
        claim = make_claim(framework=django, feature=orm, value="Django ORM", citations=0)
        make_citation(
            claim=claim,
            source=source,
            quote="A model is the single source of truth.",
            locator="§ 1",
        )
    make_claim(framework=flask, feature=orm, support="extension", value="SQLAlchemy")
    make_comparison("Django vs Flask", "django-flask", [django, flask])

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Django vs Flask").click()
    expect(page).to_have_url(re.compile(r"/comparisons/django-flask/$"))
    expect(page.locator("table.matrix")).to_be_visible()

    cell = page.locator(f"#c{orm.pk}-{django.pk}")
    expect(cell).to_contain_text("Built in")
    expect(cell).to_contain_text("[1]")
    cell.get_by_role("link", name="✓ Built in").click()
    # Opened in place, over the table: the cell's quotes, naming the cell (its claim's link).
    footnote = page.locator("#matrix-pop")
    expect(footnote).to_be_in_viewport()
    expect(footnote).to_contain_text("A model is the single source of truth.")
    expect(footnote.get_by_role("link", name="Django · ORM")).to_be_visible()

    footnote.get_by_role("link", name="Django documentation: Models").click()
    expect(page).to_have_url(re.compile(re.escape(source.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Django documentation: Models")


def test_without_script_a_cell_leads_to_its_footnote_and_back(live_server, browser):
    django = make_framework(name="Django", slug="django")
    orm = make_feature(name="ORM", slug="orm")
    make_claim(framework=django, feature=orm, value="Django ORM", citations=2)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/matrix/")
    cell = page.locator(f"#c{orm.pk}-{django.pk}")
    cell.get_by_role("link", name="✓ Built in").click()
    expect(page).to_have_url(re.compile(r"#fn-1$"))
    footnote = page.locator("#fn-1")
    expect(footnote).to_be_in_viewport()
    expect(footnote.get_by_role("link", name="Django · ORM")).to_be_visible()
    footnote.get_by_role("link", name="back").click()
    expect(page).to_have_url(re.compile(rf"#c{orm.pk}-{django.pk}$"))
    context.close()


def test_a_category_collapses_and_the_header_sticks_without_script(live_server, browser):
    framework = make_framework(name="Django", slug="django")
    category = make_category(name="Web")
    features = [
        make_feature(name=f"Feature {n:02d}", slug=f"f-{n}", category=category) for n in range(30)
    ]
    for feature in features:
        make_claim(framework=framework, feature=feature)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 700})
    page = context.new_page()
    page.goto(live_server.url + "/matrix/")
    first_row = page.locator("tr.matrix__row").first
    expect(first_row).to_be_visible()

    scroller = page.locator(".matrix-scroll")
    scroller.evaluate("box => { box.scrollTop = 400; }")
    header = page.locator("thead th.matrix__corner")
    assert abs(header.bounding_box()["y"] - scroller.bounding_box()["y"]) < 3

    scroller.evaluate("box => { box.scrollTop = 0; }")
    page.locator("label.matrix__toggle-label").first.click()
    expect(first_row).to_be_hidden()
    page.locator("label.matrix__toggle-label").first.click()
    expect(first_row).to_be_visible()
    context.close()
