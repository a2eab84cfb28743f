import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import path, reverse

from comparisons.site_views import server_error
from comparisons.support import SUPPORT_SYMBOLS
from config import urls as site_urls
from knowledge.models import SupportLevel
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def boom(request):
    raise RuntimeError("A bug in a view.")


# This module doubles as a URLconf for the server-error test: the site's URLs plus one that fails.
urlpatterns = [path("boom/", boom), *site_urls.urlpatterns]
handler404 = site_urls.handler404
handler500 = site_urls.handler500


class Head(HTMLParser):
    """Collects what the layout puts in <head>, and any inline style or script in the page."""

    def __init__(self):
        super().__init__()
        self.title = ""
        self.meta = {}
        self.links = []
        self.inline = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_title = tag == "title"
        if tag == "meta" and "name" in attrs:
            self.meta[attrs["name"]] = attrs.get("content", "")
        if tag == "link":
            self.links.append(attrs)
        if tag in {"script", "style"} or "style" in attrs:
            self.inline.append((tag, attrs))
        if any(name.startswith("on") for name in attrs):
            self.inline.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse(html):
    head = Head()
    head.feed(html)
    return head


@pytest.fixture
def claim():
    claim = make_claim(statement="Django ships an admin.")
    claim.framework.tags.add("web")
    return claim


def pages(claim):
    return {
        "framework list": reverse("comparisons:framework-list"),
        "framework": claim.framework.get_absolute_url(),
        "feature list": reverse("comparisons:feature-list"),
        "feature": claim.feature.get_absolute_url(),
        "category": claim.feature.category.get_absolute_url(),
        "tag": reverse("comparisons:tag-detail", args=["web"]),
        "claim": claim.get_absolute_url(),
        "source list": reverse("comparisons:source-list"),
        "source": claim.citations.get().source.get_absolute_url(),
        "search": reverse("comparisons:search") + "?q=django",
        "not found": "/frameworks/no-such-thing/",
    }


def test_every_page_has_the_layout_a_title_a_description_and_a_canonical_link(client, claim):
    titles = set()
    for name, url in pages(claim).items():
        response = client.get(url)
        html = response.content.decode()
        head = parse(html)
        assert head.title.endswith(" — citegrid"), name
        titles.add(head.title)
        assert len(head.meta.get("description", "")) > 20, name
        canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert canonical == [f"http://testserver{url.split('?')[0]}"], name
        for label, target in [
            ("Matrix", "/matrix/"),
            ("Comparisons", "/comparisons/"),
            ("Frameworks", "/frameworks/"),
            ("Features", "/features/"),
            ("Sources", "/sources/"),
        ]:
            assert re.search(rf'<a href="{target}"( aria-current="page")?>{label}</a>', html), name
        assert '<form class="site-search" role="search" method="get" action="/search/">' in html
        assert 'name="q"' in html
        assert '<footer class="site-footer">' in html
    assert len(titles) == len(pages(claim)), "every page has its own title"


def test_pages_carry_no_inline_script_or_style(client, claim):
    """The CSP forbids them; a browser would silently drop them."""
    for name, url in pages(claim).items():
        response = client.get(url)
        assert parse(response.content.decode()).inline == [], name
        assert "style-src 'self'" in response["Content-Security-Policy"], name


def test_navigation_marks_the_current_section(client, claim):
    html = client.get(claim.framework.get_absolute_url()).content.decode()
    assert '<a href="/frameworks/" aria-current="page">Frameworks</a>' in html
    assert '<a href="/sources/">Sources</a>' in html


def test_not_found_page_uses_the_layout_with_debug_off(client, settings):
    assert settings.DEBUG is False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert parse(html).title == "Page not found — citegrid"
    assert 'class="site-header"' in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.urls(__name__)
def test_server_error_page_uses_the_layout_without_a_request_context():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert parse(html).title == "Something went wrong — citegrid"
    assert 'class="site-header"' in html
    # No request, so no canonical link to a page that failed.
    assert 'rel="canonical"' not in html


def test_server_error_view_renders_without_the_database(rf, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500


@pytest.mark.parametrize("level", SupportLevel.values)
def test_support_badge_shows_a_symbol_and_a_label(level):
    html = Template("{% load pages %}{% support_badge level %}").render(Context({"level": level}))
    label = SupportLevel(level).label
    symbol = SUPPORT_SYMBOLS[SupportLevel(level)]
    assert f'<span class="support__symbol" aria-hidden="true">{symbol}</span>' in html
    assert f'<span class="support__label">{label}</span>' in html


def test_support_symbols_are_distinct():
    assert len(set(SUPPORT_SYMBOLS.values())) == len(SupportLevel.values)


def test_stylesheet_fetches_nothing_from_elsewhere():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    assert "@import" not in css
    assert "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    assert ":focus-visible" in css
    assert "@media (max-width:" in css


def test_stylesheet_is_served(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200


def test_public_and_admin_pages_name_a_favicon_that_is_served(client, admin_client, claim):
    """Without a <link rel="icon"> a browser asks for /favicon.ico: a 404 in the console."""
    urls = [
        *pages(claim).values(),
        reverse("comparisons:matrix"),
        reverse("admin:login"),
    ]
    admin_urls = [
        reverse("admin:index"),
        reverse("admin:knowledge_claim_changelist"),
        reverse("admin:knowledge_claim_change", args=[claim.pk]),
    ]
    for browser, url in [(client, url) for url in urls] + [(admin_client, u) for u in admin_urls]:
        icons = [
            link["href"]
            for link in parse(browser.get(url).content.decode()).links
            if link.get("rel") == "icon"
        ]
        assert icons == ["/static/favicon.svg"], url
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert b"<svg" in b"".join(
        response.streaming_content if response.streaming else [response.content]
    )


def owned_templates():
    names = ["base.html", "404.html", "500.html"]
    names += [
        p.relative_to(TEMPLATES).as_posix()
        for p in (TEMPLATES / "comparisons").glob("*.html")
        if p.name.startswith(
            (
                "framework_",
                "feature_",
                "category_",
                "tag_",
                "claim_",
                "source_",
                "search",
                "_claim",
                "_citation",
                "_support",
                "_pagination",
            )
        )
    ]
    return names


@pytest.mark.parametrize("name", owned_templates())
def test_templates_mark_only_sanitised_html_safe(name):
    """Only the *_html fields, sanitised by knowledge/markdown.py, may skip escaping."""
    text = (TEMPLATES / name).read_text()
    for match in re.finditer(r"\{\{\s*([^}|]+?)\s*\|\s*safe", text):
        assert match.group(1).endswith("_html"), (name, match.group(0))
    assert "autoescape off" not in text
    assert "request.user" not in text and "{{ user" not in text and "{% if user" not in text
