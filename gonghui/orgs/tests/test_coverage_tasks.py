"""Refreshing the coverage rollups in the background: the debounced schedule, the task on the
real database worker, and the "refresh now" job that federation administrators start."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gonghui.accounts.tests.factories import make_officer
from gonghui.core.errors import Forbidden
from gonghui.core.models import AuditEvent
from gonghui.jobs.models import Job, JobStatus
from gonghui.members.models import Member
from gonghui.members.tests.factories import make_members
from gonghui.orgs.models import FederationLevel, Org, OrgCoverage, OrgKind, Role, RoleGrant
from gonghui.orgs.scoping import forget_grants
from gonghui.orgs.services.coverage import (
    _DEBOUNCE_KEY,
    REFRESH_DEBOUNCE_SECONDS,
    schedule_coverage_refresh,
    start_coverage_refresh,
)

TASK_PATH = "gonghui.orgs.tasks.refresh_coverage_task"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", verbosity=0)


def _city_with_union() -> tuple[Org, Org]:
    city = Org.objects.add_root(
        create_kwargs={
            "code": "C",
            "name": "示范市总工会",
            "kind": OrgKind.FEDERATION,
            "level": FederationLevel.CITY,
        }
    )
    union = Org.objects.add_child(
        city, create_kwargs={"code": "U", "name": "某公司工会", "kind": OrgKind.GRASSROOTS}
    )
    make_members(union, 3)
    return city, union


def _queued_refreshes() -> list[DBTaskResult[Any, Any]]:
    return list(DBTaskResult.objects.filter(task_path=TASK_PATH))


@pytest.mark.django_db
def test_many_changes_within_a_minute_enqueue_one_refresh_at_the_end_of_the_minute(
    django_capture_on_commit_callbacks,
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            schedule_coverage_refresh()

    queued = _queued_refreshes()
    assert len(queued) == 1
    assert queued[0].run_after is not None
    assert queued[0].run_after >= before + timedelta(seconds=REFRESH_DEBOUNCE_SECONDS)


@pytest.mark.django_db
def test_a_change_after_the_window_has_passed_enqueues_the_next_refresh(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        schedule_coverage_refresh()
    cache.delete(_DEBOUNCE_KEY)  # what the key's expiry does at the end of the window

    with django_capture_on_commit_callbacks(execute=True):
        schedule_coverage_refresh()

    assert len(_queued_refreshes()) == 2


@pytest.mark.django_db
def test_a_change_that_rolls_back_schedules_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule_coverage_refresh()

    assert len(callbacks) == 1  # runs only if the change commits
    assert _queued_refreshes() == []


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_refresh_runs_on_the_worker_once_its_time_has_come():
    city, _union = _city_with_union()
    schedule_coverage_refresh()  # autocommit: enqueued at once, to run a minute from now
    DBTaskResult.objects.filter(task_path=TASK_PATH).update(run_after=timezone.now())

    run_worker()

    assert OrgCoverage.objects.get(org=city).members == 3
    assert DBTaskResult.objects.get(task_path=TASK_PATH).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_refresh_now_runs_as_a_job_the_administrator_can_watch():
    city, _union = _city_with_union()
    admin = make_officer("city.admin", otp_required=True)
    RoleGrant.objects.create(user=admin, org=city, role=Role.FEDERATION_ADMIN)

    job = start_coverage_refresh(actor=admin, org=city)
    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["rows"] == 2
    assert "2" in job.message
    assert OrgCoverage.objects.get(org=city).members == 3
    assert AuditEvent.objects.filter(action="orgs.coverage_refresh", org_path=city.path).exists()


@pytest.mark.django_db
def test_only_a_federation_administrator_may_refresh_now():
    city, _union = _city_with_union()
    auditor = make_officer("auditor")
    RoleGrant.objects.create(user=auditor, org=city, role=Role.AUDITOR)
    forget_grants(auditor)

    with pytest.raises(Forbidden):
        start_coverage_refresh(actor=auditor, org=city)

    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_demo_city_is_loaded_with_its_coverage_figures():
    call_command("seed_demo", "--scale", "tiny", stdout=io.StringIO())

    root = Org.objects.get(depth=1)
    assert OrgCoverage.objects.count() == Org.objects.count()
    assert OrgCoverage.objects.get(org=root).members == Member.objects.filter(status="active").count()
