"""The Redis cache backend, with one client object per connection pool.

Django's Redis backend builds a new `redis.Redis` object for every cache call, and building one
fills a table of about 170 response callbacks: about 8 % of the CPU time of a press of a
giveaway's button once the stock is gone (two cache calls: rate limit and sold-out gate; cProfile,
bench/README.md). The object is a thin, thread-safe wrapper around the pool, which holds the
connections, so one per pool is enough.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: str | bytes | memoryview[int] | None = None, *, write: bool = False) -> Any:
        # Both private names are Django 5.2's (pinned); the stubs leave them out.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
