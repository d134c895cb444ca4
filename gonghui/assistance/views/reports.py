"""Console pages of hardship assistance: the report of a year for an org subtree, and the same
figures as an xlsx workbook (gonghui.assistance.reports). ASSISTANCE_VIEW; the figures are
those of the viewer's scope only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.reports import (
    FILE_STATUSES,
    MAX_YEAR,
    MIN_YEAR,
    PERM,
    YearReport,
    chart_data,
    default_org,
    report_file_name,
    report_orgs,
    report_workbook,
    year_report,
)
from gonghui.console.navigation import holding
from gonghui.core.inputs import MAX_ID
from gonghui.orgs.models import Org

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTION = "care"
TAB = "reports"


class ReportForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False
    )
    org = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, widget=forms.HiddenInput)


@dataclass(frozen=True)
class Chosen:
    form: ReportForm
    report: YearReport | None


def _chosen(request: HttpRequest) -> Chosen:
    user = signed_in_user(request)
    if not holding(PERM)(user):
        raise Http404
    this_year = timezone.localdate().year
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(this_year)
    form = ReportForm(data)
    if not form.is_valid():
        if "org" in form.errors:
            raise Http404  # an org outside the scope looks like a missing one
        return Chosen(form, None)
    if form.cleaned_data["org"] is None:
        org = default_org(user)
    else:
        org = report_orgs(user).filter(pk=form.cleaned_data["org"]).first()
        if org is None:
            raise Http404
    if org is None:
        return Chosen(form, None)
    return Chosen(form, year_report(user, form.cleaned_data["year"], org))


def _ancestors(user: User, org: Org) -> list[Org]:
    """The orgs above `org` that the viewer may also report on, top first (the way back up)."""
    paths = [org.path[:end] for end in range(Org.steplen, len(org.path), Org.steplen)]
    return list(report_orgs(user).filter(path__in=paths).order_by("path"))


@require_GET
@officer_required
def report_page(request: HttpRequest) -> HttpResponse:
    chosen = _chosen(request)
    report = chosen.report
    context: dict[str, Any] = {
        "form": chosen.form,
        "report": report,
        "tab": TAB,
        "console_section": SECTION,
    }
    if report is not None:
        context["chart"] = chart_data(report)
        context["ancestors"] = _ancestors(signed_in_user(request), report.org)
        context["file_statuses"] = [status.label for status in FILE_STATUSES]
    return render(request, "assistance/report.html", context)


@require_GET
@officer_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    report = _chosen(request).report
    if report is None:
        raise Http404
    response = HttpResponse(report_workbook(report), content_type=XLSX)
    disposition = content_disposition_header(as_attachment=True, filename=report_file_name(report))
    response["Content-Disposition"] = disposition or ""
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("report/", report_page, name="report"),
    path("report.xlsx", report_xlsx, name="report_xlsx"),
]
