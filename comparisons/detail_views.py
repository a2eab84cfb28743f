"""Public pages of single things and their lists: frameworks, features, categories, tags,
claims, sources; and the site search.

Views stay thin: parse the URL or query string, call a selector, render. None of them reads
the session or the user, so every page is the same for everyone and can be cached.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from comparisons import selectors
from comparisons.changes import change_scope_for_feature, change_scope_for_framework
from comparisons.feeds import ClaimsFeed
from comparisons.search import SearchForm
from comparisons.timelines import release_timeline_list

__all__ = [
    "ClaimsFeed",
    "category_detail",
    "claim_detail",
    "feature_detail",
    "feature_list",
    "framework_detail",
    "framework_list",
    "search",
    "source_detail",
    "source_list",
    "tag_detail",
]

SOURCES_PER_PAGE = 100
CITATIONS_PER_PAGE = 50


def _get_or_404(selector, **lookup):
    try:
        return selector(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404("No such page.") from exc


@require_safe
def framework_list(request):
    frameworks = list(selectors.framework_list())
    return render(request, "comparisons/framework_list.html", {"frameworks": frameworks})


@require_safe
def framework_detail(request, slug):
    framework = _get_or_404(selectors.framework_get, slug=slug)
    groups = selectors.claim_list_for_framework(framework=framework)
    timeline = release_timeline_list(
        releases=framework.release_list,
        claims=[claim for group in groups for cell in group.features for claim in cell.claims],
    )
    return render(
        request,
        "comparisons/framework_detail.html",
        {
            "framework": framework,
            "groups": groups,
            "timeline": timeline,
            "changes": change_scope_for_framework(framework),
        },
    )


@require_safe
def feature_list(request):
    categories = selectors.feature_list()
    return render(request, "comparisons/feature_list.html", {"categories": categories})


@require_safe
def feature_detail(request, slug):
    feature = _get_or_404(selectors.feature_get, slug=slug)
    cells = selectors.cell_list_for_feature(feature=feature)
    return render(
        request,
        "comparisons/feature_detail.html",
        {"feature": feature, "cells": cells, "changes": change_scope_for_feature(feature)},
    )


@require_safe
def category_detail(request, slug):
    category = _get_or_404(selectors.category_get, slug=slug)
    features = list(selectors.feature_list_for_category(category=category))
    return render(
        request,
        "comparisons/category_detail.html",
        {"category": category, "features": features},
    )


@require_safe
def tag_detail(request, slug):
    tagged = _get_or_404(selectors.tag_get, slug=slug)
    return render(request, "comparisons/tag_detail.html", {"tagged": tagged})


@require_safe
def claim_detail(request, pk):
    detail = _get_or_404(selectors.claim_get, pk=pk)
    return render(request, "comparisons/claim_detail.html", {"detail": detail})


@require_safe
def source_list(request):
    # get_page, not page: a missing, non-numeric or too large ?page= shows a real page, never
    # an error.
    page = Paginator(selectors.source_list(), SOURCES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "comparisons/source_list.html", {"page": page})


@require_safe
def source_detail(request, pk):
    source = _get_or_404(selectors.source_get, pk=pk)
    page = Paginator(
        selectors.citation_list_for_source(source=source), CITATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "comparisons/source_detail.html", {"source": source, "page": page})


@require_safe
def search(request):
    form = SearchForm(request.GET)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = selectors.search_run(query=form.cleaned_data["q"], pages=request.GET)
    return render(request, "comparisons/search.html", {"form": form, "results": results})
