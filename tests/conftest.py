import pytest
from django.conf import settings
from django.core.cache import cache, caches

from comparisons.cache import breaker


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
    yield
    cache.clear()
    breaker.reset()
