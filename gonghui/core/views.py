"""Health check for load balancers, uptime monitors and operators.

`GET /healthz` (and the same data at `GET /api/v1/health`) answers

    {"status": "ok" | "degraded",
     "checks": {"database": {"ok": true, "ms": 0.4, "error": null},
                "cache":    {"ok": true, "ms": 1.2, "error": null},
                "tasks":    {"ok": true, "ms": 0.9, "error": null, "backend": "DatabaseBackend",
                             "waiting": 3, "oldest_waiting_seconds": 12.5}}}

with HTTP 200 when every check is ok and 503 otherwise, so a load balancer takes a copy out of
rotation when it cannot reach its database or cache.

A failed check says only "unavailable": exception text can carry host names, user names or
passwords from connection URLs, and this endpoint is public. The exception goes to the log.

The task check is ok when the backend loads and (for the database backend) its table answers.
A long queue or an old waiting task does *not* make it fail: a stuck worker is not a reason to
take healthy web servers out of rotation. `waiting` and `oldest_waiting_seconds` are there for
monitoring to alert on instead.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)

UNAVAILABLE = "unavailable"

Check = dict[str, Any]


def _timed(probe: Callable[[], dict[str, Any]], name: str) -> Check:
    """Run one probe; a probe returns its extra details or raises when the service is down."""
    started = time.perf_counter()
    try:
        details = probe()
        ok = True
    except Exception:
        # Anything can come out of a driver (OSError, redis errors, DatabaseError, ImportError):
        # every one of them means "this service is not usable now".
        logger.exception("Health check %s failed", name)
        details, ok = {}, False
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    return {"ok": ok, "ms": elapsed, "error": None if ok else UNAVAILABLE, **details}


def _probe_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    if row is None or row[0] != 1:
        raise RuntimeError("SELECT 1 returned an unexpected row")
    return {}


def _probe_cache() -> dict[str, Any]:
    # A random key: concurrent probes from several load balancers must not see each other's value.
    key = f"healthz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            # DummyCache, a full memcached, an evicting Redis: the cache does not keep what it is given.
            raise RuntimeError("cache did not return the value just stored")
    finally:
        cache.delete(key)
    return {}


def _oldest_waiting_since(alias: str) -> datetime | None:
    """When the longest-waiting ready task became runnable.

    A task without `run_after` (stored as the far-future sentinel) waits from when it was
    enqueued; a deferred task only from its `run_after`, so a job planned for 03:00 does not look
    stuck since the afternoon it was scheduled.
    """
    ready = DBTaskResult.objects.ready().filter(backend_name=alias)
    sentinel = get_date_max()
    undeferred = ready.filter(run_after=sentinel).aggregate(since=Min("enqueued_at"))["since"]
    deferred = ready.exclude(run_after=sentinel).aggregate(since=Min("run_after"))["since"]
    candidates = [moment for moment in (undeferred, deferred) if moment is not None]
    return min(candidates) if candidates else None


def _probe_tasks() -> dict[str, Any]:
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    details: dict[str, Any] = {
        "backend": type(backend).__name__,
        "waiting": None,
        "oldest_waiting_seconds": None,
    }
    if isinstance(backend, DatabaseBackend):
        details["waiting"] = DBTaskResult.objects.ready().filter(backend_name=backend.alias).count()
        since = _oldest_waiting_since(backend.alias)
        if since is not None:
            details["oldest_waiting_seconds"] = round(max((timezone.now() - since).total_seconds(), 0.0), 1)
    return details


def health_report() -> tuple[int, dict[str, Any]]:
    """The HTTP status and body shared by /healthz and /api/v1/health."""
    checks = {
        "database": _timed(_probe_database, "database"),
        "cache": _timed(_probe_cache, "cache"),
        "tasks": _timed(_probe_tasks, "tasks"),
    }
    healthy = all(check["ok"] for check in checks.values())
    return (200 if healthy else 503), {"status": "ok" if healthy else "degraded", "checks": checks}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    status, body = health_report()
    return JsonResponse(body, status=status)
