import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection

from comparisons.cache import breaker, forget_content_version


def pytest_report_header(config):
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"citegrid: database {database}, cache {cache_backend}"


@pytest.fixture(autouse=True)
def _empty_cache():
    # The Redis cache outlives a test; a cached page from one test must not answer another.
    # Nor may a cache failure that one test provoked make the next step aside.
    for alias in settings.CACHES:
        caches[alias].clear()
    breaker.reset()
    forget_content_version()
    yield
    cache.clear()
    breaker.reset()
    forget_content_version()


@pytest.fixture(autouse=True)
def _no_render_limit(settings):
    # Many tests crawl every public page from one client address, hundreds of fresh renders
    # (the XSS and privacy sweeps); the limit on them is tested where it is turned on again
    # (tests/comparisons/test_crawlers.py).
    settings.PAGE_RENDER_LIMIT = 0


@pytest.fixture(autouse=True)
def _no_review(settings):
    # Most tests publish claims as one curator, or from code, to test something else (the
    # citation rule, the pages); four-eyes review is tested where it is turned on again
    # (tests/knowledge/test_review.py, with the `review_required` fixture).
    settings.CITEGRID_REVIEW_REQUIRED = False


@pytest.fixture
def review_required(settings):
    """Four-eyes review on, as it is by default outside the tests."""
    settings.CITEGRID_REVIEW_REQUIRED = True


@pytest.fixture(autouse=True)
def _citation_rule_only_where_tests_commit(request):
    """On PostgreSQL the citation rule is a trigger checked at commit (knowledge migration
    0002). A test in a transaction that is rolled back never commits, but Django checks
    deferred constraints before that rollback, on data some tests build on purpose (checkkb's
    unsourced claims). So those tests run with the trigger disabled inside their own
    transaction (ALTER TABLE is transactional: the rollback restores it); tests that commit
    (transaction=True, as tests/security/test_races.py) meet the trigger as production does."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        rolled_back = not marker.kwargs.get("transaction")
    else:
        rolled_back = (
            "db" in request.fixturenames and "transactional_db" not in request.fixturenames
        )
    if not rolled_back or connection.vendor != "postgresql":
        yield
        return
    request.getfixturevalue("db")
    # Only ever inside the test's transaction, so that the rollback enables it again.
    assert connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE knowledge_claim DISABLE TRIGGER published_claim_needs_citation;"
            "ALTER TABLE knowledge_citation DISABLE TRIGGER published_claim_keeps_a_citation"
        )
    yield
