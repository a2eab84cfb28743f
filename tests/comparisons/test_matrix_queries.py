"""Query budgets of the matrix pages: the same bound for a 2 × 10 and a 20 × 300 matrix."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Comparison
from knowledge.models import Citation, Claim, Release
from tests.factories import make_comparison, make_grid

pytestmark = pytest.mark.django_db

# Frameworks, categories, tags, features, claims, citations, plus the page's own few.
MAX_QUERIES = 10
# (frameworks, features, categories): the large one has enough of each that one query per
# framework, per category or per row would break the bound.
SIZES = [pytest.param((2, 10, 2), id="2x10"), pytest.param((20, 300, 30), id="20x300")]


@pytest.fixture(params=SIZES)
def grid(request):
    frameworks, features, categories = request.param
    # A disagreeing rival, so that the "Sources disagree" markup is drawn at both sizes.
    grid = make_grid(frameworks, features, categories=categories, rivals=1)
    # As many curated comparisons as frameworks, each over all of them and two categories.
    Comparison.objects.all().delete()  # the seeder's own few
    for n in range(len(grid.frameworks)):
        comparison = make_comparison(f"Comparison {n}", f"comparison-{n}", grid.frameworks)
        comparison.categories.add(*grid.categories[:2])
    return grid


def _slug(grid, n):
    return grid.frameworks[n].slug


def _get_within_budget(client, assert_max, url):
    with assert_max(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_matrix_queries_do_not_grow_with_the_matrix(client, grid, django_assert_max_num_queries):
    """Guards against an N+1 per row, per cell or per citation (a claim or source read per
    cell, a category read per group, a tag list per feature): the matrix is built from a fixed
    handful of queries and a map in Python."""
    cells, footnotes, pages = [], 0, ""
    # The big matrix comes in parts (tests/comparisons/test_matrix_parts.py): each within the
    # budget, together holding every cell, and their footnotes: each claim is cited once.
    for number in range(1, 100):
        url = reverse("comparisons:matrix") + (f"?part={number}" if number > 1 else "")
        if client.get(url).status_code == 404:
            break
        html = _get_within_budget(client, django_assert_max_num_queries, url).content.decode()
        cells += re.findall(r'<td(?: class="cell--disagree")? id="c\d+-\d+">', html)
        footnotes += html.count('<li id="fn-')
        pages += html
    assert len(set(cells)) == len(cells) == len(grid.frameworks) * len(grid.features)
    assert footnotes == Citation.objects.published().count()
    assert 'id="fn-1"' in pages and "Sources disagree" in pages


@pytest.mark.parametrize(
    "query",
    [
        "tag={tag}&differ=on",
        "q=framework&support=no&support=partial&hide_unknown=on",
        "framework={a}&framework={b}&source_kind=article",
        "framework=nope&category={cat}",
    ],
)
def test_filtered_matrix_queries_are_bounded(client, grid, query, django_assert_max_num_queries):
    """Guards against a query per chosen framework, per category or per filter value."""
    query = query.format(
        tag=grid.tags[0],
        a=_slug(grid, 0),
        b=_slug(grid, 1),
        cat=grid.categories[1].slug,
    )
    _get_within_budget(client, django_assert_max_num_queries, f"/matrix/?{query}")


def test_compare_queries_are_bounded(client, grid, django_assert_max_num_queries):
    """Guards against a query per compared framework or per summary count."""
    url = reverse("comparisons:compare", kwargs={"slugs": f"{_slug(grid, 0)}-vs-{_slug(grid, 1)}"})
    response = _get_within_budget(client, django_assert_max_num_queries, url)
    assert "<svg" in response.content.decode()


def test_comparison_pages_are_bounded(client, grid, django_assert_max_num_queries):
    """Guards against a query per comparison, per framework in it or per chosen category."""
    comparison = Comparison.objects.order_by("pk").last()
    _get_within_budget(client, django_assert_max_num_queries, comparison.get_absolute_url())
    _get_within_budget(
        client, django_assert_max_num_queries, reverse("comparisons:comparison-list")
    )


def test_home_queries_are_bounded(client, grid, django_assert_max_num_queries):
    """Guards against a query per featured comparison or per recently changed claim."""
    response = _get_within_budget(
        client, django_assert_max_num_queries, reverse("comparisons:home")
    )
    assert response.content.decode().count('class="claim-card comparison-card"') == len(
        grid.frameworks
    )


@pytest.mark.parametrize("name", ["comparisons:matrix-csv", "comparisons:matrix-json"])
def test_export_queries_are_bounded(client, grid, name, django_assert_max_num_queries):
    """Guards against a query per exported row or per citation in the JSON."""
    _get_within_budget(client, django_assert_max_num_queries, reverse(name))


def _history_of_every_claim_and_citation(days_ago):
    """History rows for the seeder's bulk-created claims and citations, dated `days_ago`."""
    for model in (Claim, Citation):
        model.history.bulk_history_create(list(model.objects.all()), batch_size=2000)
        model.history.update(history_date=F("history_date") - timedelta(days=days_ago))


def test_past_day_and_release_matrices_are_bounded(client, grid, django_assert_max_num_queries):
    """Guards against a query per claim's or citation's history row (?as_of=, rebuilt from the
    history) and per release or versioned claim (?release=, one column as of a release)."""
    _history_of_every_claim_and_citation(2)
    framework = grid.frameworks[0]
    release = Release.objects.filter(framework=framework).first()
    claims = Claim.objects.filter(framework=framework).order_by("pk")
    half = list(claims.values_list("pk", flat=True)[::2])
    Claim.objects.filter(pk__in=half).update(since_version=release)
    Claim.objects.filter(framework=framework).exclude(pk__in=half).update(until_version=release)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    at_release = ("release", f"{framework.slug}@{release.version}")
    for query in (
        urlencode([("as_of", yesterday)]),
        urlencode([at_release]),
        urlencode([at_release, ("as_of", yesterday)]),
    ):
        html = _get_within_budget(
            client, django_assert_max_num_queries, f"/matrix/?{query}"
        ).content.decode()
        assert 'class="form-error"' not in html, query
    # The past day is the seeded one, not an empty table: its cells carry their footnotes.
    assert 'id="fn-1"' in html
