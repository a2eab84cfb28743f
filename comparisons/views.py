"""The public comparison pages: home, the matrix and its exports, head-to-head, curated ones.

Views stay thin: parse the URL, call a selector, render. Every page reads through
`selectors.matrix_get`, so a page, its CSV and its JSON always hold the same rows.
"""

from functools import wraps
from urllib.parse import parse_qsl, urlencode

from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from . import canonical, charts, exports, selectors
from .changes import change_scope_for_comparison
from .fragments import render_spliced
from .matrix import framework_column_list
from .models import Comparison
from .parts import NoSuchPart
from .renames import renamed_filter_redirect
from .support import KIND_MEANINGS, support_legend

# More columns than this are no longer a head-to-head; /matrix/ shows them all.
MAX_COMPARED = 8


def _matrix_context(result: selectors.FilteredMatrix, **extra) -> dict:
    # The same page today: the same filters and part, without the day.
    now_query = urlencode([pair for pair in parse_qsl(result.page_query) if pair[0] != "as_of"])
    return {
        "as_of": result.as_of,
        "now_query": now_query,
        "filter": result.filterset,
        "matrix": result.matrix,
        "query": result.query,
        "canonical_query": result.page_query,
        "part": result.part,
        "parts": result.part_links(),
        "legend": support_legend(),
        "kinds": KIND_MEANINGS,
        **extra,
    }


def _export_query(result, frameworks, category_slugs=(), *, differing_first=False) -> str:
    """The query string that exports exactly these columns, in this order, with the page's
    filters and row order: also the page's link to the full matrix."""
    pairs = [("framework", framework.slug) for framework in frameworks]
    if differing_first:
        pairs.append(("order", "differ"))
    pairs += parse_qsl(result.query)
    if category_slugs and not any(name == "category" for name, _ in pairs):
        pairs += [("category", slug) for slug in category_slugs]
    return canonical.canonical_query(pairs)


@require_safe
def home(request):
    return render(
        request,
        "comparisons/home.html",
        {
            "comparisons": selectors.comparison_list(featured_only=True),
            "counts": selectors.knowledge_count(),
            "recent_claims": selectors.claim_list_recent(limit=8),
        },
    )


def _canonical(view):
    """`view`, but a query string spelled another way redirects to the canonical one."""

    @wraps(view)
    def canonical_view(request, *args, **kwargs):
        url = canonical.canonical_path(request)
        if url is not None:
            return redirect(url, permanent=True)
        return view(request, *args, **kwargs)

    return canonical_view


def matrix_part_get(**kwargs) -> selectors.FilteredMatrix:
    """The part of the matrix the page's query asks for, or 404 when there is no such part."""
    try:
        return selectors.matrix_get(paged=True, **kwargs)
    except NoSuchPart:
        raise Http404("The matrix has no such part.") from None


@require_safe
@_canonical
def matrix(request):
    result = matrix_part_get(data=request.GET)
    if renamed := renamed_filter_redirect(request, result.filterset.form.errors):
        return renamed
    return render_spliced(
        request, "comparisons/matrix.html", _matrix_context(result, export_query=result.query)
    )


def _exported(request):
    """The filtered matrix's first part, or a 400 naming the invalid filters: an export is
    never silently different from what was asked for (or a 301 when they name a renamed
    slug)."""
    result = selectors.matrix_get(data=request.GET, paged=True, part=1, check_dates=True)
    if renamed := renamed_filter_redirect(request, result.filterset.form.errors):
        return None, renamed
    if not result.filterset.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages)}"
            for name, messages in result.filterset.form.errors.items()
        )
        return None, HttpResponseBadRequest(
            f"Invalid filters, nothing exported. {errors}", content_type="text/plain"
        )
    return result, None


def _parts(request, first: selectors.FilteredMatrix):
    """The matrix of each part in turn, each built only when the export reaches it, from the
    split the first part was cut by (counted again, an edit while the export streams could
    leave a part that no longer exists)."""
    yield first.matrix
    for part in first.parts[1:]:
        yield selectors.matrix_get(
            data=request.GET, paged=True, part=part.number, parts=first.parts, check_dates=True
        ).matrix


def _export(result, chunks, *, content_type, filename):
    """The export: streamed when the matrix comes in several parts (memory bounded by a part),
    else whole, so that the page cache keeps it."""
    if len(result.parts) > 1:
        response = StreamingHttpResponse(chunks, content_type=content_type)
    else:
        response = HttpResponse("".join(chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def matrix_csv(request):
    result, error = _exported(request)
    if error:
        return error
    return _export(
        result,
        exports.matrix_csv_lines(_parts(request, result)),
        content_type="text/csv; charset=utf-8",
        filename="citegrid-matrix.csv",
    )


@require_safe
def matrix_json(request):
    result, error = _exported(request)
    if error:
        return error
    chunks = exports.matrix_json_chunks(
        _parts(request, result), query=result.query, absolute=request.build_absolute_uri
    )
    return _export(result, chunks, content_type="application/json", filename="citegrid-matrix.json")


@require_safe
@_canonical
def compare(request, slugs):
    wanted = slugs.split("-vs-")
    distinct = list(dict.fromkeys(wanted))
    if not 2 <= len(distinct) <= MAX_COMPARED:
        raise Http404("Compare two to eight different frameworks.")
    if len(distinct) != len(wanted):
        url = reverse("comparisons:compare", kwargs={"slugs": "-vs-".join(distinct)})
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url, permanent=True)
    frameworks = framework_column_list(slugs=distinct)
    if len(frameworks) != len(distinct):
        raise Http404("No framework with that name.")
    result = matrix_part_get(data=request.GET, frameworks=frameworks, differing_first=True)
    if renamed := renamed_filter_redirect(request, result.filterset.form.errors):
        return renamed
    return render_spliced(
        request,
        "comparisons/compare.html",
        _matrix_context(
            result,
            title=" vs ".join(framework.name for framework in frameworks),
            chart=charts.support_chart(result.matrix.summary),
            export_query=_export_query(result, frameworks, differing_first=True),
        ),
    )


@require_safe
def comparison_list(request):
    return render(
        request,
        "comparisons/comparison_list.html",
        {"comparisons": selectors.comparison_list()},
    )


@require_safe
@_canonical
def comparison_detail(request, slug):
    try:
        comparison = selectors.comparison_get(slug=slug)
    except Comparison.DoesNotExist:
        raise Http404("No comparison with that name.") from None
    result = matrix_part_get(
        data=request.GET,
        frameworks=comparison.frameworks,
        category_slugs=comparison.category_slugs,
    )
    if renamed := renamed_filter_redirect(request, result.filterset.form.errors):
        return renamed
    return render_spliced(
        request,
        "comparisons/comparison_detail.html",
        _matrix_context(
            result,
            comparison=comparison,
            changes=change_scope_for_comparison(comparison),
            compare_url=_compare_url(comparison.frameworks, comparison.category_slugs),
            export_query=_export_query(result, comparison.frameworks, comparison.category_slugs),
        ),
    )


def _compare_url(frameworks, category_slugs=()) -> str:
    """The head-to-head URL of `frameworks` limited to `category_slugs` (all when empty), or ""
    when they cannot have one."""
    if not 2 <= len(frameworks) <= MAX_COMPARED:
        return ""
    try:
        slugs = "-vs-".join(framework.slug for framework in frameworks)
        url = reverse("comparisons:compare", kwargs={"slugs": slugs})
    except NoReverseMatch:
        # A slug the compare URL cannot spell (capitals, underscores): no link, never a 500.
        return ""
    query = canonical.canonical_query([("category", slug) for slug in category_slugs])
    return f"{url}?{query}" if query else url
