"""The auditor itself: it must see what a browser would run, or the XSS tests prove nothing."""

import pytest

from .html_safety import audit_html, is_dangerous_url

DANGEROUS = [
    "<script>alert(1)</script>",
    '<script src="https://cdn.example/x.js"></script>',
    '<script src="//cdn.example/x.js"></script>',
    "<img src=x onerror=alert(1)>",
    "<svg><animate onbegin=alert(1)></svg>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="  JAVASCRIPT:alert(1)">x</a>',
    '<a href="&#x01;javascript:alert(1)">x</a>',
    '<a href="data:text/html,x">x</a>',
    '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<img srcset="https://ok.example/a.png 1x, javascript:alert(1) 2x">',
    "<iframe src=https://example.org></iframe>",
    "<iframe srcdoc='x'></iframe>",
    "<object data=x></object>",
    "<embed src=x>",
    '<base href="https://evil.example/">',
    '<meta http-equiv="Refresh" content="0;url=https://evil.example/">',
    '<form action="https://evil.example/"></form>',
    '<form action="/\\evil.example/"></form>',
    "<style>body{}</style>",
    '<p style="position:fixed">x</p>',
    '<b id="xss-b">x</b>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
]
SAFE = [
    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    '<a href="https://example.org/" rel="nofollow noopener">x</a>',
    '<a href="java    script:alert(1)">relative, spaces make the scheme invalid</a>',
    '<a href="java\u200bscript:alert(1)">relative: U+200B is not stripped</a>',
    '<script src="/static/admin/js/core.js"></script>',
    '<script id="data" type="application/json">{"a": "&lt;/script&gt;"}</script>',
    '<form action="/search/" method="get"><input name="q"></form>',
    '<form method="post"></form>',
    '<link rel="stylesheet" href="/static/css/site.css">',
    '<p title="onmouseover=alert(1)">an attribute value is not an attribute</p>',
]


@pytest.mark.parametrize("html", DANGEROUS)
def test_auditor_flags_what_a_browser_would_run(html):
    assert audit_html(html)


@pytest.mark.parametrize("html", SAFE)
def test_auditor_passes_escaped_and_own_markup(html):
    assert audit_html(html) == []


def test_dangerous_url_follows_the_browser_url_parser():
    assert is_dangerous_url("\tjava\nscript:alert(1)")
    assert is_dangerous_url("VBScript:msgbox(1)")
    assert not is_dangerous_url("https://example.org/javascript:alert(1)")
    assert not is_dangerous_url("/search/?q=javascript:alert(1)")
