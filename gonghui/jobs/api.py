"""REST API for background jobs: mounted by gonghui.api at /api/v1/jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.api import request_user
from gonghui.jobs.models import Job, JobStatus
from gonghui.jobs.selectors import access_job

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: JobStatus
    percent: int
    progress_done: int
    progress_total: int
    message: str
    is_finished: bool
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.get("/{int:job_id}", response=JobOut, summary="Progress and outcome of a background job")
def get_job(request: HttpRequest, job_id: int) -> Job:
    return access_job(request_user(request), job_id)
