"""Console pages of the roster import (花名册导入): the upload form with the imports in the
officer's scope, the empty template, each import's progress and then its report (counts and the
problems row by row), the report workbook, and asking for the transfers of the people the roster
found active in other unions.

An import belongs to its union: every officer who may change that union's members sees it, as
they would see the members it wrote (`get_visible(RosterImport, user, Perm.MEMBER_CHANGE)`).
The work is done by gonghui.members.services.imports."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import holding
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.jobs.models import JobStatus
from gonghui.members.models import RosterImport, RosterImportMode, RosterProblemLevel
from gonghui.members.services.imports import (
    TEMPLATE_FILE_NAME,
    import_limits,
    report_file_name,
    request_roster_transfers,
    start_roster_import,
    summary,
    template_for,
    transfer_candidates,
)
from gonghui.members.services.registry import MEMBER_HOLDING_KINDS
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTION = "roster_imports"
HISTORY_PAGE_SIZE = 20
PROBLEMS_PAGE_SIZE = 100
# Up to this many unions are offered in a drop-down; an officer over more types the union's code.
UNION_CHOICE_LIMIT = 200


def _unions(user: User) -> QuerySet[Org]:
    """The unions the officer may add members to: those holding members, active, in scope."""
    return (
        visible(Org, user, Perm.MEMBER_CHANGE)
        .filter(kind__in=MEMBER_HOLDING_KINDS, status=OrgStatus.ACTIVE)
        .order_by("path")
    )


def _may_import(user: User) -> bool:
    return holding(Perm.MEMBER_CHANGE)(user)


class RosterImportForm(forms.Form):
    org = CleanCharField(label=gettext_lazy("Union"), max_length=32)
    mode = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        choices=RosterImportMode.choices,
        initial=RosterImportMode.CHECK,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )

    def __init__(self, *args: Any, unions: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unions = unions
        limits = import_limits()
        self.fields["file"].help_text = _(
            "An .xlsx, .xls or .ods workbook, or a .csv file (UTF-8 or GBK); at most %(size)s MB, "
            "%(rows)s rows in a workbook and %(csv)s in a CSV file."
        ) % {
            "size": limits.max_bytes // 2**20,
            "rows": f"{limits.max_workbook_rows:,}",
            "csv": f"{limits.max_rows:,}",
        }
        few = list(unions[: UNION_CHOICE_LIMIT + 1].values_list("code", "name"))
        if len(few) <= UNION_CHOICE_LIMIT:
            self.fields["org"] = forms.ChoiceField(
                label=_("Union"),
                choices=[("", _("Choose the union")), *((code, f"{name}（{code}）") for code, name in few)],
                help_text=_("The members on the roster join this union."),
            )
            if len(few) == 1:
                self.fields["org"].initial = few[0][0]
        else:
            self.fields["org"].help_text = _("The code of the union the members on the roster join.")

    def clean_org(self) -> Org:
        code = self.cleaned_data["org"]
        union = self.unions.filter(code=code).first()
        if union is None:
            raise forms.ValidationError(_("There is no union with this code that you may add members to."))
        return union


@require_http_methods(["GET", "POST"])
@officer_required
def roster_imports(request: HttpRequest) -> HttpResponse:
    """Upload a roster; below the form, the imports of the unions in the officer's scope."""
    user = signed_in_user(request)
    if not _may_import(user):
        raise Http404  # nothing this officer may import into: as if the page did not exist
    unions = _unions(user)
    initial = {"org": request.GET.get("org", "")[:32]}
    form = RosterImportForm(request.POST or None, request.FILES or None, unions=unions, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            roster_import = start_roster_import(
                actor=user,
                org=form.cleaned_data["org"],
                mode=form.cleaned_data["mode"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The roster has been uploaded and is being checked."))
            return redirect("console:members:roster_import_report", pk=roster_import.pk)
    history = Paginator(
        visible(RosterImport, user, Perm.MEMBER_CHANGE).select_related("org", "job", "created_by"),
        HISTORY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "table_id": "roster-imports",
        "caption": _("Roster imports of the unions in your scope, newest first"),
        "columns": [
            {"key": "file_name", "label": _("File")},
            {"key": "org.name", "label": _("Union")},
            {"key": "get_mode_display", "label": _("Mode")},
            {"key": "created_at", "label": _("Uploaded at"), "class": "nowrap"},
            {"key": "rows_total", "label": _("Rows"), "class": "numeric"},
            {"key": "imported_count", "label": _("Imported"), "class": "numeric"},
            {"key": "rejected_count", "label": _("Rows with problems"), "class": "numeric"},
        ],
        "rows": history.object_list,
        "row_link": "get_absolute_url",
        "row_id": "pk",
        "page_obj": history,
        "empty_message": _("No roster has been imported yet."),
        "console_section": SECTION,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "members/import_upload.html", context, status=status)


@require_GET
@officer_required
def roster_import_template(request: HttpRequest) -> HttpResponse:
    if not _may_import(signed_in_user(request)):
        raise Http404
    response = HttpResponse(template_for(), content_type=XLSX)
    _xlsx_attachment(response, TEMPLATE_FILE_NAME)
    return response


def _xlsx_attachment(response: HttpResponseBase, file_name: str) -> None:
    # Never None with as_attachment=True; Django types it for the inline case without a name.
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name) or ""
    response["Cache-Control"] = "private, no-store"  # personal data in a report; the template is cheap


def _roster_import(request: HttpRequest, pk: int) -> RosterImport:
    queryset = RosterImport.objects.select_related("org", "job", "created_by")
    return get_visible(queryset, signed_in_user(request), Perm.MEMBER_CHANGE, pk=pk)


@require_GET
@officer_required
def roster_import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress while the job runs (the progress bar polls this page), then the report."""
    roster_import = _roster_import(request, pk)
    job = roster_import.job
    finished = roster_import.is_finished or job is None or job.is_finished
    htmx = getattr(request, "htmx", None)
    if finished and job is not None and htmx and htmx.target == f"job-{job.pk}-progress":
        # The progress bar asked (the problems' paging asks too, and gets the page): the import
        # is over, so load the whole page with its report.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    problems = Paginator(
        roster_import.problems.select_related("transfer").order_by("row", "pk"), PROBLEMS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    candidates = transfer_candidates(roster_import).count() if roster_import.is_finished else 0
    context = {
        "roster_import": roster_import,
        "job": job,
        "finished": finished,
        "failed": finished and not roster_import.is_finished,
        "failed_message": (job.message if job is not None and job.status == JobStatus.FAILED else ""),
        "job_status_label": (job.message or job.get_status_display()) if job else "",
        "summary": summary(roster_import) if roster_import.is_finished else "",
        "transfer_candidates": candidates,
        "transfers_requested": roster_import.problems.filter(transfer__isnull=False).count()
        if roster_import.is_finished
        else 0,
        "table_id": "roster-import-problems",
        "caption": _("Problems, by row"),
        "columns": [
            {"key": "row", "label": _("Row"), "class": "numeric"},
            {"key": "column_letter", "label": _("Column"), "class": "nowrap"},
            {"key": "column", "label": _("Column name"), "class": "nowrap"},
            {"key": "get_level_display", "label": _("Kind"), "class": "nowrap"},
            {"key": "message", "label": _("Problem")},
        ],
        "rows": problems.object_list,
        "row_id": "pk",
        "page_obj": problems,
        "empty_message": _("No problems: every row could be imported."),
        "console_section": SECTION,
        "error_level": RosterProblemLevel.ERROR,
    }
    return render(request, "members/import_report.html", context)


@require_GET
@officer_required
def roster_import_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The report workbook: the problems, and the rows with problems with the bad cells marked."""
    roster_import = _roster_import(request, pk)
    if not roster_import.is_finished or not roster_import.report:
        raise Http404
    try:
        file = roster_import.report.open("rb")
    except OSError as exc:  # the stored report is gone (storage cleaned up): as if there were none
        raise Http404 from exc
    response = FileResponse(file, content_type=XLSX)
    _xlsx_attachment(response, report_file_name(roster_import))
    # A FileResponse streams the stored file; it is not an HttpResponse subclass, which
    # officer_required's signature names, but Django serves it alike.
    return cast("HttpResponse", response)


@require_POST
@officer_required
def roster_import_transfers(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the transfer of every person the roster found active in another union."""
    roster_import = _roster_import(request, pk)
    try:
        outcome = request_roster_transfers(roster_import, actor=signed_in_user(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(roster_import.get_absolute_url())
    if outcome.requested:
        messages.success(
            request,
            _("%(count)s transfers have been requested: accept them under Transfers.")
            % {"count": outcome.requested},
        )
    for row, why in outcome.refused[:20]:
        messages.warning(request, _("Row %(row)s: %(why)s") % {"row": row, "why": why})
    if len(outcome.refused) > 20:
        messages.warning(
            request, _("%(count)s more rows could not be requested.") % {"count": len(outcome.refused) - 20}
        )
    if not outcome.requested and not outcome.refused:
        messages.info(request, _("There is nobody left to ask a transfer for."))
    return redirect(roster_import.get_absolute_url())


urlpatterns: list[URLPattern] = [
    path("imports/", roster_imports, name="roster_imports"),
    path("imports/template.xlsx", roster_import_template, name="roster_import_template"),
    path("imports/<int:pk>/", roster_import_report, name="roster_import_report"),
    path("imports/<int:pk>/report.xlsx", roster_import_report_xlsx, name="roster_import_report_xlsx"),
    path("imports/<int:pk>/transfers", roster_import_transfers, name="roster_import_transfers"),
]
