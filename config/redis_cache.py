"""Django's Redis cache, reusing one client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every operation; each one sets up a
table of some 170 response callbacks, which costs about as much as the round trip itself. A
public page served from the cache makes one such operation (reading the content version), so
this was a third of a cache hit. A `redis.Redis` is safe to share between threads (it takes a
connection from its pool per command), so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # Pools live as long as this object (Django keeps them in self._pools), so their ids
        # are stable keys.
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
