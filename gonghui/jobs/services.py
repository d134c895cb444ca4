"""Starting background jobs, and the calls a task makes to report on itself.

A task that a person watches is written like this:

    @task(queue_name="imports")
    def import_roster(job_id: int, upload_id: int) -> None:
        with job_step(job_id) as step:
            for done, row in enumerate(rows, 1):
                ...
                step.progress(done, len(rows))
            step.message = "导入完成"

and started from a service with `start_job(actor=..., kind="members.import_roster",
title=..., task=import_roster, args=[upload.pk])`. Messages are shown to people, so they never
carry exception text or personal data; the details go to the log.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tasks.base import Task

from gonghui.core.audit import record_audit
from gonghui.core.errors import DomainError
from gonghui.jobs.models import Job, JobStatus
from gonghui.orgs.models import Org

logger = logging.getLogger(__name__)

DEFAULT_SUCCESS_MESSAGE = _("Finished.")
DEFAULT_FAILURE_MESSAGE = _("The job failed. Please try again later, or contact the administrator.")
ENQUEUE_FAILURE_MESSAGE = _("The job could not be queued. Please try again later.")
MESSAGE_MAX_LENGTH = Job._meta.get_field("message").max_length or 500


def start_job(
    *,
    actor: Any,
    kind: str,
    title: str | Promise,
    task: Task[..., Any],
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    org: Org | None = None,
) -> Job:
    """Create the job and enqueue `task(job.pk, *args, **kwargs)` once the transaction commits.

    Enqueueing after commit means a worker never picks up a task whose job row (or whatever
    else the caller wrote) is not visible yet, and a rolled-back request enqueues nothing.
    The caller has already checked that `actor` may do what the task does.
    """
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=str(title),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            org=org,
        )
        record_audit(actor=actor, action="jobs.start", obj=job, note=kind)
        transaction.on_commit(partial(_enqueue, job.pk, task, tuple(args), dict(kwargs or {})))
    return job


def _enqueue(job_id: int, task: Task[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    try:
        task_result = task.enqueue(job_id, *args, **kwargs)
    except Exception as exc:
        # The request that started the job has committed: tell the person, not a 500.
        fail_job(job_id, message=ENQUEUE_FAILURE_MESSAGE, exc=exc)
        return
    Job.objects.filter(pk=job_id).update(task_result_id=str(task_result.id))


def report_progress(job_id: int, done: int, total: int, message: str | Promise = "") -> None:
    """One UPDATE, cheap enough to call every few hundred rows from inside a task.

    Call it outside any long transaction: progress written inside one is invisible to the
    person watching until the transaction commits.
    """
    updates: dict[str, Any] = {"progress_done": max(done, 0), "progress_total": max(total, 0)}
    if message:
        updates["message"] = _clip(message)
    Job.objects.filter(pk=job_id).update(**updates)


def mark_running(job_id: int) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), finished_at=None
    )


def finish_job(job_id: int, *, message: str | Promise = "", result: Mapping[str, Any] | None = None) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        progress_done=F("progress_total"),
        message=_clip(message or DEFAULT_SUCCESS_MESSAGE),
        result=dict(result or {}),
    )


def fail_job(job_id: int, *, message: str | Promise = "", exc: BaseException | None = None) -> None:
    """Mark the job failed with `message` for the person; `exc` goes to the log only.

    The log gets the exception's type and stack but not its message, which may quote the
    personal data being processed (an ID number that failed to parse, say).
    """
    if exc is not None:
        stack = "".join(traceback.format_tb(exc.__traceback__))
        logger.error("Job %s failed with %s:\n%s", job_id, type(exc).__name__, stack)
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED,
        finished_at=timezone.now(),
        message=_clip(message or DEFAULT_FAILURE_MESSAGE),
    )


def user_message(exc: BaseException) -> str:
    """What a person may read about a failure: a domain error's own message, written for people,
    or a generic one, since other exceptions can carry SQL, paths or personal data."""
    if isinstance(exc, DomainError):
        return exc.message
    return str(DEFAULT_FAILURE_MESSAGE)


@dataclass
class JobStep:
    """Handle given to a task body by `job_step`: report progress, then set the outcome."""

    job_id: int
    message: str | Promise = ""
    result: dict[str, Any] = field(default_factory=dict)

    def progress(self, done: int, total: int, message: str | Promise = "") -> None:
        report_progress(self.job_id, done, total, message)


@contextmanager
def job_step(job_id: int) -> Iterator[JobStep]:
    """Mark the job running, then succeeded with the step's message and result, or failed.

    The exception is re-raised so that the task backend records the failure as well (and
    retries, where the backend is configured to).
    """
    mark_running(job_id)
    step = JobStep(job_id)
    try:
        yield step
    except BaseException as exc:
        fail_job(job_id, message=user_message(exc), exc=exc)
        raise
    finish_job(job_id, message=step.message, result=step.result)


def _clip(message: str | Promise) -> str:
    return str(message)[:MESSAGE_MAX_LENGTH]
