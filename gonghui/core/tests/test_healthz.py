"""/healthz and /api/v1/health against the real database, cache and task table.

A broken cache is a real one: a Redis client pointed at a port where nothing listens.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "gonghui.core.cache.RedisCache",
        "LOCATION": "redis://:s3cret-pass@127.0.0.1:1/0",
    }
}


@task()
def send_reminder(member_id: int) -> None:
    """A task for the queue to hold; no worker runs in these tests."""


def checks_of(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"status", "checks"}
    checks: dict[str, Any] = body["checks"]
    assert set(checks) == {"database", "cache", "tasks"}
    for check in checks.values():
        assert isinstance(check["ok"], bool)
        assert isinstance(check["ms"], float)
        assert check["ms"] >= 0
    return checks


def test_all_checks_ok_gives_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")
    checks = checks_of(response)
    assert all(check["ok"] and check["error"] is None for check in checks.values())
    assert checks["tasks"]["backend"] == "DatabaseBackend"
    assert checks["tasks"]["waiting"] == 0
    assert checks["tasks"]["oldest_waiting_seconds"] is None


def test_head_works_and_writes_are_refused(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_waiting_tasks_and_the_age_of_the_oldest_are_reported(client):
    send_reminder.enqueue(1)
    oldest = send_reminder.enqueue(2)
    DBTaskResult.objects.filter(pk=oldest.id).update(enqueued_at=timezone.now() - timedelta(minutes=10))
    tasks = checks_of(client.get("/healthz"))["tasks"]
    assert tasks["ok"] is True  # a stuck queue is reported, not a reason to leave the load balancer
    assert tasks["waiting"] == 2
    assert 600 <= tasks["oldest_waiting_seconds"] < 660


def test_a_deferred_task_waits_only_from_its_run_after(client):
    later = send_reminder.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(1)
    due = send_reminder.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(2)
    # Scheduled a day ago for five minutes ago: waiting for five minutes, not a day.
    DBTaskResult.objects.filter(pk=due.id).update(
        enqueued_at=timezone.now() - timedelta(days=1), run_after=timezone.now() - timedelta(minutes=5)
    )
    tasks = checks_of(client.get("/healthz"))["tasks"]
    assert tasks["waiting"] == 1
    assert 300 <= tasks["oldest_waiting_seconds"] < 360
    assert DBTaskResult.objects.filter(pk=later.id).exists()


def test_finished_tasks_are_not_waiting(client):
    result = send_reminder.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(status="SUCCESSFUL")
    assert checks_of(client.get("/healthz"))["tasks"]["waiting"] == 0


def test_an_unreachable_cache_gives_503_without_leaking_details(client, caplog):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    checks = checks_of(response)
    assert checks["cache"] == {"ok": False, "ms": checks["cache"]["ms"], "error": "unavailable"}
    assert checks["database"]["ok"] is True
    text = response.content.decode()
    assert "127.0.0.1" not in text
    assert "s3cret" not in text
    assert "refused" not in text.lower()
    assert any(record.name == "gonghui.core.views" and record.exc_info for record in caplog.records)


def test_a_task_backend_that_cannot_load_gives_503(client):
    with override_settings(TASKS={"default": {"BACKEND": "gonghui.no_such_module.Backend"}}):
        response = client.get("/healthz")
    assert response.status_code == 503
    tasks = checks_of(response)["tasks"]
    assert tasks["ok"] is False
    assert tasks["error"] == "unavailable"
    assert "no_such_module" not in response.content.decode()


def test_a_backend_without_a_table_is_checked_only_for_loading(client):
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        response = client.get("/healthz")
    assert response.status_code == 200
    tasks = checks_of(response)["tasks"]
    assert tasks["backend"] == "DummyBackend"
    assert tasks["waiting"] is None


def test_the_api_health_endpoint_gives_the_same_report(client):
    plain = client.get("/healthz").json()
    api = client.get("/api/v1/health")
    assert api.status_code == 200
    body = api.json()
    assert body["status"] == plain["status"]
    assert {name: set(check) for name, check in body["checks"].items()} == {
        name: set(check) for name, check in plain["checks"].items()
    }


def test_the_api_health_endpoint_also_answers_503(client):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["error"] == "unavailable"
