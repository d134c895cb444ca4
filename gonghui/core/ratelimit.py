"""Fixed-window counters in the shared cache (Redis in production): "at most N per window".

`cache.add` + `cache.incr` are atomic on Redis and on the database cache, so concurrent requests
on several gunicorn workers count correctly; a window is identified by its start, so a key
lives for one window only and no cleanup is needed.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def count_hit(bucket: str, ident: object, *, seconds: int) -> int:
    """Count one hit of `ident` in `bucket` for the current window; the number of hits so far."""
    window = int(time.time()) // seconds
    key = f"ratelimit:{bucket}:{ident}:{window}"
    cache.add(key, 0, timeout=seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return 1


def over_limit(bucket: str, ident: object, *, limit: int, seconds: int) -> bool:
    """Count one hit; True once `ident` has made more than `limit` in the window."""
    return count_hit(bucket, ident, seconds=seconds) > limit
