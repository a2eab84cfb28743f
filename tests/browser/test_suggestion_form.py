"""A reader suggests a correction in Chromium: from the claim page to the thank-you page,
with the honeypot out of sight, the form free of WCAG 2.1 AA violations (with its errors
shown too) and no CSP violation."""

import pytest
from playwright.sync_api import expect

from knowledge.models import SupportLevel
from suggestions.models import Suggestion
from tests.factories import make_claim

from .axe import axe_source, axe_violations, serve_axe
from .xss_helpers import violations, watch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def axe():
    return axe_source()


def test_a_reader_sends_a_correction_from_the_claim_page(live_server, page, axe):
    claim = make_claim(support=SupportLevel.NO, statement="No ORM.")
    watch(page)
    serve_axe(page, live_server.url, axe)
    page.goto(live_server.url + claim.get_absolute_url())
    page.get_by_role("link", name="Suggest a correction").click()
    # The click only starts the navigation: axe must wait for the form's page, or it lands
    # in the document being swapped out (CI once saw `document.head` null there).
    page.wait_for_url("**/suggest/")
    assert axe_violations(page, live_server.url) == []
    # The honeypot is off screen for people, and hidden from screen readers.
    trap = page.locator("input[name=website]")
    box = trap.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    assert page.locator(".trap").get_attribute("aria-hidden") == "true"

    # Sent half filled: the browser's own checks stop it first; the server's errors are
    # shown when they are bypassed (as a script would).
    page.get_by_label("What is wrong").fill("It has one: the docs say so.")
    page.get_by_label("What it should say").select_option("yes")
    page.get_by_label("Source URL").fill("javascript:alert(1)")
    page.get_by_label("Quote").fill("An ORM is included.")
    page.evaluate("document.getElementById('suggestion-form').noValidate = true")
    page.get_by_role("button", name="Send the suggestion").click()
    # The form posts back to its own URL: wait for what the answer shows, not for a URL.
    expect(page.get_by_role("alert")).to_contain_text("Nothing was sent")
    assert axe_violations(page, live_server.url) == []
    assert not Suggestion.objects.exists()

    page.get_by_label("Source URL").fill("https://docs.example.org/orm/")
    page.get_by_role("button", name="Send the suggestion").click()
    page.wait_for_url("**/suggest/thanks/")
    assert "A curator will review it" in page.content()
    assert Suggestion.objects.get().source_url == "https://docs.example.org/orm/"
    assert violations(page.messages) == []
