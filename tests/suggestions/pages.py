"""Reading the correction form as a browser would: its fields, the answers it offers, and
what it sends back."""

from html.parser import HTMLParser

from django.urls import reverse

from tests.security.forms import form_data

FORM_ID = "suggestion-form"

# A submission that is valid for any capability feature.
VALID = {
    "problem": "The docs of 5.2 say it is built in.",
    "suggested": "yes",
    "source_url": "https://docs.example.org/5.2/topics/orm/",
    "quote": "The ORM is built in.",
    "email": "",
}


class _Options(HTMLParser):
    def __init__(self, name):
        super().__init__()
        self.name, self.inside, self.options = name, False, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select":
            self.inside = a.get("name") == self.name
        elif tag == "option" and self.inside:
            self.options.append([a.get("value"), ""])

    def handle_data(self, data):
        if self.inside and self.options:
            self.options[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False


def offered(html, name="suggested"):
    """{value: label} of the select `name`, the empty "Choose…" left out."""
    reader = _Options(name)
    reader.feed(html)
    return {value: label.strip() for value, label in reader.options if value}


def claim_form_url(claim):
    return reverse("suggestions:claim", kwargs={"pk": claim.pk})


def cell_form_url(framework, feature):
    return reverse("suggestions:cell") + f"?framework={framework.slug}&feature={feature.slug}"


def change_url(suggestion):
    """The suggestion's page in the admin's moderation queue."""
    return reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])


def submit(client, url, *, meta=None, **changes):
    """GET the form at `url`, fill it as a reader would (VALID, then `changes`), POST it
    (both requests with `meta`, e.g. another REMOTE_ADDR)."""
    meta = meta or {}
    page = client.get(url, **meta)
    assert page.status_code == 200, page.status_code
    data = {**form_data(page.content.decode(), form_id=FORM_ID), **VALID, **changes}
    return client.post(url, data, **meta)
