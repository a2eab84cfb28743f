"""The names of snapshot files: derived from the URL, never outside the directory."""

import pytest

from knowledge.verification.snapshots import snapshot_file, snapshot_name


@pytest.mark.parametrize(
    "url, name",
    [
        (
            "https://docs.djangoproject.com/en/5.2/faq/general/",
            "docs.djangoproject.com/en/5.2/faq/general/index",
        ),
        ("https://Example.ORG/a/b.html", "example.org/a/b.html"),
        ("https://example.org", "example.org/index"),
        ("https://example.org/page?lang=en&x=1", "example.org/page@lang_en_x_1"),
        ("https://example.org/%2e%2e/%2e%2e/etc/passwd", "example.org/_/_/etc/passwd"),
        ("https://example.org/a b/ü", "example.org/a_b/_"),
    ],
)
def test_the_file_name_follows_the_url(url, name):
    assert str(snapshot_name(url)) == name


def test_a_text_file_is_preferred_to_an_html_one(tmp_path):
    (tmp_path / "example.org").mkdir()
    (tmp_path / "example.org/page.html").write_text("<p>x</p>")
    assert snapshot_file(tmp_path, "https://example.org/page")[1] == "html"
    (tmp_path / "example.org/page.txt").write_text("x")
    assert snapshot_file(tmp_path, "https://example.org/page")[1] == "text"
    assert snapshot_file(tmp_path, "https://example.org/other") is None
