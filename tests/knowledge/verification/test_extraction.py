"""Page text: what is kept of HTML, how bytes are decoded, what cannot be read."""

import pytest

from knowledge.verification.extraction import NotCheckable, decode, page_text


def test_html_keeps_the_visible_text_and_drops_scripts_and_styles():
    html = (
        b"<html><head><style>p{}</style></head><body><p>One<b>two</b></p><p>three</p>"
        b"<script>alert('no')</script><noscript>none</noscript></body></html>"
    )
    text = page_text(html, "text/html").text
    assert text.split() == ["One", "two", "three"]


def test_broken_markup_reads_as_a_browser_reads_it():
    assert page_text(b"<p>open <i>italic <b>bold</p> after", "text/html").text.split() == [
        "open",
        "italic",
        "bold",
        "after",
    ]


@pytest.mark.parametrize(
    "body, declared, expected",
    [
        ("naïve – ok".encode(), "iso-8859-1", "naïve – ok"),
        ("naïve – ok".encode("cp1252"), "", "naïve – ok"),
        ("naïve".encode("latin-1"), "utf-8", "naïve"),
        ("naïve".encode("utf-16"), "utf-16", "naïve"),
        (b'<meta charset="koi8-r">' + "привет".encode("koi8-r"), "", "привет"),
        ("\ufeffnaïve".encode(), "", "naïve"),
    ],
)
def test_bytes_are_decoded_despite_a_wrong_or_missing_charset(body, declared, expected):
    assert decode(body, declared).endswith(expected)


def test_a_pdf_is_not_checkable_even_without_a_content_type():
    with pytest.raises(NotCheckable, match="PDF"):
        page_text(b"%PDF-1.4 ...", "")


def test_images_are_not_checkable():
    with pytest.raises(NotCheckable, match="image/png"):
        page_text(b"\x89PNG", "image/png")
