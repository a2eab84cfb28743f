"""The matrix on descriptor and assessment rows: compared by value, shown by value, counted
apart from the support levels; and the cell markers' three sentences."""

import pytest
from django.urls import reverse

from comparisons.charts import support_chart
from comparisons.exports import cell_text
from comparisons.filters import CellCriteria
from comparisons.matrix import framework_column_list, matrix_build
from knowledge.models import ClaimRank, Feature, FeatureKind, SupportLevel
from tests.comparisons.reading import matrix_cells
from tests.factories import make_claim, make_feature, make_framework, make_scale

pytestmark = pytest.mark.django_db


def _matrix(**kwargs):
    return matrix_build(
        frameworks=framework_column_list(), features=Feature.objects.all(), **kwargs
    )


@pytest.fixture
def scope_row():
    """Two frameworks, a scope descriptor on which they differ, and an ORM on which they agree."""
    django, flask = make_framework(name="Django"), make_framework(name="Flask")
    scope, (full, micro) = make_scale(
        labels=["Full-stack", "Microframework"], kind=FeatureKind.DESCRIPTOR, name="Scope"
    )
    make_claim(framework=django, feature=scope, feature_value=full)
    make_claim(framework=flask, feature=scope, feature_value=micro)
    orm = make_feature(name="ORM")
    for framework in (django, flask):
        make_claim(framework=framework, feature=orm, support=SupportLevel.YES)
    return {"django": django, "flask": flask, "scope": scope, "orm": orm}


def test_rows_that_differ_by_value_are_where_they_differ(scope_row):
    matrix = _matrix(differing_first=True)
    differ, rest = matrix.sections
    assert [row.name for group in differ.groups for row in group.rows] == ["Scope"]
    assert [row.name for group in rest.groups for row in group.rows] == ["ORM"]
    kept = _matrix(criteria=CellCriteria(differ=True))
    assert [row.name for s in kept.sections for g in s.groups for row in g.rows] == ["Scope"]


def test_the_same_value_is_no_difference(scope_row):
    other = make_framework(name="Bottle")
    scope = scope_row["scope"]
    make_claim(
        framework=other, feature=scope, feature_value=scope.values.get(slug="microframework")
    )
    columns = [c for c in framework_column_list() if c.name in ("Bottle", "Flask")]
    matrix = matrix_build(frameworks=columns, features=Feature.objects.all(), differing_first=True)
    assert matrix.sections[0].row_count == 0


def test_a_value_cell_shows_the_value_as_its_badge_and_export_text(scope_row):
    cell = matrix_cells(_matrix())[scope_row["scope"].pk][scope_row["flask"].pk]
    assert (cell.mark.symbol, cell.mark.label) == ("◆", "Microframework")
    assert cell_text(cell) == "Microframework"


def test_two_values_in_one_cell_disagree_whatever_their_rank(scope_row):
    scope, flask = scope_row["scope"], scope_row["flask"]
    make_claim(
        framework=flask,
        feature=scope,
        key="blog",
        rank=ClaimRank.PREFERRED,
        feature_value=scope.values.get(slug="full-stack"),
    )
    cell = matrix_cells(_matrix())[scope.pk][flask.pk]
    assert cell.disagree and cell.agreeing_sources == 0


def test_markers_count_agreeing_sources_and_superseded_claims(scope_row):
    orm, django = scope_row["orm"], scope_row["django"]
    make_claim(framework=django, feature=orm, key="survey")
    make_claim(
        framework=django, feature=orm, key="old", support=SupportLevel.NO, rank=ClaimRank.DEPRECATED
    )
    cell = matrix_cells(_matrix())[orm.pk][django.pk]
    # A deprecated "no" beside two current "yes": no disagreement, 2 sources agree, 1 superseded.
    assert (cell.disagree, cell.agreeing_sources, cell.superseded) == (False, 2, 1)


def test_a_cell_showing_its_only_deprecated_claim_counts_no_superseded_claim(scope_row, client):
    """ "+N superseded" counts the claims besides the one shown, and leads to their list: a
    lone deprecated claim once showed "+1 superseded" linking to a list that did not exist."""
    orm, pyramid = scope_row["orm"], make_framework(name="Pyramid")
    make_claim(framework=pyramid, feature=orm, key="old", rank=ClaimRank.DEPRECATED)
    cell = matrix_cells(_matrix())[orm.pk][pyramid.pk]
    assert (cell.claim.rank, cell.superseded) == (ClaimRank.DEPRECATED, 0)
    make_claim(framework=pyramid, feature=orm, key="older", rank=ClaimRank.DEPRECATED)
    cell = matrix_cells(_matrix())[orm.pk][pyramid.pk]
    assert cell.superseded == 1
    html = client.get(reverse("comparisons:matrix")).content.decode()
    assert f'id="claims-{cell.anchor}"' in html and "+1 superseded" in html


def test_summary_counts_levels_for_capabilities_and_values_apart(scope_row):
    make_feature(name="Learning curve", kind=FeatureKind.ASSESSMENT)
    summary = {s.framework.name: s for s in _matrix().summary}
    django = summary["Django"]
    assert django.counts[SupportLevel.YES] == 1 and django.total == 1
    assert (django.described, django.undescribed) == (1, 1)
    labels = [segment.label for segment in support_chart([django]).bars[0].segments]
    assert labels == ["Built in", "Described by a value", "Not described yet"]
