import pytest
from django.conf import settings

from config.redis_cache import ReusingRedisCache

pytestmark = pytest.mark.skipif(
    "redis" not in settings.CACHES["default"]["BACKEND"].lower(),
    reason="REDIS_URL is not set: the Redis cache is tested in the PostgreSQL + Redis run",
)


def test_one_redis_client_serves_every_operation():
    cache = ReusingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "citegrid-test-client"})
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is client
    cache.set("answer", 42)
    assert cache.get("answer") == 42
    assert cache.incr("answer") == 43
    cache.delete("answer")
