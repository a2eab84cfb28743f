"""The claim, framework and source pages in Chromium at a laptop's and a phone's width: the
stylesheet applies, nothing is wider than the screen, and the Content-Security-Policy blocks
nothing (which would mean an inline style or script, or a request to another origin)."""

import pytest
from django.db import transaction

from knowledge.models import ClaimRank, SupportLevel
from tests.factories import make_citation, make_claim, make_framework, make_source

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP-VIOLATION", event.violatedDirective, event.blockedURI);
});
"""


@pytest.fixture
def pages():
    framework = make_framework(
        name="Django",
        summary="A web framework with a very long summary " * 3,
        homepage="https://www.djangoproject.com/",
        repository_url="https://github.com/django/django-with-a-very-long-repository-name",
    )
    framework.tags.add("batteries-included", "wsgi", "asgi")
    source = make_source(
        title="A source with a long title that has to wrap on a phone screen",
        url="https://example.org/" + "a-very-long-path-segment/" * 6,
        publisher="Django Software Foundation",
    )
    # One transaction: PostgreSQL refuses a published claim committed before its citation.
    with transaction.atomic():
        claim = make_claim(
            framework=framework,
            citations=0,
            rank=ClaimRank.PREFERRED,
            statement="Django ships an automatic admin interface.",
            value="django.contrib.admin.sites.AdminSiteWithALongName",
            note="Read **the docs**.",
        )
        make_citation(claim=claim, source=source, quote="One of the most powerful parts. " * 5)
    make_claim(
        framework=framework, feature=claim.feature, key="survey", support=SupportLevel.PARTIAL
    )
    claim.value = "django.contrib.admin"
    claim.save()
    return [framework.get_absolute_url(), claim.get_absolute_url(), source.get_absolute_url()]


@pytest.mark.parametrize("width", [1280, 390])
def test_public_pages_fit_the_screen_and_keep_to_the_csp(live_server, page, pages, width):
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    page.add_init_script(REPORT_VIOLATIONS)
    page.set_viewport_size({"width": width, "height": 900})
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, width, overflow)
        # The stylesheet applied: the header has its background, the support badge its border.
        assert page.locator(".site-header").evaluate(
            "el => getComputedStyle(el).backgroundColor"
        ) not in ("rgba(0, 0, 0, 0)", "transparent")
        if path != pages[0]:
            continue
        badge = page.locator(".support").first
        assert badge.evaluate("el => getComputedStyle(el).borderStyle") == "solid"
        assert "Built in" in badge.inner_text() and "✓" in badge.inner_text()
    problems = [
        m for m in messages if "CSP-VIOLATION" in m or "Refused to" in m or "pageerror" in m
    ]
    assert problems == []


def test_keyboard_focus_is_visible(live_server, page, pages):
    page.goto(live_server.url + pages[1])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
