"""The benchmark command in its quick mode, end to end: what it prints, and the exact figures.

Timings are never asserted (the machine is shared); what is asserted is what a reader of the
output relies on: every figure is named with its goal and a verdict, the database and cache
measured are named, the query counts are equal, the churn figure's edits reached the page,
and the developer's database is untouched.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from devtools.benchmark import FIGURES
from knowledge.models import Framework

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


def test_names_the_database_and_cache_it_measured(result, settings):
    lines, data, _ = result
    engine = connections.settings["default"]["ENGINE"]
    expected = "postgresql" if engine.endswith("postgresql") else "sqlite"
    assert lines[0] == f"database: {data['database']}" and data["database"].startswith(expected)
    expected = "redis" if settings.REDIS_URL else "local memory"
    assert lines[1] == f"cache:    {data['cache']}" and data["cache"].startswith(expected)


def test_prints_every_figure_with_its_goal_and_verdict(result):
    lines, data, _ = result
    assert list(data["figures"]) == list(FIGURES)
    rows = {line.split()[0]: line for line in lines[:-1] if line[:1].strip()}
    for name, figure in data["figures"].items():
        assert figure["name"] == name and figure["goal"] and figure["measured"]
        assert figure["goal"] in rows[name]
        if figure["met"] is None:
            # Only the browser figure may be skipped, and it says why.
            assert name == "browser" and figure["measured"]["skipped"]
            assert rows[name].endswith("skipped")
        else:
            assert isinstance(figure["ratio"], float) and figure["ratio"] > 0
            assert rows[name].endswith("met" if figure["met"] else "NOT MET")
    measured = [f for f in data["figures"].values() if f["met"] is not None]
    assert data["all_met"] == all(f["met"] for f in measured)


def test_the_matrix_runs_the_same_few_queries_at_both_sizes(result):
    """Guards the N+1 of a matrix that queries per row or per cell: 2 × 10 and 20 × 300 must
    cost the same number of queries, at most 10."""
    _, data, _ = result
    queries = data["figures"]["queries"]
    small, large = queries["measured"].values()
    assert small == large <= 10
    assert queries["met"] is True
    assert queries["ratio"] == 1.0


def test_ratios_are_the_measured_quotients(result):
    _, data, _ = result
    figures = data["figures"]
    cold = figures["cold"]["measured"]
    assert figures["cold"]["ratio"] == pytest.approx(cold["cold_ms"] / cold["floor_ms"], rel=0.01)
    warm = figures["warm"]["measured"]
    assert figures["warm"]["ratio"] == pytest.approx(
        warm["matrix_rps"] / warm["hello_rps"], rel=0.01
    )
    scale = figures["scale"]["measured"]
    assert figures["scale"]["ratio"] == max(scale["filtered_ratio"], scale["default_ratio"])
    assert figures["api"]["measured"]["page_ms"] == cold["cold_ms"]


def test_the_churn_edits_went_through_the_admin_to_the_page(result):
    _, data, _ = result
    churn = data["figures"]["churn"]["measured"]
    assert churn["edits"] >= 1 and churn["edit_failures"] == []
    assert churn["page_shows_last_edit"] is True


def test_the_herd_reads_every_workers_peak_memory(result, settings):
    _, data, _ = result
    herd = data["figures"]["herd"]["measured"]
    # One worker on a local-memory cache (per process); gunicorn.conf.py's count on Redis.
    assert len(herd["peak_rss_mb_per_worker"]) == (4 if settings.REDIS_URL else 1)
    assert all(peak > 0 for peak in herd["peak_rss_mb_per_worker"])


def test_never_touches_the_configured_database(result):
    *_, untouched = result
    assert untouched == {"same connection": True, "frameworks": ["real"]}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--rounds", "0"], "at least 1"),
        (["--only", "cold,nope"], "Unknown figure"),
        (["--load-seconds", "1"], "at least 2"),
    ],
)
def test_bad_arguments_are_refused(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("benchmark", *arguments)
