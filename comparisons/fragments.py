"""The matrix's large fragments, put into their page once its template is rendered.

Django's template engine joins the output of every `{% for %}`, `{% if %}`, `{% include %}` and
block into a new string, and makes that a safe string, a copy more: so a fragment of megabytes
(the 6,000 cells of a 20 × 300 matrix, its 12,000 footnotes) was copied some sixteen times on
its way up to the page, a sizeable share of a cold render (see `manage.py benchmark`). A page
rendered by `render_spliced` has a `Fragments` in its context: the matrix's tags
(templatetags/matrix.py) hand it their fragments and write a short placeholder instead, and
`spliced` then puts each fragment in its placeholder's place in one join. A page rendered
otherwise (an embed, a test's template) gets the fragments in place, as before.
"""

import secrets

from django.http import HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.backends.django import reraise
from django.template.context import make_context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

CONTEXT_KEY = "page_fragments"
_END = "\x00"


class Fragments:
    """The fragments held for one rendering of a page, and their placeholders."""

    def __init__(self):
        # A NUL and a token of this rendering: no text of a page (escaped, but NULs pass)
        # can spell a placeholder it does not know the token of.
        self.marker = f"{_END}{secrets.token_hex(8)}:"
        self.held: list[str] = []

    def hold(self, html: str) -> SafeString:
        """The placeholder of `html`, which `spliced` puts back."""
        self.held.append(html)
        return mark_safe(f"{self.marker}{len(self.held) - 1:d}{_END}")

    def spliced(self, page: str) -> str:
        """`page` with each placeholder replaced by its fragment."""
        head, *pieces = page.split(self.marker)
        parts = [head]
        for piece in pieces:
            index, _, after = piece.partition(_END)
            parts += (self.held[int(index)], after)
        return "".join(parts)


def fragment(context, html: str) -> SafeString:
    """A tag's output `html`: held for the splice when the page is rendered by
    `render_spliced`, else itself."""
    fragments = context.get(CONTEXT_KEY)
    return mark_safe(html) if fragments is None else fragments.hold(html)


def render_spliced(request: HttpRequest, template_name: str, context: dict) -> HttpResponse:
    """What django.shortcuts.render returns, with the page's large fragments spliced in."""
    fragments = Fragments()
    # What render_to_string does, keeping hold of the template's Context to empty it after.
    template = get_template(template_name)
    page_context = make_context(
        {**context, CONTEXT_KEY: fragments}, request, autoescape=template.backend.engine.autoescape
    )
    try:
        page = template.template.render(page_context)
    except TemplateDoesNotExist as exc:
        reraise(exc, template.backend)  # as the backend's render() does, for the debug page
    finally:
        # A Context and the dicts pushed onto it refer to each other: a cycle, which only the
        # garbage collector frees, and with it the page's records (some 30,000 for a 20 × 300
        # matrix) that its dicts hold. Emptied, they are freed as soon as the view returns.
        page_context.dicts.clear()
    return HttpResponse(fragments.spliced(page))
