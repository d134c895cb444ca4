"""The Redis cache backend reuses its client; on SQLite runs the cache is the database table."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.cache import caches

from gonghui.core.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="Redis is the cache of the PostgreSQL runs"
)


def test_every_call_goes_through_one_client_per_pool() -> None:
    backend = caches["default"]._cache  # type: ignore[attr-defined]
    client = backend.get_client(write=True)
    assert backend.get_client(write=True) is client
    assert backend.get_client() is client  # one server: reads use the same pool


def test_the_shared_client_serves_threads_at_once() -> None:
    cache = caches["default"]
    prefix = uuid.uuid4().hex
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"{prefix}:{n}:{i}", (n, i), timeout=60)
                assert cache.get(f"{prefix}:{n}:{i}") == (n, i)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert cache.get_many([f"{prefix}:{n}:49" for n in range(8)]) == {
        f"{prefix}:{n}:49": (n, 49) for n in range(8)
    }
