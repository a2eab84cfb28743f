"""The API's documentation page in Chromium: Swagger UI, served from our own static files,
lists every operation of the schema and can run one, with nothing blocked by the CSP."""

import json

import pytest
from django.urls import reverse

from tests.factories import make_claim

from .xss_helpers import violations, watch


@pytest.fixture
def claim(transactional_db):
    return make_claim(statement="Django ships an ORM.")


def test_the_docs_page_shows_every_operation_and_runs_one(live_server, claim, page):
    watch(page)
    schema = json.loads(page.request.get(live_server.url + reverse("api:openapi")).text())
    operations = sum(len(methods) for methods in schema["paths"].values())
    requests_elsewhere = []
    page.on(
        "request",
        lambda request: (
            requests_elsewhere.append(request.url)
            if not request.url.startswith(live_server.url)
            else None
        ),
    )
    page.goto(live_server.url + reverse("api:docs"))
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == operations
    # Run "GET /api/v1/claims/" the way a reader would: open it, try it out, execute.
    block = page.locator(".opblock", has_text="/api/v1/claims/").first
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".live-responses-table .response-col_status")
    assert "Django ships an ORM." in block.locator(".live-responses-table").inner_text()
    assert violations(page.messages) == []
    assert requests_elsewhere == []
