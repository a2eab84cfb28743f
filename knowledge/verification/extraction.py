"""The readable text of a fetched page, or why it has none we can check.

HTML is parsed with selectolax's Lexbor backend: a maintained, HTML5-conformant parser (it
builds the tree a browser builds, so broken markup reads as a reader sees it) written in C, a
few times faster than lxml and far faster than html5lib or BeautifulSoup on large
documentation pages. Text nodes are joined with spaces, so words of adjacent blocks never run
together; scripts, styles and other non-text elements are dropped first.
"""

import codecs
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain", "text/markdown", "text/x-rst", "text/x-markdown"}
PDF_TYPES = {"application/pdf", "application/x-pdf"}
NOT_TEXT = ["script", "style", "noscript", "template", "svg", "math", "iframe", "object"]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)


class NotCheckable(Exception):
    """The page's content is of a kind whose text we cannot read (the message says which)."""


@dataclass(frozen=True)
class PageText:
    text: str
    kind: str  # "html" or "text"


def _known_codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def decode(body: bytes, declared: str = "") -> str:
    """Text from bytes whose declared charset may be wrong or missing.

    Valid UTF-8 is read as UTF-8 whatever the header says: pages mislabelled as Latin-1 are
    common, while Latin-1 text that happens to be valid UTF-8 is all but unknown. Otherwise the
    declared charset (header, then <meta>), and Windows-1252, the web's legacy default, last.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(body[:4096])
    for name in (declared, meta.group(1).decode("ascii", "replace") if meta else ""):
        codec = _known_codec(name)
        if codec and codec != "utf-8":
            return body.decode(codec, "replace")
    return body.decode("cp1252", "replace")


def _media_type(content_type: str, body: bytes) -> str:
    media = content_type.split(";")[0].strip().lower()
    if media and media != "application/octet-stream":
        return media
    head = body[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "application/pdf"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "text/html"
    return "text/plain"


def html_text(html: str) -> str:
    tree = LexborHTMLParser(html)
    tree.strip_tags(NOT_TEXT)
    root = tree.body or tree.root
    return root.text(separator=" ") if root is not None else ""


def page_text(body: bytes, content_type: str = "", charset: str = "") -> PageText:
    """The text to look for quotes in; raises NotCheckable for content we cannot read."""
    media = _media_type(content_type, body)
    if media in PDF_TYPES:
        raise NotCheckable("the source is a PDF, whose text is not read")
    if media in HTML_TYPES:
        return PageText(html_text(decode(body, charset)), "html")
    if media in TEXT_TYPES:
        return PageText(decode(body, charset), "text")
    raise NotCheckable(f"the source is {media}, which has no text to check")
