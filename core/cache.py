"""The cache on Redis (REDIS_URL), as Django's backend with one change: a redis-py client per server, made once.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` on every cache call, each with its table of
~170 response callbacks: a third of a millisecond of CPU per `cache.get` on the 2-core machine, more than the
command's own round trip (a cached PDF download, the impact page, every throttle). redis-py's client is
thread-safe and takes a connection from the pool for each command; the pool is Django's, per server, and resets
itself in a forked process.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
