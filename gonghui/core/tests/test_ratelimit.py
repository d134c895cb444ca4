"""The counters against the configured cache: Redis on PostgreSQL runs, the database cache on SQLite."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.core.cache import caches
from django.db import connection, connections

from gonghui.core.ratelimit import count_hit, over_limit

pytestmark = pytest.mark.django_db(transaction=True)


def test_hits_are_counted_per_bucket_and_ident_and_the_limit_is_exceeded_after_n() -> None:
    ident = uuid.uuid4().hex
    assert [count_hit("test", ident, seconds=60) for _ in range(3)] == [1, 2, 3]
    assert count_hit("other", ident, seconds=60) == 1
    assert count_hit("test", f"{ident}-b", seconds=60) == 1

    fresh = uuid.uuid4().hex
    assert [over_limit("test", fresh, limit=2, seconds=60) for _ in range(4)] == [False, False, True, True]


def test_the_counter_is_an_ordinary_cache_value_of_its_window() -> None:
    ident = uuid.uuid4().hex
    count_hit("test", ident, seconds=3600)
    count_hit("test", ident, seconds=3600)
    window = int(time.time()) // 3600
    cache = caches["default"]
    # Read back through Django's cache API (a window may just have turned over: look at both).
    values = [cache.get(f"ratelimit:test:{ident}:{w}") for w in (window - 1, window)]
    assert sorted(v for v in values if v is not None) in ([2], [1, 1])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's database cache serialises writers")
def test_concurrent_hits_from_many_threads_are_all_counted() -> None:
    ident = uuid.uuid4().hex
    results: list[int] = []
    lock = threading.Lock()

    def hit() -> None:
        try:
            for _ in range(10):
                value = count_hit("test", ident, seconds=3600)
                with lock:
                    results.append(value)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Every hit got its own number: no two threads read the same count.
    assert sorted(results) == list(range(1, 81))
