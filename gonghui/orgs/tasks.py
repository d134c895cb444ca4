"""Background work of the orgs app (Django Tasks). See docs/tasks.md."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.jobs.services import job_step
from gonghui.orgs.services.coverage import refresh_coverage
from gonghui.orgs.services.imports import run_list_import, summary


@task()
def refresh_coverage_task(job_id: int | None = None) -> int:
    """Recompute the coverage rollups: as a job someone watches (`job_id`), or scheduled by
    `schedule_coverage_refresh` after changes (no job)."""
    if job_id is None:
        return refresh_coverage().rows
    with job_step(job_id) as step:
        result = refresh_coverage()
        step.message = _("Coverage figures refreshed for %(rows)s organisations in %(seconds).1f s.") % {
            "rows": result.rows,
            "seconds": result.seconds,
        }
        step.result = {"rows": result.rows, "seconds": round(result.seconds, 3)}
    return result.rows


@task(queue_name="imports")
def run_list_import_task(job_id: int, list_import_id: int) -> None:
    """Import an uploaded list of workplaces or organisations (see services.imports)."""
    with job_step(job_id) as step:
        list_import = run_list_import(list_import_id, progress=step.progress)
        step.message = summary(list_import)
        step.result = {
            "list_import": list_import.pk,
            "created": list_import.created_count,
            "updated": list_import.updated_count,
            "unchanged": list_import.unchanged_count,
            "skipped": list_import.skipped_count,
            "problems": list_import.problem_count,
        }
