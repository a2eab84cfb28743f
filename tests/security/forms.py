"""Read a rendered HTML form into the data a browser would submit.

The admin tests post what the page really offers (every inline's management form, every
hidden field, the CSRF token) instead of a hand-written dict that drifts from the admin.
"""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = False
        self.fields = []  # [(name, value)] in page order
        self._select = None
        self._select_options = []  # [(value, selected)]
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form" and (self.form_id is None or a.get("id") == self.form_id):
            if not self.found:
                self.inside = self.found = True
            return
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], "multiple" in a)
            self._select_options = []
        elif tag == "option" and self._select:
            self._select_options.append([a.get("value"), "selected" in a, ""])
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        elif self._select and self._select_options and self._select_options[-1][0] is None:
            self._select_options[-1][2] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            # The HTML parser drops the one newline that follows <textarea>; so does a browser.
            self.fields.append((name, value.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            options = [
                (v if v is not None else text.strip(), s) for v, s, text in self._select_options
            ]
            chosen = [v for v, selected in options if selected]
            if not chosen and options and not multiple:
                chosen = [options[0][0]]
            self.fields.extend((name, value) for value in chosen)
            self._select = None


def form_data(html, form_id=None):
    """{name: value or [values]} for the form with `form_id` (the first form when None)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.found, f"no form {form_id or ''} in the page"
    data = {}
    for name, value in reader.fields:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data


class _ParameterReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names, self.values = set(), set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in {"input", "select", "textarea"} and a.get("name"):
            self.names.add(a["name"])
        if tag in {"option", "input"} and a.get("value"):
            self.values.add(a["value"])


def page_parameters(html):
    """(names, values) of every field in a page's forms: the parameters the page really
    takes, and the values it offers for them."""
    reader = _ParameterReader()
    reader.feed(html)
    return reader.names - {"csrfmiddlewaretoken"}, reader.values
