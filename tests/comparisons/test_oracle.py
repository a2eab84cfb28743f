"""Every number and mark a reader sees on the matrix, head-to-head and curated comparison
pages, and on the feature, framework and category pages, checked against the ORM by
tests/comparisons/oracle.py: on the shipped knowledge base and on random ones (hypothesis)."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from comparisons.models import Comparison
from knowledge.models import (
    Category,
    Claim,
    ClaimRank,
    ClaimStatus,
    Feature,
    FeatureKind,
    Framework,
    SupportLevel,
    VerificationStatus,
)
from tests.comparisons import oracle
from tests.factories import (
    make_category,
    make_citation,
    make_claim,
    make_comparison,
    make_feature,
    make_framework,
    make_scale,
    make_source,
    make_verification,
)
from tests.knowledge.shipped_kb import load_shipped

pytestmark = pytest.mark.django_db

CHART_WIDTH = 600


def _features(category_slugs=()):
    """The rows in the page's order: by category (its order, its name), then the feature's."""
    features = Feature.objects.select_related("category").order_by(
        "category__order", "category__name", "order", "name", "pk"
    )
    return list(features.filter(category__slug__in=category_slugs) if category_slugs else features)


def _features_heading(count: int) -> str:
    return f"{count} feature{'' if count == 1 else 's'}"


def check_matrix_part(html, frameworks, features, *, differing_first=False):
    """The table(s), the list of cells with several claims and the footnotes."""
    page = oracle.Page(html)
    exp = oracle.expected(frameworks, features)
    assert page.columns() == ([fw.name for fw in frameworks] if features else [])
    assert page.cells() == exp.cells
    assert page.lists() == exp.lists
    # Footnotes: the shown claims' citations in the cells' reading order, then the others'.
    assert sorted(page.footnotes) == list(range(1, exp.note_count + 1))
    assert page.cell_refs() == list(range(1, exp.shown_note_count + 1))

    differing = [
        f.pk for f in features if oracle.differ([exp.verdicts[f.pk, fw.pk] for fw in frameworks])
    ]
    if differing_first:
        rest = [f.pk for f in features if f.pk not in differing]
        sections = {"differ": differing, "rest": rest}
        titles = {"differ": "Where they differ", "rest": "The rest"}
        expected_sections = {
            key: (f"{titles[key]} ({_features_heading(len(rows))})", rows)
            for key, rows in sections.items()
        }
    else:
        sections = {"all": [f.pk for f in features]}
        expected_sections = {"all": ("The table", sections["all"])}
    assert page.sections() == expected_sections
    if frameworks:
        by_pk = {f.pk: f for f in features}
        groups = {}
        for key, rows in sections.items():
            for pk in rows:
                category = by_pk[pk].category
                groups.setdefault(f"{key}-{category.slug}", (category.name, []))[1].append(pk)
        assert page.groups() == {
            tbody: (f"{name} · {_features_heading(len(rows))}", rows)
            for tbody, (name, rows) in groups.items()
        }
    return page, exp


def check_compare_page(html, frameworks, features):
    page, exp = check_matrix_part(html, frameworks, features, differing_first=True)
    summary = oracle.expected_summary(frameworks, features, exp)
    assert page.summary() == summary
    assert page.summary_caption().startswith(
        f"How many of the {_features_heading(len(features))} shown"
    )
    if not features:
        return
    shown = page.chart()
    assert list(shown) == [fw.name for fw in frameworks]
    for name, parts in oracle.expected_chart(summary).items():
        description, segments = shown[name]
        words = ", ".join(f"{count} {label}" for _, label, count in parts)
        assert description == f"{name}: {words or 'no feature shown'}"
        assert [segment[:3] for segment in segments] == parts
        total = sum(count for _, _, count in parts)
        x = 0
        for _, _, count, start, width in segments:
            # Each end is the running total rounded, within half a unit of exact, so a width is
            # within one unit of exact, and the shipped data reaches that bound.
            assert start == x and abs(width - CHART_WIDTH * count / total) <= 1
            x += width
        assert x == CHART_WIDTH


def _truncated(text: str, length: int = 160) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def check_feature_page(client, feature, frameworks):
    """The feature's row of the matrix, framework by framework."""
    exp = oracle.expected(frameworks, [feature])
    by_cell = oracle.cell_claims(frameworks, [feature])
    tree = HTMLParser(client.get(feature.get_absolute_url()).content.decode())
    shown = {}
    header = [oracle._text(th) for th in tree.css(".stack-table thead th")]
    assert header == ["Framework", "Value" if feature.kind != "capability" else "Support"] + [
        "Detail",
        "Sources",
    ]
    for tr in tree.css(".stack-table tbody tr"):
        tds = tr.css("td")
        # On a phone each cell is labelled by its column's header.
        labels = [node.attributes["data-label"] for node in [tr.css_first("th"), *tds]]
        assert labels == header[: len(labels)]
        if tds[0].css_first(".support") is None:
            shown[oracle._text(tr.css_first("th"))] = ("no claim",)
            continue
        shown[oracle._text(tr.css_first("th"))] = (
            oracle._badge(tds[0].css_first(".support")),
            oracle._text(tds[0].css_first(".cell__disagree")),
            oracle._text(tds[1]),
            tuple(oracle._text(q) for q in tds[2].css("q")),
            oracle._text(tds[2].css_first("a.more")),
        )
    wanted = {}
    for framework in frameworks:
        claims = by_cell.get((feature.pk, framework.pk), [])
        if not claims:
            wanted[framework.name] = ("no claim",)
            continue
        claim, others = claims[0], len(claims) - 1
        cell = exp.cells[feature.pk, framework.pk]
        as_of = f" (as of {claim.as_of_version})" if claim.as_of_version else ""
        more = f", {others} other claim{'' if others == 1 else 's'}" if others else ""
        wanted[framework.name] = (
            cell.badge,
            "⚠ Sources disagree" if "⚠ Sources disagree" in cell.markers else "",
            oracle.fold((claim.value or "—") + as_of),
            tuple(_truncated(n.quote) for n in cell.notes if n.quote),
            f"Quotes and history{more}",
        )
    assert shown == wanted


def check_framework_page(client, framework, features):
    """Every published claim of the framework, by feature, the one the matrix shows first."""
    by_cell = oracle.cell_claims([framework], features)
    tree = HTMLParser(client.get(framework.get_absolute_url()).content.decode())
    shown = {
        oracle._text(card.css_first(".claim-card__title a")): (
            oracle._text(card.css_first(".claim-card__title .muted")),
            [oracle._badge(line.css_first(".support")) for line in card.css(".claim-line")],
        )
        for card in tree.css(".claim-card")
    }
    wanted = {}
    for feature in features:
        claims = by_cell.get((feature.pk, framework.pk), [])
        if claims:
            count = f"· {len(claims)} claims" if len(claims) > 1 else ""
            wanted[feature.name] = (count, [oracle.badge(claim) for claim in claims])
    assert shown == wanted


def check_category_page(client, category):
    tree = HTMLParser(client.get(category.get_absolute_url()).content.decode())
    shown = {
        oracle._text(card.css_first(".card__title")): oracle._text(card.css_first(".muted"))
        for card in tree.css(".card")
    }
    counts = {
        feature.name: Claim.objects.filter(feature=feature, status="published").count()
        for feature in category.features.all()
    }
    assert shown == {
        name: f"{count} published claim{'' if count == 1 else 's'}"
        for name, count in counts.items()
    }


def check_every_page(client, *, detail_pages=10) -> oracle.Expected:
    """Every page type; returns what the full matrix was expected to show."""
    frameworks = list(Framework.objects.order_by("name"))
    features = _features()
    _, matrix = check_matrix_part(
        client.get(reverse("comparisons:matrix")).content.decode(), frameworks, features
    )
    for pair in (frameworks[:2], frameworks[-2:][::-1]):
        if len(pair) == 2 and pair[0] != pair[1]:
            url = reverse("comparisons:compare", args=["-vs-".join(f.slug for f in pair)])
            response = client.get(url, follow=True)
            check_compare_page(response.content.decode(), pair, features)
    for comparison in Comparison.objects.prefetch_related("categories", "entries__framework"):
        columns = [e.framework for e in comparison.entries.order_by("order", "id")]
        rows = _features([c.slug for c in comparison.categories.all()])
        html = client.get(comparison.get_absolute_url()).content.decode()
        check_matrix_part(html, columns, rows)
    for feature in features[:detail_pages]:
        check_feature_page(client, feature, frameworks)
    for framework in frameworks[:detail_pages]:
        check_framework_page(client, framework, features)
    for category in Category.objects.all()[:detail_pages]:
        check_category_page(client, category)
    return matrix


def test_the_shipped_pages_show_what_the_database_holds(client):
    load_shipped()
    assert Framework.objects.count() >= 2 and Comparison.objects.exists()
    kinds = set(Feature.objects.values_list("kind", flat=True))
    assert kinds == set(FeatureKind.values)  # every kind of row is read
    matrix = check_every_page(client)
    # The shipped data exercises every mark the checks read.
    cells = matrix.cells.values()
    assert {cell.badge[0] for cell in cells} >= {"support--value", "support--yes"}
    markers = {marker.split(" ", 1)[1] for cell in cells for marker in cell.markers}
    assert {"Sources disagree", "superseded"} <= markers and matrix.lists
    assert any(cell.value for cell in cells) and matrix.note_count > matrix.shown_note_count


def test_the_oracle_catches_a_wrong_cell(client):
    """The checks above can fail: a cell that says another thing than its claim is caught."""
    framework, feature = make_framework(), make_feature()
    claim = make_claim(framework=framework, feature=feature, support=SupportLevel.YES)
    html = client.get(reverse("comparisons:matrix")).content.decode()
    Claim.objects.filter(pk=claim.pk).update(support=SupportLevel.NO)
    with pytest.raises(AssertionError):
        check_matrix_part(html, [framework], [feature])


# Each claim of a random knowledge base: its cell, what it says, how it ranks, what it cites.
claim_strategy = st.fixed_dictionaries(
    {
        "framework": st.integers(0, 2),
        "feature": st.integers(0, 3),
        # A support level on a capability row; on a value row a value (0-2) or unknown.
        "support": st.sampled_from(SupportLevel.values),
        "value_index": st.sampled_from([0, 1, 2, None]),
        "status": st.sampled_from([ClaimStatus.PUBLISHED] * 3 + [ClaimStatus.DRAFT]),
        "rank": st.sampled_from(ClaimRank.values),
        "detail": st.sampled_from(["", "v1", "A  value"]),
        # (source index, quote, verified) for each citation, one per source
        "citations": st.lists(
            st.tuples(
                st.integers(0, 2),
                st.sampled_from(["", "Said so.", "Line\none"]),
                st.booleans(),
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda c: c[0],
        ),
    }
)


def _claim_fields(spec, feature, values):
    """What the claim of `spec` says, as its feature's kind allows."""
    if feature.kind == FeatureKind.CAPABILITY:
        detail = "" if spec["support"] == SupportLevel.NOT_APPLICABLE else spec["detail"]
        return {"support": spec["support"], "value": detail}
    if spec["value_index"] is None:
        return {"support": SupportLevel.UNKNOWN, "value": spec["detail"]}
    return {"support": "", "feature_value": values[spec["value_index"]], "value": spec["detail"]}


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
        features = [
            make_feature(category=categories[0], order=0),
            make_feature(category=categories[1], order=1),
        ]
        values = [[], []]
        for n, kind in ((2, FeatureKind.DESCRIPTOR), (3, FeatureKind.ASSESSMENT)):
            feature, scale = make_scale(
                labels=("Small", "Mid  size", "Large"),
                kind=kind,
                category=categories[n % 2],
                order=n,
            )
            features.append(feature)
            values.append(scale)
        sources = [make_source() for _ in range(3)]
        preferred = set()
        for n, spec in enumerate(claims):
            cell = (spec["framework"], spec["feature"])
            rank = spec["rank"]
            if rank == ClaimRank.PREFERRED and spec["status"] == ClaimStatus.PUBLISHED:
                # At most one preferred published claim per cell: the database refuses more.
                rank = ClaimRank.NORMAL if cell in preferred else rank
                preferred.add(cell)
            feature = features[spec["feature"]]
            claim = make_claim(
                framework=frameworks[spec["framework"]],
                feature=feature,
                key=f"k{n}",
                status=spec["status"],
                rank=rank,
                citations=0,
                **_claim_fields(spec, feature, values[spec["feature"]]),
            )
            for source, quote, verified in spec["citations"]:
                citation = make_citation(claim=claim, source=sources[source], quote=quote)
                if verified:
                    make_verification(citation=citation)
                else:
                    make_verification(citation=citation, status=VerificationStatus.NOT_FOUND)
        Comparison.objects.all().delete()
        make_comparison("Two of them", "two", [frameworks[2], frameworks[0]]).categories.add(
            categories[1]
        )
        check_every_page(client)
        transaction.set_rollback(True)
