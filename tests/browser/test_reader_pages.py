"""What a reader sees in Chromium at a laptop's and a phone's width, on the shipped data:
every public page type free of WCAG 2.1 AA violations (axe-core), in light and dark mode;
matrix targets clear of the sticky header and first column; footnotes that open in place; a
head-to-head and its summary that fit a phone; 24 px link targets; filters that close, show
chips and keep empty parameters out of the URL; category headings and the skip link; print;
no word of a cell's badge cut in two at a laptop's width.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from taggit.models import Tag

from comparisons.models import Comparison
from knowledge.models import Category, Claim, Feature, Framework, Source
from tests.knowledge.shipped_kb import load_shipped

from .axe import axe_source, axe_violations, serve_axe

WIDTHS = [1280, 390]


@pytest.fixture(scope="session")
def axe():
    return axe_source()


@pytest.fixture
def shipped(db):
    load_shipped()
    claim = Claim.objects.published().order_by("pk").first()
    return {
        "home": reverse("comparisons:home"),
        "matrix": reverse("comparisons:matrix"),
        "matrix filtered": reverse("comparisons:matrix") + "?support=no&differ=on",
        "compare": reverse("comparisons:compare", args=["django-vs-flask"]),
        "comparison list": reverse("comparisons:comparison-list"),
        "comparison": Comparison.objects.order_by("pk").first().get_absolute_url(),
        "framework list": reverse("comparisons:framework-list"),
        "framework": Framework.objects.order_by("pk").first().get_absolute_url(),
        "feature list": reverse("comparisons:feature-list"),
        "feature": Feature.objects.order_by("pk").first().get_absolute_url(),
        "category": Category.objects.order_by("pk").first().get_absolute_url(),
        "tag": reverse("comparisons:tag-detail", args=[Tag.objects.order_by("pk").first().slug]),
        "claim": claim.get_absolute_url(),
        "source list": reverse("comparisons:source-list"),
        "source": Source.objects.order_by("pk").first().get_absolute_url(),
        "search": reverse("comparisons:search") + "?q=django",
        "changes": reverse("comparisons:changes"),
        "matrix on a date": reverse("comparisons:matrix")
        + f"?as_of={timezone.localdate() - datetime.timedelta(days=1)}",
        "not found": "/no-such-page/",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_type_has_no_wcag_21_aa_violation(
    live_server, page, shipped, axe, width, scheme
):
    serve_axe(page, live_server.url, axe)
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    found = {}
    for name, path in shipped.items():
        page.goto(live_server.url + path)
        problems = axe_violations(page, live_server.url)
        if problems:
            found[name] = problems
    assert found == {}


def _box(locator):
    return locator.evaluate("el => el.getBoundingClientRect().toJSON()")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_cell_permalink_and_a_footnotes_back_link_show_the_cell_in_full(
    live_server, page, shipped, width
):
    page.set_viewport_size({"width": width, "height": 800})
    # Instant scrolling: smooth scrolling ends at a time no test should guess.
    page.emulate_media(reduced_motion="reduce")
    matrix = live_server.url + shipped["matrix"]
    page.goto(matrix)
    anchors = page.eval_on_selector_all(".matrix td[id]", "cells => cells.map(c => c.id)")
    # A cell deep in the table, in the last column: both sticky parts could hide it.
    anchor = anchors[len(anchors) * 2 // 3 // 4 * 4 + 3]
    # And the cell a footnote's "back" link returns to, without a script.
    back = page.eval_on_selector(
        "#matrix-notes", 'n => n.textContent.match(/id="fn-40".*?href="#(c[0-9-]+)">back/)[1]'
    )
    for url in (f"{matrix}#{anchor}", f"{matrix}#{back}"):
        page.goto(matrix + "#top")
        page.goto(url)
        target = page.locator(url[url.index("#") :])
        cell = target if target.evaluate("el => el.tagName") == "TD" else target.locator("xpath=..")
        header = _box(page.locator(".matrix thead").first)
        first_column = _box(cell.locator("xpath=../th").first)
        box = _box(cell)
        assert box["top"] >= header["bottom"] - 1, (url, box, header)
        assert box["left"] >= first_column["right"] - 1, (url, box, first_column)
        assert box["top"] < 800 - 48  # on the screen, not merely above its bottom edge


def _a_cells_badge(page):
    """The badge of the twelfth cell that cites something: a link to its first footnote."""
    return page.locator('.matrix td a.support[href^="#fn-"]').nth(11)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_cells_quotes_open_in_place_without_leaving_the_cell(live_server, page, shipped, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + shipped["matrix"])
    badge = _a_cells_badge(page)
    badge.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    cell = badge.locator("xpath=..")
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", cell.inner_text())]
    badge.click()
    pop = page.locator("#matrix-pop")
    expect(pop).to_be_visible()
    assert page.evaluate("window.scrollY") == before
    box = _box(pop)
    assert box["top"] >= 0 and box["bottom"] <= 800 + 1
    # Every footnote of the cell, with its quote, numbered as in the cell.
    items = pop.locator(".footnotes__list > li")
    assert items.evaluate_all("lis => lis.map(li => li.value)") == numbers
    assert pop.locator("blockquote").first.is_visible()
    expect(pop).to_be_focused()
    pop.get_by_role("link", name="back").first.click()
    expect(pop).to_be_hidden()
    expect(badge).to_be_focused()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("reader", ["no script", "script without popovers"])
def test_without_a_script_a_footnote_opens_in_place(live_server, browser, shipped, width, reader):
    """Without the script, or with a script but a browser that has no popovers (the script
    then puts the footnotes back in the page), a cell's badge opens its footnote in place."""
    context = browser.new_context(java_script_enabled=reader != "no script")
    if reader != "no script":
        context.add_init_script("delete HTMLElement.prototype.showPopover")
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + shipped["matrix"])
    badge = _a_cells_badge(page)
    href = badge.get_attribute("href")
    badge.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    badge.click()
    footnote = page.locator(href)
    assert page.evaluate("window.scrollY") == before
    box = _box(footnote)
    assert box["top"] >= 0 and box["bottom"] <= 800 + 1
    assert footnote.is_visible() and footnote.locator("blockquote, a").first.is_visible()
    footnote.get_by_role("link", name="back").click()
    cell = badge.locator("xpath=..").get_attribute("id")
    assert page.evaluate("location.hash") == f"#{cell}"
    assert _box(page.locator(href))["top"] > 800  # closed: back in the list below
    context.close()


def test_a_head_to_head_fits_a_phone(live_server, page, shipped):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + shipped["compare"])
    root = "document.documentElement"
    assert page.evaluate(f"{root}.scrollWidth - {root}.clientWidth") <= 0
    table = page.locator(".summary__table")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    # Every framework's cell is on the screen: none cut off to the right.
    for cell in page.locator(".matrix td").all()[:40]:
        box = _box(cell)
        assert box["left"] >= 0 and box["right"] <= 390, box


# Each word of each cell's badge, as Chromium lays it out: the number of lines it takes.
_BADGE_WORD_LINES = """badges => badges.flatMap(badge => {
    badge.scrollIntoView({block: "center"});
    const text = badge.firstChild;
    return [...text.data.matchAll(/\\S+/g)].map(word => {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        return [word[0], new Set([...range.getClientRects()].map(r => Math.round(r.top))).size];
    });
})"""


@pytest.mark.parametrize("name", ["matrix", "compare"])
def test_no_word_of_a_cells_badge_is_cut_at_a_laptops_width(live_server, page, shipped, name):
    # A value's badge ("◆ Microframework") wraps between its words; one word cut in two lines
    # ("Microframewor" / "k") reads as two words. A phone's narrower columns may have to.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + shipped[name])
    words = page.eval_on_selector_all(".matrix td .support", _BADGE_WORD_LINES)
    # Every cell has a badge of at least two words (its symbol and its label): all were read.
    assert len(words) >= 2 * page.locator(".matrix td").count() > 0
    assert [word for word, lines in words if lines != 1] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_matrix_link_targets_are_at_least_24_px(live_server, page, shipped, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + shipped["compare"])
    small = page.eval_on_selector_all(
        ".matrix a",
        """links => links.map(a => [a.textContent.trim(), a.getBoundingClientRect()])
            .filter(([, r]) => r.width > 0 && (r.width < 24 || r.height < 24))
            .map(([text, r]) => `${text}: ${r.width}×${r.height}`)""",
    )
    assert small == []


def test_filters_close_after_applying_show_chips_and_keep_empty_parameters_out(
    live_server, page, shipped
):
    page.goto(live_server.url + shipped["matrix"])
    page.locator(".filters__summary").click()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    # A retrying check on the URL: load-state waits can return before the click's navigation.
    expect(page).to_have_url(live_server.url + shipped["matrix"] + "?support=no")  # no tag=&q=
    assert page.locator("details.filters").get_attribute("open") is None
    chips = page.locator(".filter-chip")
    assert chips.all_inner_texts() == ["Support level: No ×(remove)"] or chips.count() == 1
    chips.first.click()
    expect(page).to_have_url(live_server.url + shipped["matrix"])
    assert page.locator(".filter-chip").count() == 0


def test_categories_are_headings_and_named_row_groups_and_a_skip_link_passes_the_table(
    live_server, page, shipped
):
    page.goto(live_server.url + shipped["matrix"])
    first = Category.objects.order_by("order", "name").first().name
    assert page.get_by_role("heading", name=first, exact=True).count() >= 1
    group = page.locator('.matrix th[scope="rowgroup"]').first
    label = page.locator("#" + group.get_attribute("aria-labelledby"))
    assert label.inner_text().strip() == first
    skip = page.locator(".skip-link--table").first
    skip.focus()
    assert skip.is_visible()
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("after-")


@pytest.mark.parametrize("name", ["matrix", "compare"])
def test_print_shows_the_whole_table_then_the_footnotes(live_server, page, shipped, name):
    page.goto(live_server.url + shipped[name])
    page.emulate_media(media="print")
    for hidden in (".site-header", ".filters", ".site-footer"):
        assert not page.locator(hidden).first.is_visible(), hidden
    scroll = page.locator(".matrix-scroll").first
    assert scroll.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    assert scroll.evaluate("el => getComputedStyle(el).overflowY") == "visible"
    table_bottom = _box(page.locator(".matrix").last)["bottom"]
    assert _box(page.locator(".footnotes"))["top"] >= table_bottom
