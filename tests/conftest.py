import pytest
from django.conf import settings
from django.core.cache import cache


def pytest_report_header(config):
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"citegrid: database {database}, cache {cache_backend}"


@pytest.fixture(autouse=True)
def _empty_cache():
    # The Redis cache outlives a test; a cached page from one test must not answer another.
    cache.clear()
    yield
    cache.clear()
