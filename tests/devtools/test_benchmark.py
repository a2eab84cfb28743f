"""The benchmark command in its quick mode: the shape of its JSON, and the exact figure."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from knowledge.models import Framework

FIGURES = {"queries", "cold", "warm", "scale", "verify", "api"}
# Makes pytest-django create the test database, which the module's one run writes a row to.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def result(django_db_setup, django_db_blocker):
    """One quick run for the whole module (it seeds three databases), beside a real row."""
    out = StringIO()
    with django_db_blocker.unblock():
        real = Framework.objects.create(name="Real", slug="real")
        default = connections["default"]
        try:
            call_command("benchmark", "--quick", "--rounds", "1", stdout=out, stderr=StringIO())
            untouched = {
                "same connection": connections["default"] is default,
                "frameworks": list(Framework.objects.values_list("slug", flat=True)),
            }
        finally:
            real.delete()
    lines = out.getvalue().strip().splitlines()
    return lines, json.loads(lines[-1]), untouched


def test_prints_a_table_then_one_json_object_with_every_figure(result):
    lines, data, _ = result
    assert lines[0].split()[:3] == ["figure", "ratio", "goal"]
    assert set(data["figures"]) == FIGURES
    for name, figure in data["figures"].items():
        assert figure["name"] == name
        assert isinstance(figure["ratio"], float) and figure["ratio"] > 0
        assert isinstance(figure["met"], bool)
        assert figure["goal"]
        assert figure["measured"]
    assert data["all_met"] == all(figure["met"] for figure in data["figures"].values())


def test_the_matrix_runs_the_same_few_queries_at_both_sizes(result):
    """Guards the N+1 of a matrix that queries per row or per cell: 2 × 10 and 20 × 300 must
    cost the same number of queries, at most 10."""
    _, data, _ = result
    queries = data["figures"]["queries"]
    small, large = queries["measured"].values()
    assert small == large <= 10
    assert queries["met"] is True
    assert queries["ratio"] == 1.0


def test_timings_are_measured_not_made_up(result):
    _, data, _ = result
    measured = {name: figure["measured"] for name, figure in data["figures"].items()}
    assert measured["cold"]["cold_ms"] > 0 and measured["cold"]["floor_ms"] > 0
    assert measured["warm"]["warm_rps"] > 0 and measured["warm"]["hello_rps"] > 0
    assert (
        measured["api"]["api_ms"] > 0 and measured["api"]["page_ms"] == measured["cold"]["cold_ms"]
    )
    assert data["figures"]["cold"]["ratio"] == pytest.approx(
        measured["cold"]["cold_ms"] / measured["cold"]["floor_ms"], rel=0.01
    )


def test_never_touches_the_configured_database(result):
    *_, untouched = result
    assert untouched == {"same connection": True, "frameworks": ["real"]}


def test_bad_rounds_are_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("benchmark", "--rounds", "0")
