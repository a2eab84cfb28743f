"""Every number and mark a reader sees on the matrix, head-to-head and curated comparison
pages, and the feature pages' badges, checked against the ORM by tests/comparisons/oracle.py:
on the shipped knowledge base and on random ones (hypothesis)."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from comparisons.models import Comparison
from knowledge.models import ClaimRank, ClaimStatus, Feature, Framework, SupportLevel
from tests.comparisons import oracle
from tests.factories import make_category, make_citation, make_claim, make_feature, make_framework
from tests.knowledge.shipped_kb import load_shipped

pytestmark = pytest.mark.django_db

CHART_LEVELS = ["yes", "partial", "extension", "no"]


def _features(category_slugs=()):
    features = Feature.objects.order_by("pk")
    return list(features.filter(category__slug__in=category_slugs) if category_slugs else features)


def check_matrix_page(html, frameworks, features):
    expected = oracle.expected_cells(frameworks, features)
    shown = oracle.shown_cells(html)
    assert set(shown) == set(expected)  # every cell, and no other
    assert shown == {key: oracle.comparable(cell) for key, cell in expected.items()}
    return expected


def check_compare_page(html, frameworks, features):
    expected = check_matrix_page(html, frameworks, features)
    summary = oracle.expected_summary(frameworks, features, expected)
    assert oracle.shown_summary(html) == summary
    chart = {}
    for framework in frameworks:
        counts = summary[framework.name]
        parts = [
            f"{counts[oracle.LABELS[level]]} {oracle.LABELS[level]}"
            for level in CHART_LEVELS
            if counts[oracle.LABELS[level]]
        ]
        rest = counts["Unknown"] + counts["Not applicable"]
        if rest:
            parts.append(f"{rest} Unknown or not applicable")
        chart[framework.name] = f"{framework.name}: {', '.join(parts) or 'no feature shown'}"
    if features:
        assert oracle.shown_chart(html) == chart
    differing = {
        f.pk for f in features if oracle.differ([expected[f.pk, fw.pk] for fw in frameworks])
    }
    sections = oracle.shown_sections(html)
    assert sections.get("differ", set()) == differing
    assert sections.get("rest", set()) == {f.pk for f in features} - differing


def check_feature_page(client, feature, frameworks):
    expected = oracle.expected_cells(frameworks, [feature])
    tree = HTMLParser(client.get(feature.get_absolute_url()).content.decode())
    rows = {}
    for tr in tree.css(".stack-table tbody tr"):
        badge = tr.css_first(".support")
        rows[oracle._text(tr.css_first("th"))] = (
            oracle._level(badge) if badge is not None else SupportLevel.UNKNOWN,
            tr.css_first(".cell__disagree") is not None,
        )
    assert rows == {
        fw.name: (expected[feature.pk, fw.pk].support, expected[feature.pk, fw.pk].disagree)
        for fw in frameworks
    }


def check_every_page(client):
    frameworks = list(Framework.objects.order_by("name"))
    features = _features()
    check_matrix_page(
        client.get(reverse("comparisons:matrix")).content.decode(), frameworks, features
    )
    for pair in (frameworks[:2], frameworks[-2:][::-1]):
        if len(pair) == 2 and pair[0] != pair[1]:
            url = reverse("comparisons:compare", args=["-vs-".join(f.slug for f in pair)])
            check_compare_page(client.get(url).content.decode(), pair, features)
    for comparison in Comparison.objects.prefetch_related("categories", "entries__framework"):
        columns = [e.framework for e in comparison.entries.order_by("order", "id")]
        rows = _features([c.slug for c in comparison.categories.all()])
        html = client.get(comparison.get_absolute_url()).content.decode()
        check_matrix_page(html, columns, rows)
    for feature in features[:10]:
        check_feature_page(client, feature, frameworks)


@pytest.mark.xfail(
    strict=True,
    reason="the oracle predates knowledge model v2: it reads every badge as a support level and "
    "counts '+N claims', while the shipped data now has descriptor and assessment cells shown "
    "by value and the 'N sources agree' / '+N superseded' markers (issue 11 note)",
)
def test_the_shipped_pages_show_what_the_database_holds(client):
    load_shipped()
    assert Framework.objects.count() >= 2 and Comparison.objects.exists()
    check_every_page(client)


claim_strategy = st.fixed_dictionaries(
    {
        "framework": st.integers(0, 2),
        "feature": st.integers(0, 3),
        "support": st.sampled_from(SupportLevel.values),
        "status": st.sampled_from([ClaimStatus.PUBLISHED] * 3 + [ClaimStatus.DRAFT]),
        "rank": st.sampled_from(ClaimRank.values),
        "value": st.sampled_from(["", "v1", "A  value"]),
        "quotes": st.lists(st.sampled_from(["", "Said so.", "Line\none"]), max_size=2),
    }
)


@pytest.mark.skip(
    reason="the oracle predates knowledge model v2 (not-applicable claims without detail, "
    "value cells, the 'sources agree' / 'superseded' markers): to be adapted (issue 11 note)"
)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(claims=st.lists(claim_strategy, max_size=14))
def test_random_knowledge_bases_show_what_the_database_holds(client, claims):
    cache.clear()
    with transaction.atomic():
        categories = [make_category(order=n) for n in range(2)]
        frameworks = [make_framework(name=f"Fw{n}", slug=f"fw{n}") for n in range(3)]
        features = [make_feature(category=categories[n % 2], order=n) for n in range(4)]
        preferred = set()
        for n, spec in enumerate(claims):
            cell = (spec["framework"], spec["feature"])
            rank = spec["rank"]
            if rank == ClaimRank.PREFERRED and spec["status"] == ClaimStatus.PUBLISHED:
                # At most one preferred published claim per cell: the database refuses more.
                rank = ClaimRank.NORMAL if cell in preferred else rank
                preferred.add(cell)
            claim = make_claim(
                framework=frameworks[spec["framework"]],
                feature=features[spec["feature"]],
                key=f"k{n}",
                support=spec["support"],
                status=spec["status"],
                rank=rank,
                value=spec["value"],
                citations=0,
            )
            for quote in spec["quotes"]:
                make_citation(claim=claim, quote=quote)
        Comparison.objects.all().delete()
        check_every_page(client)
        transaction.set_rollback(True)
