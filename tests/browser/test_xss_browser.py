"""The planted XSS payloads in a real browser: Chromium loads the public pages and nothing
runs, opens or appears.

Our CSP would block most injected scripts anyway, so "no dialog opened" alone could hide an
injection; the test therefore also inspects the DOM as Chromium built it (event-handler
attributes, elements the payloads create, links whose scheme Chromium itself parses as
javascript:/data:, foreign scripts, frames, forms) and fails on any CSP violation, which on a
public page can only come from injected or inline code.
"""

import pytest
from django.urls import reverse

from tests.security.payloads import all_payloads
from tests.security.planting import plant_payloads
from tests.security.urlmap import real_urls

from .xss_helpers import violations, watch

# Everything an injection could have left in the live DOM, judged by the browser's own parser.
DOM_AUDIT = """
() => {
  const found = [];
  const bad = new Set(["javascript:", "data:", "vbscript:"]);
  const protocol = (value) => {
    try { return new URL(value, location.href).protocol; } catch (e) { return ""; }
  };
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) found.push(`${el.tagName} has ${name}`);
      if (["href", "xlink:href", "src", "action", "formaction", "poster", "data", "srcdoc"]
            .includes(name) && (name === "srcdoc" || bad.has(protocol(attr.value)))) {
        found.push(`${el.tagName} ${name}=${attr.value.slice(0, 80)}`);
      }
    }
    if ((el.id || "").toLowerCase().startsWith("xss-")) found.push(`element #${el.id}`);
  }
  const foreign = "iframe, frame, object, embed, base, applet, portal, meta[http-equiv], style";
  for (const el of document.querySelectorAll(foreign)) found.push(`element ${el.tagName}`);
  for (const s of document.scripts) {
    const ours = s.src ? new URL(s.src).origin === location.origin
                       : s.type === "application/json";
    if (!ours) found.push(`script ${s.src || s.textContent.slice(0, 80)}`);
  }
  for (const f of document.forms) {
    if (new URL(f.action, location.href).origin !== location.origin) {
      found.push(`form to ${f.action}`);
    }
  }
  if (window.__xss !== undefined) found.push("window.__xss was set");
  if (document.body && (document.body.id || "").startsWith("xss-")) found.push("body id");
  return found;
}
"""
CLAIM_PAGE_STRIDE = 7  # every 7th claim page: the claims' payloads also fill the lists


@pytest.fixture
def watched_page(page):
    return watch(page)


def _pages_to_visit(data):
    urls = []
    for name, group in real_urls(data).items():
        if name.endswith(("-csv", "-json", "feed", "sitemap", "robots-txt")):
            continue  # not HTML: audited as text in tests/security/test_xss_rendering.py
        urls += group[::CLAIM_PAGE_STRIDE] if name.endswith("claim-detail") else group
    search = reverse("comparisons:search")
    urls += [f"{search}?q={p}" for p in all_payloads()[::9]]
    return urls


def test_planted_payloads_do_nothing_in_chromium(live_server, transactional_db, watched_page):
    page = watched_page
    data = plant_payloads()
    found = []
    visited = 0
    for url in _pages_to_visit(data):
        response = page.goto(live_server.url + url, wait_until="load")
        if response.status >= 500:
            found.append(f"{url}: status {response.status}")
            continue
        visited += 1
        found += [f"{url}: {problem}" for problem in page.evaluate(DOM_AUDIT)]
        found += [f"{url}: dialog {d}" for d in page.dialogs]
        found += [f"{url}: console {message}" for message in violations(page.messages)]
        page.dialogs.clear()
        page.messages.clear()
    assert visited > 50
    # The payloads were on the pages, as text: the list shows the hostile framework names.
    page.goto(live_server.url + reverse("comparisons:framework-list"))
    text = " ".join(page.inner_text("body").split())
    shown = [f for f in data.frameworks if " ".join(f.name.split()) in text]
    assert len(shown) >= len(data.frameworks) // 2, text[:2000]
    assert not found, f"{len(found)} problem(s):\n" + "\n".join(found[:40])


def test_the_dom_audit_sees_an_injection(live_server, watched_page):
    """The control: inject by hand what the payloads try to inject, and every check fires."""
    page = watched_page
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
          document.body.insertAdjacentHTML("beforeend",
            '<a href="jav&#x09;ascript:alert(1)">x</a><img src=x onerror="1"><b id="xss-b"></b>'
            + '<iframe></iframe><form action="https://evil.example/"></form>');
          window.__xss = 1;
        }"""
    )
    problems = " | ".join(page.evaluate(DOM_AUDIT))
    for expected in ["A href=", "has onerror", "#xss-b", "IFRAME", "form to", "window.__xss"]:
        assert expected in problems
