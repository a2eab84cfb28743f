"""An HTML parser that lists what an injected payload could have left in a page.

Python's html.parser tokenises like a browser does for the cases that matter here (it decodes
entities in attribute values, lower-cases names, and treats <script>/<style> bodies as raw
text), so an attribute that a browser would see as `onerror` or a `javascript:` link hidden
behind `&#x09;` is seen the same way here.
"""

import re
from html.parser import HTMLParser

# Elements that no curator text may ever produce. <form> is allowed only when it is ours:
# a same-origin action (a GET search form, an admin form); <script> only from our own origin.
FORBIDDEN_TAGS = {
    "applet",
    "base",
    "embed",
    "frame",
    "frameset",
    "iframe",
    "isindex",
    "object",
    "portal",
    "style",
    "template",
}
URL_ATTRIBUTES = {
    "action",
    "background",
    "cite",
    "codebase",
    "data",
    "dynsrc",
    "formaction",
    "href",
    "icon",
    "lowsrc",
    "manifest",
    "ping",
    "poster",
    "src",
    "srcset",
    "to",
    "xlink:href",
}
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:")
# How a browser reads a URL (WHATWG URL standard): it trims C0 controls and spaces at both
# ends and drops every tab and newline, so "jav\tascript:" is javascript:. Other characters
# (U+200B, U+00A0, inner spaces) make the scheme invalid and the URL a harmless relative one.
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_RISKY_CSS = re.compile(r"url\s*\(|expression|behavio|binding|@import|position|javascript", re.I)


def browser_url(value):
    return _TAB_OR_NEWLINE.sub("", (value or "").strip(_C0_OR_SPACE)).lower()


def is_dangerous_url(value, *, is_list=False):
    candidates = value.split(",") if is_list else [value]
    return any(browser_url(candidate).startswith(DANGEROUS_SCHEMES) for candidate in candidates)


def is_same_origin_path(value):
    """A path on this site: `/…` but not `//host/…` (protocol-relative), or empty."""
    value = browser_url(value).replace("\\", "/")
    return value == "" or (value.startswith("/") and not value.startswith("//"))


class _Auditor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings = []

    def handle_starttag(self, tag, attrs):
        self._audit(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._audit(tag, attrs)

    def _flag(self, tag, attrs, why):
        rendered = " ".join(f'{name}="{value}"' for name, value in attrs)
        self.findings.append(f"<{tag} {rendered}>: {why}")

    def _audit(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        if tag in FORBIDDEN_TAGS:
            self._flag(tag, attrs, "forbidden element")
        if tag == "script" and not self._is_our_script(values):
            self._flag(tag, attrs, "script that is not ours")
        if tag == "meta" and values.get("http-equiv", "").strip().lower() in {
            "refresh",
            "set-cookie",
            "content-security-policy",
        }:
            self._flag(tag, attrs, "meta http-equiv")
        if tag == "form" and not is_same_origin_path(values.get("action")):
            self._flag(tag, attrs, "form posting elsewhere")
        if (
            tag == "link"
            and not is_same_origin_path(values.get("href"))
            and values.get("rel", "").lower() not in {"canonical", "alternate"}
        ):
            self._flag(tag, attrs, "link element pointing elsewhere")
        if values.get("id", "").lower().startswith("xss-"):
            self._flag(tag, attrs, "an element a payload created")
        for name, value in values.items():
            if name.startswith("on"):
                self._flag(tag, attrs, f"event handler attribute {name}")
            elif name == "style" and _RISKY_CSS.search(value):
                # Harmless template styles are the CSP test's business; this catches CSS
                # that loads, runs or overlays something.
                self._flag(tag, attrs, "risky inline style")
            elif name == "srcdoc":
                self._flag(tag, attrs, "srcdoc")
            elif name in URL_ATTRIBUTES and is_dangerous_url(value, is_list=name == "srcset"):
                self._flag(tag, attrs, f"dangerous URL in {name}")

    @staticmethod
    def _is_our_script(values):
        # Data islands (json_script) are never executed; anything else must be a file we serve.
        if values.get("type", "").lower() == "application/json" and "src" not in values:
            return True
        return "src" in values and is_same_origin_path(values["src"]) and values["src"] != ""

    def handle_data(self, data):
        pass


def audit_html(html):
    """Return a list of findings (empty when the page is clean)."""
    auditor = _Auditor()
    auditor.feed(html)
    auditor.close()
    return auditor.findings
