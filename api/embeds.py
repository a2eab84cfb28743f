"""Embeds for other sites: an SVG badge per cell and a framable head-to-head comparison.

The badge shows what the matrix shows for one framework × feature, read by the matrix's own
build (`matrix_build`), so a badge can never say something the matrix does not. The embed page
is the compare page's table with its citations and without the site's frame; it is the only
page that other sites may put in a frame (`frame-ancestors *`, no X-Frame-Options); every other
response keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY`.
"""

import re
from dataclasses import dataclass

from csp.decorators import csp_replace
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from comparisons.matrix import framework_column_list, matrix_build
from comparisons.renames import renamed_filter_redirect
from comparisons.support import support_legend
from comparisons.views import MAX_COMPARED, matrix_part_get
from knowledge.models import Feature

from .conditional import BADGE_MAX_AGE, conditional

# Roughly Verdana 11px, the badge font: wide enough for any text without measuring glyphs.
_CHAR_WIDTH = 7
_PADDING = 10


@dataclass(frozen=True)
class Badge:
    label: str  # "Django · ORM"
    message: str  # "Built in · 2 sources"
    level: str  # the support level shown, "" for a value, which is drawn in grey
    link: str  # the claim the cell shows, else the feature's page
    label_width: int
    message_width: int

    @property
    def width(self) -> int:
        return self.label_width + self.message_width

    @property
    def label_x(self) -> int:
        return self.label_width // 2

    @property
    def message_x(self) -> int:
        return self.label_width + self.message_width // 2

    @property
    def text(self) -> str:
        return f"{self.label}: {self.message}"


# What XML 1.0 cannot hold even escaped (control characters, lone surrogates, U+FFFE/FFFF):
# one of them in a name would make the whole SVG unreadable, so it is dropped from the text.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _width(text: str) -> int:
    return len(text) * _CHAR_WIDTH + 2 * _PADDING


def badge_get(*, framework_slug: str, feature_slug: str) -> Badge:
    """The badge of one cell; raises Http404 for an unknown framework or feature."""
    frameworks = framework_column_list(slugs=[framework_slug])
    matrix = matrix_build(frameworks=frameworks, features=Feature.objects.filter(slug=feature_slug))
    rows = [row for section in matrix.sections for group in section.groups for row in group.rows]
    if not frameworks or not rows:
        raise Http404("No such framework or feature.")
    (row,) = rows
    (cell,) = row.cells
    message = cell.mark.label
    if cell.value:
        message += f": {cell.value}"
    if cell.claims:
        numbers = set(cell.footnotes)
        sources = {f.source.id for f in matrix.footnotes if f.number in numbers}
        message += f" · {len(sources)} source{'s' if len(sources) != 1 else ''}"
    label = _xml_text(f"{frameworks[0].name} · {row.name}")
    message = _xml_text(message)
    return Badge(
        label=label,
        message=message,
        level=cell.support,
        link=cell.claim.url if cell.claim else row.url,
        label_width=_width(label),
        message_width=_width(message),
    )


# csrf_exempt: read-only (require_safe), so a POST gets 405 rather than the CSRF 403 page.
@csrf_exempt
@require_safe
@conditional(max_age=BADGE_MAX_AGE)
def badge(request, framework, feature):
    found = badge_get(framework_slug=framework, feature_slug=feature)
    context = {"badge": found, "link": request.build_absolute_uri(found.link)}
    return render(request, "api/badge.svg", context, content_type="image/svg+xml")


@csrf_exempt
@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@conditional()
def compare(request, slugs):
    wanted = slugs.split("-vs-")
    if len(set(wanted)) != len(wanted) or not 2 <= len(wanted) <= MAX_COMPARED:
        raise Http404("Compare two to eight different frameworks.")
    frameworks = framework_column_list(slugs=wanted)
    if len(frameworks) != len(wanted):
        raise Http404("No framework with that name.")
    # Bounded as the compare page is: a part of at most MATRIX_PAGE_CELLS cells at a time.
    result = matrix_part_get(data=request.GET, frameworks=frameworks, differing_first=True)
    if renamed := renamed_filter_redirect(request, result.filterset.form.errors):
        return renamed
    return render(
        request,
        "api/embed_compare.html",
        {
            "title": " vs ".join(framework.name for framework in frameworks),
            "matrix": result.matrix,
            "part": result.part,
            "parts": result.part_links(),
            "legend": support_legend(),
            "page_url": request.build_absolute_uri(
                reverse("comparisons:compare", kwargs={"slugs": slugs})
            ),
        },
    )
