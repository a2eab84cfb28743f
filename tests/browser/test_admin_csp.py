"""The admin works under its Content-Security-Policy: a curator logs in through the real form,
lists claims, opens the add form and a change form with citation inlines, and uses the
autocomplete, and Chromium reports no CSP violation on the way.

The console is watched as tests/browser/xss_helpers.py says.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import make_citation, make_claim, make_framework

from .xss_helpers import violations, watch

PASSWORD = "a-long-browser-test-password"


@pytest.fixture
def curator_page(live_server, page):
    """A page logged in as a superuser through the admin login form, recording the console."""
    get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)
    watch(page)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def test_admin_pages_raise_no_csp_violation(live_server, curator_page):
    page = curator_page
    framework = make_framework(name="Django")
    make_framework(name="Flask")
    claim = make_claim(framework=framework, statement="Django has an admin.")
    make_citation(claim=claim)
    visited = []

    def visit(url, statuses=(200,)):
        response = page.goto(live_server.url + url)
        assert response.status in statuses, url
        visited.append(url)

    visit(reverse("admin:index"))
    visit(reverse("admin:knowledge_claim_changelist"))
    visit(reverse("admin:knowledge_claim_changelist") + "?status__exact=published")
    visit(reverse("admin:knowledge_claim_add"))
    # The autocomplete: open the framework select2 and search; the results come from the
    # admin's JSON view and are rendered by select2's scripts.
    page.click(".field-framework .select2-selection")
    page.fill(".select2-search__field", "Fla")
    page.wait_for_selector(".select2-results__option >> text=Flask")
    page.keyboard.press("Enter")
    visit(reverse("admin:knowledge_claim_change", args=[claim.pk]))
    # Add a citation row to the inline: the inline formset's script clones the empty form.
    page.click(".add-row a")
    page.wait_for_selector("#citations-1")
    visit(reverse("admin:knowledge_claim_history", args=[claim.pk]))
    visit(reverse("admin:knowledge_framework_change", args=[framework.pk]))
    # Every other admin list and add form: a ModelAdmin without actions, for one, makes
    # Django's changelist template print an inline <style>.
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        visit(reverse(f"{prefix}_changelist"))
        visit(reverse(f"{prefix}_add"), statuses=(200, 403))  # axes' logs refuse adds
    assert len(visited) > 8
    assert violations(page.messages) == [], "\n".join(page.messages)


def test_violation_listener_sees_a_violation(live_server, curator_page):
    """The control: an inline script breaks the admin's policy and is reported, so the test
    above cannot pass because the listener saw nothing."""
    page = curator_page
    page.goto(live_server.url + reverse("admin:index"))
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.__ran = 1"; document.body.append(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__ran") is None
    assert violations(page.messages), "\n".join(page.messages)
