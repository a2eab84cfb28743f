import pytest

from knowledge.markdown import render_markdown


def test_markdown_becomes_html():
    assert render_markdown("*hi*") == "<p><em>hi</em></p>"


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""


def test_links_get_nofollow_noopener():
    html = render_markdown("[docs](https://docs.djangoproject.com/)")
    assert 'rel="nofollow noopener"' in html
    assert 'href="https://docs.djangoproject.com/"' in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="javascript&colon;alert(1)">x</a>',
        "<svg onload=alert(1)>",
        '<iframe src="https://example.org"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_dangerous_markup_does_not_survive(text):
    html = render_markdown(text).lower()
    for needle in ("<script", "onerror", "onload", "javascript:", "data:", "<iframe", "style="):
        assert needle not in html
