"""Checks of one response for what a hostile payload may have left in it, by content type.

HTML goes through the auditor; an Atom feed's `type="html"` texts are HTML to a feed reader,
so they are audited too; CSV cells must not start a spreadsheet formula; JSON must parse.
Every response must be below 500 and must not leak a traceback or the secret key.
"""

import csv
import io
import json
from xml.etree import ElementTree

from django.conf import settings

from .html_safety import audit_html

ATOM = "{http://www.w3.org/2005/Atom}"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def problems(url, response):
    """A list of human-readable problems with `response` to GET `url` (empty when safe)."""
    found = []
    if response.status_code >= 500:
        return [f"{url}: status {response.status_code}"]
    if not hasattr(response, "content"):  # streaming: read it once
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = body.decode(response.charset or "utf-8", errors="replace")
    if "Traceback (most recent call last)" in text:
        found.append(f"{url}: a traceback in the page")
    if settings.SECRET_KEY in text:
        found.append(f"{url}: the SECRET_KEY in the page")
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "text/html":
        found.extend(f"{url}: {finding}" for finding in audit_html(text))
    elif content_type in {"application/atom+xml", "application/rss+xml", "application/xml"}:
        found.extend(f"{url}: {p}" for p in _xml_problems(body))
    elif content_type == "text/csv":
        found.extend(f"{url}: {p}" for p in _csv_problems(text))
    elif content_type == "application/json":
        try:
            json.loads(text)
        except ValueError as exc:
            found.append(f"{url}: JSON that does not parse ({exc})")
    return found


def _xml_problems(body):
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        return [f"XML that does not parse ({exc})"]
    found = []
    for element in root.iter():
        if element.get("type") in {"html", "xhtml"} and element.text:
            found.extend(f"<{element.tag}> as HTML: {f}" for f in audit_html(element.text))
        if element.tag in {"description", f"{ATOM}content"} and element.text:
            # RSS descriptions are HTML to every reader, whatever they say.
            found.extend(f"<{element.tag}> as HTML: {f}" for f in audit_html(element.text))
    return found


def _csv_problems(text):
    found = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULA_STARTS) and not _is_number(cell):
                found.append(f"CSV cell that a spreadsheet runs as a formula: {cell[:60]!r}")
    return found


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True
