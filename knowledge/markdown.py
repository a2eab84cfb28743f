"""The one place where curator-written markdown becomes HTML.

Markdown passes raw HTML through, so its output is untrusted: nh3 (ammonia) keeps a small
allowlist of tags and attributes, only http(s) and mailto links, and marks every link
`rel="nofollow noopener"` so a curator's link lends the site's reputation to nobody.
"""

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text):
    """Return sanitised HTML for `text`, a markdown string (may be empty)."""
    if not text:
        return ""
    html = markdown_lib.markdown(text, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )
