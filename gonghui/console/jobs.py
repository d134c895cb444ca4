"""The officer's background jobs (后台任务): what they started — roster imports and exports, list
imports, coverage recalculations — newest first, with live progress for the running ones and
a link to the page where each one's result is. Only the person who started a job sees it
(`Job.objects.visible_to`); superusers see all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.jobs.models import Job

PAGE_SIZE = 50


def _related_page(relation: str, url_name: str) -> Callable[[Job], str | None]:
    def page(job: Job) -> str | None:
        owner = getattr(job, relation, None)
        return None if owner is None else reverse(url_name, args=[owner.pk])

    return page


# Kind → (what it is called, where its result is). The console knows every app; `jobs` knows none.
KINDS: dict[str, tuple[str | Promise, Callable[[Job], str | None]]] = {
    "members.import_roster": (
        _("Roster import"),
        _related_page("roster_import", "console:members:roster_import_report"),
    ),
    "members.export_roster": (
        _("Roster export"),
        _related_page("roster_export", "console:members:roster_export"),
    ),
    "orgs.import_workplaces": (
        _("Workplace list import"),
        _related_page("list_import", "console:orgs:import_report"),
    ),
    "orgs.import_orgs": (
        _("Organisation list import"),
        _related_page("list_import", "console:orgs:import_report"),
    ),
    "orgs.refresh_coverage": (_("Coverage recalculation"), lambda job: reverse("console:orgs:coverage")),
}
RELATIONS = ("roster_import", "roster_export", "list_import")


def _row(job: Job) -> dict[str, Any]:
    label, page = KINDS.get(job.kind, (_("Background job"), lambda job: None))
    return {
        "job": job,
        "kind_label": label,
        "page_url": page(job),
        "poll_url": reverse("jobs:progress", args=[job.pk]),
        "status_label": job.message or job.get_status_display(),
    }


@require_GET
@officer_required
def job_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    jobs = Job.objects.visible_to(user).select_related("created_by", *RELATIONS)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "rows": [_row(job) for job in page.object_list],
        # A superuser sees everyone's jobs (Job.objects.visible_to), so the page says whose.
        "everyone": user.is_superuser,
        "console_section": "jobs",
    }
    return render(request, "console/jobs.html", context)
