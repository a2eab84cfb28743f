"""Query budgets of every API operation and embed: the same count with 2 × 10 and with
20 × 300 claims stored."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from knowledge.models import Claim, Source
from tests.factories import make_grid

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def _urls(grid) -> dict[str, str]:
    framework, feature = grid.frameworks[0], grid.features[0]
    claim = Claim.objects.filter(framework=framework).order_by("pk").first()
    source = Source.objects.order_by("pk").first()
    pair = f"{framework.slug}-vs-{grid.frameworks[1].slug}"
    big = "?page_size=500"
    return {
        "api:docs": reverse("api:docs"),
        "api:openapi": reverse("api:openapi"),
        "api:api-root": reverse("api:api-root"),
        "api:matrix": reverse("api:matrix") + "?support=yes&support=no",
        # Its own budget, with a history that grows, is in tests/comparisons/test_changes.py.
        "api:changes": reverse("api:changes") + f"?framework={framework.slug}",
        "api:category-list": reverse("api:category-list") + big,
        "api:category-detail": reverse("api:category-detail", args=[grid.categories[0].slug]),
        "api:feature-list": reverse("api:feature-list") + big,
        "api:feature-detail": reverse("api:feature-detail", args=[feature.slug]),
        "api:framework-list": reverse("api:framework-list") + big,
        "api:framework-detail": reverse("api:framework-detail", args=[framework.slug]),
        "api:source-list": reverse("api:source-list") + big,
        "api:source-detail": reverse("api:source-detail", args=[source.pk]),
        "api:claim-list": reverse("api:claim-list") + big,
        "api:claim-detail": reverse("api:claim-detail", args=[claim.pk]),
        "api:not-found": reverse("api:not-found", kwargs={"rest": "nothing/"}),
        "embed:badge": reverse("embed:badge", args=[framework.slug, feature.slug]),
        "embed:compare": reverse("embed:compare", args=[pair]),
    }


def _counts(client, urls) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == (404 if "not-found" in name else 200), url
        counts[name] = len(queries)
    return counts


def test_every_operation_has_its_urls_measured():
    """A new API or embed URL must join the budget below."""
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace in ("api", "embed")
        for name in resolver.namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }
    assert names == set(_urls(make_grid(2, 2, categories=1)))


def test_query_counts_do_not_grow_with_the_data(client):
    """Guards against an N+1 per framework, feature, claim, citation or tag: each list page
    and the matrix are read in a fixed handful of queries, whatever they hold. The large
    grid replaces the small one, so each size is asked for its own objects."""
    small_counts = _counts(client, _urls(make_grid(2, 10, categories=2)))
    large_counts = _counts(client, _urls(make_grid(20, 300, categories=30)))
    assert large_counts == small_counts
    assert max(small_counts.values()) <= MAX_QUERIES, small_counts
