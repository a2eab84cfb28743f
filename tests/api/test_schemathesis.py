"""The API fuzzed against its own OpenAPI schema (schemathesis, through Django's WSGI app).

Every operation of /api/v1/openapi.json gets EXAMPLES generated requests (50 by default: with
the 11 operations, 550 a run): parameters of every type the schema allows, and beyond it.
Each response must not be a 5xx and must match the schema: its status code is documented,
its body validates, its content type is the declared one.

Longer: `CITEGRID_API_FUZZ_EXAMPLES=2000 make pytest PYTEST_ARGS="tests/api/test_schemathesis.py"`.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from tests.factories import make_grid, plant_unpublished_claims

EXAMPLES = int(os.environ.get("CITEGRID_API_FUZZ_EXAMPLES", "50"))


@pytest.fixture(autouse=True)
def _connection_kept():
    """The test's transaction holds the data: Django's real WSGI handler would close the
    connection after each request (it is not in autocommit), so keep it open, as Django's
    test client does for its own requests."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture(autouse=True)
def knowledge(db, settings, _connection_kept):
    # The fuzzer is one client making hundreds of requests a minute: not what the limit is for.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"address": "1000000/minute"},
    }
    grid = make_grid(3, 6, categories=2)
    plant_unpublished_claims(framework=grid.frameworks[0], feature=grid.features[0])


# Loaded at collection (the schema needs no database); schemathesis' lazy from_fixture loader
# does not run under pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_its_schema_says(case):
    # Left out, both about what the status should be rather than whether it is a documented
    # one with a valid body: "schema-valid data must be accepted" (a schema cannot say which
    # slugs exist, and an unknown one, ?framework=nope, is a bad parameter: 400) and
    # "schema-violating data must be rejected" (an empty filter, ?kind=, means no filter, and
    # the matrix reads its checkboxes as /matrix/ does, where any value but false is on).
    case.call_and_validate(excluded_checks=[positive_data_acceptance, negative_data_rejection])
