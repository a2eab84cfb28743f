"""The churn figure's curator: a signed-in superuser saving a claim through the admin.

The edit takes the path a curator's save takes: the admin's change form is fetched, its
fields read as a browser would submit them, the claim's value changed, and the form posted
back, so that the admin's form checks, the save and the cache invalidation run as in
production.
"""

import html.parser
import re

import httpx


class _FormFields(html.parser.HTMLParser):
    """The fields a browser would submit from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file") or (
                kind in ("checkbox", "radio") and "checked" not in attrs
            ):
                return
            self.fields.append(
                (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields.append((self.textarea, ""))

    def handle_data(self, data):
        if self.textarea:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.textarea:
                name, text = self.fields[-1]
                self.fields[-1] = (name, text.removeprefix("\n"))
            self.textarea = None


class Curator:
    """A signed-in curator who saves one claim's value through the admin, again and again."""

    def __init__(self, base: str, *, username: str, password: str, claim_id: int):
        self.client = httpx.Client(
            base_url=base, timeout=30, headers={"X-Forwarded-For": "10.7.0.1"}
        )
        self.url = f"/admin/knowledge/claim/{claim_id}/change/"
        login = self.client.get("/admin/login/")
        token = self.client.cookies["csrftoken"]
        answer = self.client.post(
            "/admin/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": token,
                "next": "/admin/",
            },
            headers={"Referer": str(login.url)},
        )
        if answer.status_code != 302:
            raise RuntimeError(f"The benchmark's curator could not sign in ({answer.status_code}).")
        self.saves = 0
        self.last_value = None

    def save(self) -> None:
        form = self.client.get(self.url)
        parser = _FormFields()
        parser.feed(form.text)
        self.saves += 1
        fields: dict[str, list[str]] = {"_save": ["Save"]}
        for name, value in parser.fields:
            fields.setdefault(name, []).append(value)
        self.last_value = f"benchmark edit {self.saves}"
        fields["value"] = [self.last_value]
        answer = self.client.post(self.url, data=fields)
        if answer.status_code != 302:
            errors = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', answer.text, re.S)
            raise RuntimeError(f"The admin refused the benchmark's edit: {errors[:3]}")

    def close(self):
        self.client.close()
