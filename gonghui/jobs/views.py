"""Progress of a background job: an HTMX partial that polls itself, and the same as JSON."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from gonghui.accounts.decorators import member_area
from gonghui.core.errors import NotFound
from gonghui.jobs.api import JobOut
from gonghui.jobs.models import Job
from gonghui.jobs.selectors import access_job

# htmx stops polling an element when the server answers 286; the final state is still swapped in.
HTMX_STOP_POLLING = 286


def _job_or_404(request: HttpRequest, pk: int) -> Job:
    try:
        return access_job(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@member_area
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    context = {
        "job_id": job.pk,
        "poll_url": reverse("jobs:progress", args=[job.pk]),
        "percent": job.percent,
        "label": job.title,
        "status": job.status,
        "status_label": job.message or job.get_status_display(),
    }
    response = render(request, "components/progress.html", context)
    if job.is_finished and getattr(request, "htmx", False):
        response.status_code = HTMX_STOP_POLLING
    return response


@member_area
def progress_json(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job_or_404(request, pk)
    return JsonResponse(JobOut.model_validate(job).model_dump(mode="json"))
