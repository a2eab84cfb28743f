"""comparisons.matrix: which claim a cell shows, disagreement, footnotes; and matrix_get."""

import pickle

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from comparisons.filters import CellCriteria
from comparisons.matrix import framework_column_list, matrix_build
from comparisons.selectors import matrix_get
from knowledge.models import ClaimRank, ClaimStatus, Feature, SourceKind, SupportLevel
from tests.comparisons.reading import matrix_cells, matrix_rows
from tests.factories import (
    make_category,
    make_citation,
    make_claim,
    make_feature,
    make_framework,
    make_source,
)

pytestmark = pytest.mark.django_db


def _matrix(**kwargs):
    return matrix_build(
        frameworks=framework_column_list(), features=Feature.objects.all(), **kwargs
    )


def test_a_preferred_claim_is_shown_before_a_newer_normal_one():
    framework, feature = make_framework(), make_feature()
    preferred = make_claim(
        framework=framework, feature=feature, key="old", rank=ClaimRank.PREFERRED
    )
    make_claim(framework=framework, feature=feature, key="new", support=SupportLevel.NO)
    cell = matrix_cells(_matrix())[feature.pk][framework.pk]
    assert cell.claim.id == preferred.pk
    assert cell.support == SupportLevel.YES
    assert cell.disagree


def test_without_a_preferred_claim_normal_beats_deprecated_then_the_newest_wins():
    framework, feature = make_framework(), make_feature()
    make_claim(framework=framework, feature=feature, key="dep", rank=ClaimRank.DEPRECATED)
    older = make_claim(framework=framework, feature=feature, key="older", value="older")
    newer = make_claim(framework=framework, feature=feature, key="newer", value="newer")
    cell = matrix_cells(_matrix())[feature.pk][framework.pk]
    assert [c.id for c in cell.claims][:2] == [newer.pk, older.pk]
    assert cell.value == "newer"
    older.save()  # now the most recently changed
    assert matrix_cells(_matrix())[feature.pk][framework.pk].value == "older"


def test_a_deprecated_claim_that_disagrees_is_kept_but_is_no_disagreement():
    framework, feature = make_framework(), make_feature()
    make_claim(framework=framework, feature=feature, key="a")
    make_claim(
        framework=framework,
        feature=feature,
        key="b",
        rank=ClaimRank.DEPRECATED,
        support=SupportLevel.NO,
    )
    cell = matrix_cells(_matrix())[feature.pk][framework.pk]
    assert not cell.disagree
    assert cell.other_claim_count == 1


def test_a_cell_without_published_claim_is_unknown():
    framework, feature = make_framework(), make_feature()
    make_claim(framework=framework, feature=feature, status=ClaimStatus.DRAFT, value="secret")
    cell = matrix_cells(_matrix())[feature.pk][framework.pk]
    assert (cell.support, cell.mark.label, cell.mark.symbol) == ("unknown", "Unknown", "?")
    assert cell.claims == [] and cell.value == ""


def test_footnotes_are_numbered_in_reading_order_and_point_back():
    framework, category = make_framework(), make_category()
    first, second = make_feature(category=category), make_feature(category=category, order=2)
    rival = make_claim(framework=framework, feature=first, key="rival", support="no")
    claim_b = make_claim(framework=framework, feature=second, citations=1)
    claim_a = make_claim(framework=framework, feature=first, citations=2)  # newer: shown
    matrix = matrix_build(
        frameworks=framework_column_list(),
        features=Feature.objects.filter(pk__in=[first.pk, second.pk]).order_by("order"),
    )
    # The shown claims first, row by row; the rival's citation after them, pointing at its group.
    assert [f.claim_id for f in matrix.footnotes] == [
        claim_a.pk,
        claim_a.pk,
        claim_b.pk,
        rival.pk,
    ]
    assert [f.number for f in matrix.footnotes] == [1, 2, 3, 4]
    assert matrix_cells(matrix)[first.pk][framework.pk].footnotes == [1, 2]
    anchor = matrix_cells(matrix)[first.pk][framework.pk].anchor
    # A shown claim's footnotes lead back to its cell, the others' to the cell's list.
    assert matrix.footnotes[0].backref == anchor
    assert matrix.footnotes[3].backref == f"claims-{anchor}"
    assert matrix.several_claims[0][1].claims[1].footnotes == [4]


def test_footnotes_carry_source_and_claim_pages():
    claim = make_claim(citations=0)
    citation = make_citation(claim=claim, quote="Batteries included.", locator="§ 2")
    (footnote,) = _matrix().footnotes
    assert footnote.quote == "Batteries included."
    assert footnote.locator == "§ 2"
    assert footnote.source.page == citation.source.get_absolute_url()
    assert footnote.claim_url == claim.get_absolute_url()
    assert footnote.source.title == citation.source.title


def test_sources_read_in_batches_are_each_cited_right(monkeypatch):
    """More cited sources than one batch of ids: every footnote still names its own source,
    and each batch is one query."""
    framework = make_framework()
    for n in range(5):
        claim = make_claim(framework=framework, feature=make_feature(), citations=0)
        make_citation(claim=claim, source=make_source(title=f"Source {n}"), quote=f"Quote {n}.")
    counts = {}
    for batch in (900, 2):
        monkeypatch.setattr("comparisons.matrix.SOURCE_BATCH", batch)
        with CaptureQueriesContext(connection) as queries:
            matrix = _matrix()
        counts[batch] = len(queries)
        named = {footnote.quote: footnote.source.title for footnote in matrix.footnotes}
        assert named == {f"Quote {n}.": f"Source {n}" for n in range(5)}, batch
    assert counts[2] == counts[900] + 2  # three batches of at most two, instead of one


def test_differing_first_puts_differing_rows_in_their_own_section():
    a, b = make_framework(name="A"), make_framework(name="B")
    same, differ, half = make_feature(), make_feature(), make_feature()
    for fw in (a, b):
        make_claim(framework=fw, feature=same)
    make_claim(framework=a, feature=differ, support="yes")
    make_claim(framework=b, feature=differ, support="no")
    make_claim(framework=a, feature=half)  # b unknown: no difference that is known
    matrix = _matrix(differing_first=True)
    differ_section, rest = matrix.sections
    assert [r.feature_id for g in differ_section.groups for r in g.rows] == [differ.pk]
    assert {r.feature_id for g in rest.groups for r in g.rows} == {same.pk, half.pk}


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (CellCriteria(support=frozenset({"no"})), {"differ"}),
        (CellCriteria(support=frozenset({"unknown"})), {"half", "empty"}),
        (CellCriteria(differ=True), {"differ"}),
        (CellCriteria(hide_unknown=True), {"same", "differ", "half"}),
        (CellCriteria(source_kind="book"), {"same"}),
    ],
)
def test_cell_criteria_keep_rows_by_what_their_cells_show(criteria, expected):
    a, b = make_framework(name="A"), make_framework(name="B")
    features = {name: make_feature(name=name) for name in ("same", "differ", "half", "empty")}
    for fw in (a, b):
        make_claim(framework=fw, feature=features["same"])
    make_citation(claim=a.claims.get(), source=make_source(kind=SourceKind.BOOK))
    make_claim(framework=a, feature=features["differ"], support="yes")
    make_claim(framework=b, feature=features["differ"], support="no")
    make_claim(framework=a, feature=features["half"])
    matrix = _matrix(criteria=criteria)
    assert {row.name for row in matrix_rows(matrix)} == expected


def test_the_matrix_payload_pickles_for_the_cache():
    make_claim(citations=2)
    matrix = _matrix()
    clone = pickle.loads(pickle.dumps(matrix))
    assert clone == matrix


def test_framework_column_list_keeps_the_order_asked_for():
    make_framework(slug="b", name="B")
    make_framework(slug="a", name="A")
    assert [c.slug for c in framework_column_list(slugs=["b", "a", "missing"])] == ["b", "a"]
    assert [c.slug for c in framework_column_list()] == ["a", "b"]


def test_matrix_get_chooses_columns_by_slug():
    a, b = make_framework(slug="a", name="A"), make_framework(slug="b", name="B")
    make_claim(framework=a)
    result = matrix_get(data=QueryDict("framework=b"))
    assert [f.slug for f in result.matrix.frameworks] == ["b"]
    assert result.query == "framework=b"
    assert [f.slug for f in matrix_get(data=QueryDict()).matrix.frameworks] == ["a", "b"]
    assert b
