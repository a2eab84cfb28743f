"""Every response carries a Content-Security-Policy that forbids inline and injected code.

Public pages get the strict site policy with no exception; admin pages get the same policy
plus exactly the allowance named in settings (a hash for one style attribute), nothing that
would let an injected <script> or style run.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from .urlmap import pattern_of, public_patterns, real_urls

pytestmark = pytest.mark.django_db

UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'", "*"}
LOOSE_SOURCES = {"http:", "https:", "data:", "blob:", "*"}


def parse_policy(header):
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def _effective(directives, name, *fallbacks):
    for key in (name, *fallbacks, "default-src"):
        if key in directives:
            return directives[key]
    return None


# The only pages other sites may put in a frame (api/embeds.py).
FRAMABLE_PATTERNS = {"embed:compare"}


def policy_problems(url, response, *, admin_allowance=False):
    header = response.get("Content-Security-Policy")
    if not header:
        return [f"{url}: no Content-Security-Policy header (status {response.status_code})"]
    d = parse_policy(header)
    found = []
    if d.get("default-src") != ["'self'"]:
        found.append(f"{url}: default-src is {d.get('default-src')}")
    for name in ("script-src", "script-src-elem", "script-src-attr"):
        sources = set(_effective(d, name, "script-src"))
        if sources & (UNSAFE | LOOSE_SOURCES):
            found.append(f"{url}: {name} allows {sorted(sources & (UNSAFE | LOOSE_SOURCES))}")
    for name in ("style-src", "style-src-elem"):
        sources = set(_effective(d, name, "style-src"))
        if sources & (UNSAFE | LOOSE_SOURCES):
            found.append(f"{url}: {name} allows {sorted(sources & (UNSAFE | LOOSE_SOURCES))}")
    attr = set(_effective(d, "style-src-attr", "style-src"))
    allowed_attr = {"'unsafe-hashes'"} if admin_allowance else set()
    hashes = {s for s in attr if s.startswith("'sha256-")}
    if attr - hashes - allowed_attr - {"'self'"}:
        found.append(f"{url}: style-src-attr allows {sorted(attr)}")
    if hashes and not admin_allowance:
        found.append(f"{url}: the admin's style hash leaked into a public page")
    for name, expected in {
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["*"] if pattern_of(url) in FRAMABLE_PATTERNS else ["'none'"],
        "form-action": ["'self'"],
    }.items():
        if d.get(name) != expected:
            found.append(f"{url}: {name} is {d.get(name)}, expected {expected}")
    return found


def test_every_public_page_has_the_strict_policy(visitor, planted):
    found = []
    urls = [url for group in real_urls(planted).values() for url in group[:3]]
    urls += ["/no-such-page/", "/frameworks/no-such-framework/", "/search/?q=%3Cscript%3E"]
    for url in urls:
        response = visitor.get(url)
        found.extend(policy_problems(url, response))
    assert len(urls) >= len(public_patterns())
    assert not found, "\n".join(found)


def test_every_admin_page_has_the_policy_with_only_the_admin_allowance(superuser_client, planted):
    found = []
    urls = [reverse("admin:index"), reverse("admin:login"), reverse("admin:password_change")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
    urls += [reverse("admin:knowledge_claim_change", args=[planted.claims[0].pk])]
    urls += [reverse("admin:knowledge_claim_history", args=[planted.claims[0].pk])]
    for url in urls:
        response = superuser_client.get(url)
        found.extend(policy_problems(url, response, admin_allowance=True))
    assert not found, "\n".join(found)


def test_admin_login_page_has_the_policy_for_anonymous_visitors(visitor):
    response = visitor.get(reverse("admin:login"))
    assert policy_problems("/admin/login/", response, admin_allowance=True) == []


def test_the_policy_check_catches_a_loose_policy(visitor, settings):
    """The control: loosen the setting and the check must object."""
    directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    directives["script-src"] = ["'self'", "'unsafe-inline'"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}
    response = visitor.get("/")
    assert any("script-src allows" in p for p in policy_problems("/", response))
