from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.jobs.models import Job


def access_job(user: Any, job_id: int) -> Job:
    """The job if `user` may see it; NotFound alike for missing jobs and other people's."""
    job = Job.objects.visible_to(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("This job does not exist."))
    return job
