"""The admin's claim add and change forms in Chromium: no WCAG 2.1 AA violation (axe-core),
a favicon (no 404 in the console), and the citation inline within a 1280 px screen."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import make_citation, make_claim, make_framework

from .axe import axe_source, axe_violations, serve_axe

PASSWORD = "a-long-browser-test-password"


@pytest.fixture(scope="session")
def axe():
    return axe_source()


@pytest.fixture
def curator_page(live_server, page, axe):
    get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)
    serve_axe(page, live_server.url, axe)
    page.messages = []
    page.on("console", lambda message: page.messages.append(f"{message.type}: {message.text}"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def test_the_claim_forms_have_no_wcag_21_aa_violation_and_fit_the_screen(live_server, curator_page):
    page = curator_page
    claim = make_claim(framework=make_framework(name="Django"), statement="Django has an admin.")
    make_citation(claim=claim)
    found = {}
    for name in ("add", "change"):
        args = [claim.pk] if name == "change" else []
        page.goto(live_server.url + reverse(f"admin:knowledge_claim_{name}", args=args))
        found[name] = axe_violations(page, live_server.url)
        root = "document.documentElement"
        assert page.evaluate(f"{root}.scrollWidth - {root}.clientWidth") <= 0, name
    assert found == {"add": [], "change": []}, "\n".join(sum(found.values(), []))
    assert [m for m in page.messages if "404" in m or "Failed to load" in m] == []
