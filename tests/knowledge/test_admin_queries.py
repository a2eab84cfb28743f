"""Every admin page runs a fixed number of queries, whether the tables hold 10 rows or 1,000.

The N+1s guarded against: a changelist column that follows a foreign key per row (a claim's
framework and feature, a citation's claim and source, a feature's category) or counts per row
(claims per source, citations per claim, frameworks per comparison); the source page listing
its citing claims with a query per claim; an inline rendering each row's select with a query.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Comparison
from knowledge.models import Citation, Claim, Source
from tests.factories import make_grid, make_source

# Measured as sites run it, with four-eyes review on: the claim page shows who reviewed what.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("review_required")]

# The shared grid (tests/factories.py) big enough to hold at least that many claims.
_GRID_SIZES = {10: (2, 8), 1000: (4, 270)}


def build_knowledge_base(claims):
    """The shared N × M grid with at least `claims` claims, `claims` of which also cite one
    source (so its page lists them all); the objects whose admin pages are read."""
    grid = make_grid(*_GRID_SIZES[claims])
    claim_rows = list(Claim.objects.order_by("pk")[:claims])
    assert len(claim_rows) == claims
    # Every claim names its editor and reviewer (the claim page's Review), read with the claim.
    editor, reviewer = (
        get_user_model().objects.create_user(name, f"{name}@example.org", "x")
        for name in ("editor", "reviewer")
    )
    Claim.objects.update(changed_by=editor, reviewed_by=reviewer, reviewed_at=timezone.now())
    everywhere = make_source(title="Cited everywhere", url="https://example.org/all")
    Citation.objects.bulk_create(
        Citation(claim=claim, source=everywhere, quote="") for claim in claim_rows
    )
    return {
        "category": grid.categories[0],
        "feature": grid.features[0],
        "framework": grid.frameworks[0],
        "source": everywhere,
        "claim": claim_rows[0],
        "citation": Citation.objects.order_by("pk").first(),
        "comparison": Comparison.objects.order_by("pk").first(),
    }


# The most queries each page may run: session, user, the page's own reads (a count, the rows,
# one per list filter or inline, one per autocomplete field or plain select: a claim's value
# and its two releases), and one spare. A query per row would add at least 10 even at the
# smaller size.
BUDGETS = {
    ("knowledge", "category"): {"changelist": 6, "add": 4, "change": 4},
    ("knowledge", "feature"): {"changelist": 7, "add": 5, "change": 6},
    ("knowledge", "framework"): {"changelist": 8, "add": 4, "change": 5},
    ("knowledge", "source"): {"changelist": 6, "add": 4, "change": 5},
    ("knowledge", "claim"): {"changelist": 8, "add": 7, "change": 11, "history": 6},
    ("knowledge", "citation"): {"changelist": 6, "add": 4, "change": 6},
    ("comparisons", "comparison"): {"changelist": 7, "add": 5, "change": 8},
}

# "Show counts" adds one aggregate query per list filter (per choice for a custom filter),
# never one per row.
FACET_BUDGETS = {
    ("knowledge", "category"): 7,
    ("knowledge", "feature"): 12,
    ("knowledge", "framework"): 11,
    ("knowledge", "source"): 9,
    ("knowledge", "claim"): 29,
    # The provenance filter (model v2) and the verification filter each add to it.
    ("knowledge", "citation"): 10,
    ("comparisons", "comparison"): 11,
}


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(user)
    return client


@pytest.mark.parametrize("claims", [10, 1000])
@pytest.mark.parametrize(("app_label", "model"), list(BUDGETS))
def test_admin_pages_run_a_fixed_number_of_queries(
    superuser_client, django_assert_max_num_queries, claims, app_label, model
):
    """The same budget at 10 and at 1,000 claims: no query per row (see the module doc),
    also when the changelist shows its filters' counts (facets)."""
    objects = build_knowledge_base(claims)
    for page, budget in BUDGETS[app_label, model].items():
        args = [objects[model].pk] if page in ("change", "history") else []
        url = reverse(f"admin:{app_label}_{model}_{page}", args=args)
        with django_assert_max_num_queries(budget, info=f"the {page} page"):
            response = superuser_client.get(url)
        assert response.status_code == 200, page
        if page == "changelist":
            shown = len(response.context["cl"].result_list)
            assert shown == min(response.context["cl"].result_count, 100) > 0
            with django_assert_max_num_queries(FACET_BUDGETS[app_label, model], info="facets"):
                assert superuser_client.get(url, {"_facets": "True"}).status_code == 200


def test_the_source_page_lists_its_1000_citing_claims_without_a_query_each(
    superuser_client, django_assert_max_num_queries
):
    """Guards the citing-claims field against reading each claim's framework and feature."""
    source = build_knowledge_base(1000)["source"]
    url = reverse("admin:knowledge_source_change", args=[source.pk])
    # Once before, as a running site has: the content types the page looks up are cached for
    # the process (run alone, this test would otherwise count their first lookup).
    superuser_client.get(url)
    with django_assert_max_num_queries(BUDGETS["knowledge", "source"]["change"]):
        response = superuser_client.get(url)
    content = response.content.decode()
    assert "Open the 1000 claim(s) in the claims list" in content
    assert "… and 950 more" in content


@pytest.mark.parametrize("citations", [1, 20])
def test_inline_rows_do_not_query_one_each(
    superuser_client, django_assert_max_num_queries, citations
):
    """Guards the citations inline against Django's autocomplete labelling each row's
    selected source with a query of its own."""
    claim = build_knowledge_base(10)["claim"]
    Citation.objects.bulk_create(
        Citation(claim=claim, source=Source.objects.create(title=f"Extra {n}"))
        for n in range(citations - 1)
    )
    with django_assert_max_num_queries(BUDGETS["knowledge", "claim"]["change"]):
        response = superuser_client.get(reverse("admin:knowledge_claim_change", args=[claim.pk]))
    assert response.content.decode().count("selected>Extra ") == citations - 1
