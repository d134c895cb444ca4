"""Console pages for importing lists of workplaces or organisations: upload (with the officer's
earlier imports), the empty templates, and each import's progress and row-by-row report.

An import and its report belong to the officer who uploaded it (and superusers), as its
background job does; the rows it writes are scoped like any others."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.jobs.models import JobStatus
from gonghui.orgs.forms import ListImportForm
from gonghui.orgs.models import ImportKind, ListImport
from gonghui.orgs.services.imports import (
    may_import,
    report_file_name,
    report_for,
    start_list_import,
    summary,
    template_file_name,
    template_for,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HISTORY_PAGE_SIZE = 20
PROBLEMS_PAGE_SIZE = 100
SECTION = "workplaces"


def _allowed_kinds(user: User) -> list[str]:
    kinds = [kind for kind in ImportKind.values if may_import(user, kind)]
    if not kinds:
        raise Http404  # nothing to import for this officer: as if the page did not exist
    return kinds


def _xlsx(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    # Never None with as_attachment=True; Django types it for the inline case without a name.
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name) or ""
    return response


@require_http_methods(["GET", "POST"])
@officer_required
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload a list; below the form, the officer's earlier imports."""
    user = signed_in_user(request)
    kinds = _allowed_kinds(user)
    form = ListImportForm(request.POST or None, request.FILES or None)
    kind_field = form.fields["kind"]
    kind_field.choices = [(value, label) for value, label in ImportKind.choices if value in kinds]  # type: ignore[attr-defined]
    kind_field.initial = kinds[0]
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            list_import = start_list_import(
                actor=user,
                kind=form.cleaned_data["kind"],
                mode=form.cleaned_data["mode"],
                file_name=upload.name or "",
                content=upload.read(),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The list has been uploaded and is being imported."))
            return redirect("console:orgs:import_report", pk=list_import.pk)
    history = Paginator(
        ListImport.objects.visible_to(user).filter(created_by=user).select_related("job"), HISTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "templates": [
            (label, reverse("console:orgs:import_template", args=[value]))
            for value, label in ImportKind.choices
            if value in kinds
        ],
        "table_id": "imports",
        "caption": _("Your imports, newest first"),
        "columns": [
            {"key": "file_name", "label": _("File")},
            {"key": "get_kind_display", "label": _("The list holds")},
            {"key": "created_at", "label": _("Uploaded at"), "class": "nowrap"},
            {"key": "rows_total", "label": _("Rows"), "class": "numeric"},
            {"key": "job.get_status_display", "label": _("Status")},
        ],
        "rows": history.object_list,
        "row_link": "get_absolute_url",
        "row_id": "pk",
        "page_obj": history,
        "empty_message": _("You have not imported any lists yet."),
        "console_section": SECTION,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "orgs/import_list.html", context, status=status)


@require_GET
@officer_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in _allowed_kinds(signed_in_user(request)):
        raise Http404
    return _xlsx(template_for(kind), template_file_name(kind))


def _own_import(request: HttpRequest, pk: int) -> ListImport:
    list_import = ListImport.objects.visible_to(request.user).select_related("job").filter(pk=pk).first()
    if list_import is None:
        raise Http404
    return list_import


@require_GET
@officer_required
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress while the job runs (the progress bar polls this page), then the report."""
    list_import = _own_import(request, pk)
    job = list_import.job
    finished = job is None or job.is_finished
    if finished and getattr(request, "htmx", False):
        # The progress bar asked: the import is over, so load the whole page with its report.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    problems = Paginator(list_import.problems.all(), PROBLEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "list_import": list_import,
        "job": job,
        "finished": finished,
        "job_status_label": (job.message or job.get_status_display()) if job else "",
        "failed": job is None or job.status == JobStatus.FAILED,
        "summary": summary(list_import) if list_import.is_finished else "",
        "table_id": "import-problems",
        "caption": _("Problems, by row"),
        "columns": [
            {"key": "row", "label": _("Row"), "class": "numeric"},
            {"key": "column_letter", "label": _("Column"), "class": "nowrap"},
            {"key": "column", "label": _("Column name")},
            {"key": "message", "label": _("Problem")},
        ],
        "rows": problems.object_list,
        "row_id": "pk",
        "page_obj": problems,
        "empty_message": _("No problems: every row was imported."),
        "console_section": SECTION,
    }
    return render(request, "orgs/import_report.html", context)


@require_GET
@officer_required
def import_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    list_import = _own_import(request, pk)
    if not list_import.is_finished:
        raise Http404
    return _xlsx(report_for(list_import), report_file_name(list_import))
