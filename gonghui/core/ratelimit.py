"""Fixed-window counters in the shared cache (Redis in production): "at most N per window".

Counting is atomic on every backend used here, so concurrent requests on several gunicorn
workers count correctly; a window is identified by its start, so a key lives for one window only
and no cleanup is needed. On Redis a hit is one round trip (INCR and EXPIRE pipelined): the
counter sits on hot paths such as claiming a giveaway, where Django's `add` + `incr` cost three.
"""

from __future__ import annotations

import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def count_hit(bucket: str, ident: object, *, seconds: int) -> int:
    """Count one hit of `ident` in `bucket` for the current window; the number of hits so far."""
    window = int(time.time()) // seconds
    key = f"ratelimit:{bucket}:{ident}:{window}"
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        redis_key = cache.make_and_validate_key(key)
        # Django's Redis backend has no public way to pipeline two commands; its client does.
        client = cache._cache.get_client(redis_key, write=True)  # type: ignore[attr-defined]
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(redis_key)
        pipeline.expire(redis_key, seconds)
        hits, _ = pipeline.execute()
        return int(hits)
    cache.add(key, 0, timeout=seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return 1


def over_limit(bucket: str, ident: object, *, limit: int, seconds: int) -> bool:
    """Count one hit; True once `ident` has made more than `limit` in the window."""
    return count_hit(bucket, ident, seconds=seconds) > limit
