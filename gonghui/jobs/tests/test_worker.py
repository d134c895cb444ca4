"""Jobs run end to end: start_job enqueues on the database backend, the real db_worker runs it."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from gonghui.accounts.tests.factories import make_officer
from gonghui.core.models import AuditEvent
from gonghui.jobs.models import Job, JobStatus
from gonghui.jobs.services import DEFAULT_FAILURE_MESSAGE, start_job
from gonghui.jobs.tests.tasks import count_rows, crash_on_personal_data, refuse_with_domain_error

# The worker checks its connection between tasks the way Django does between requests, which
# would close a connection held open by a test transaction on PostgreSQL: commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", verbosity=0)


def test_a_job_runs_on_the_worker_and_ends_succeeded_at_100_percent():
    officer = make_officer()
    job = start_job(actor=officer, kind="test.count", title="清点名册", task=count_rows, args=[7])
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.task_result_id

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (7, 7, 100)
    assert job.message == "已处理 7 行"
    assert job.result == {"rows": 7}
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.started_at <= job.finished_at
    assert job.is_finished
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "SUCCESSFUL"


def test_a_crashing_task_fails_the_job_with_a_safe_message_and_logs_no_personal_data(caplog):
    officer = make_officer()
    id_number = "330203198412081234"
    job = start_job(
        actor=officer, kind="test.crash", title="导入", task=crash_on_personal_data, args=[id_number]
    )

    with caplog.at_level(logging.ERROR, logger="gonghui.jobs"):
        run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == str(DEFAULT_FAILURE_MESSAGE)
    assert id_number not in job.message
    assert job.percent == 25
    assert job.finished_at is not None
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "FAILED"
    ours = [record for record in caplog.records if record.name == "gonghui.jobs.services"]
    assert ours
    assert "ValueError" in ours[0].getMessage()
    assert all(id_number not in record.getMessage() for record in ours)


def test_a_domain_error_reaches_the_person_as_written():
    job = start_job(actor=make_officer(), kind="test.refuse", title="导入", task=refuse_with_domain_error)

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "第 3 行的身份证号无效。"


def test_starting_a_job_is_audited_and_nothing_is_enqueued_when_the_caller_rolls_back():
    officer = make_officer()

    @transaction.atomic
    def request_that_fails_after_starting_a_job() -> None:
        start_job(actor=officer, kind="test.count", title="清点", task=count_rows, args=[1])
        raise RuntimeError("the request failed after starting the job")

    with pytest.raises(RuntimeError):
        request_that_fails_after_starting_a_job()
    assert not Job.objects.exists()
    assert not DBTaskResult.objects.exists()

    job = start_job(actor=officer, kind="test.count", title="清点", task=count_rows, args=[1])
    event = AuditEvent.objects.get(action="jobs.start")
    assert (event.actor, event.object_id) == (officer, str(job.pk))
