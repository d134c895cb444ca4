"""Console page of contract coverage per subtree (chart and table) and the same figures as an
xlsx workbook. CONTRACTS_VIEW; the figures are those of an org in the viewer's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.console.navigation import require_somewhere
from gonghui.contracts.models import ContractKind
from gonghui.contracts.selectors import (
    CoverageFigures,
    CoverageReport,
    coverage_chart,
    coverage_definition,
    coverage_orgs,
    coverage_report,
    default_coverage_org,
)
from gonghui.core.inputs import MAX_ID
from gonghui.core.spreadsheets import report_workbook
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTION = "contracts"


class CoverageForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Figures on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    org = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, widget=forms.HiddenInput)


def _report(request: HttpRequest) -> tuple[CoverageForm, CoverageReport | None]:
    user = signed_in_user(request)
    require_somewhere(user, Perm.CONTRACTS_VIEW)
    data = request.GET.copy()
    if not data.get("day"):
        data["day"] = timezone.localdate().isoformat()
    form = CoverageForm(data)
    if not form.is_valid():
        if "org" in form.errors:
            raise Http404  # an org outside the scope looks like a missing one
        return form, None
    org_id = form.cleaned_data["org"]
    org = default_coverage_org(user) if org_id is None else coverage_orgs(user).filter(pk=org_id).first()
    if org is None:
        raise Http404
    day: date = form.cleaned_data["day"]
    return form, coverage_report(org, day)


def _ancestors(request: HttpRequest, org: Org) -> list[Org]:
    paths = [org.path[:end] for end in range(Org.steplen, len(org.path), Org.steplen)]
    return list(coverage_orgs(signed_in_user(request)).filter(path__in=paths).order_by("path"))


@require_GET
@officer_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "kinds": ContractKind.choices,
        "definition": coverage_definition(),
        "tab": "coverage",
        "console_section": SECTION,
    }
    if report is not None:
        context["chart"] = coverage_chart(report)
        context["ancestors"] = _ancestors(request, report.org)
        context["query"] = f"org={report.org.pk}&day={report.day.isoformat()}"
    return render(request, "contracts/coverage.html", context, status=200 if report else 422)


def _cells(figures: CoverageFigures) -> list[Any]:
    def rate(value: Any) -> Any:
        return "" if value is None else float(value)

    return [
        figures.workplaces,
        figures.unionised,
        figures.covered,
        figures.covered_unionised,
        rate(figures.rate_unionised),
        rate(figures.rate_all),
        *figures.kind_counts(),
        figures.employees,
        figures.covered_employees,
        rate(figures.rate_employees),
    ]


@require_GET
@officer_required
def coverage_xlsx(request: HttpRequest) -> HttpResponse:
    _form, report = _report(request)
    if report is None:
        raise Http404
    headers = [
        _("Organisation"),
        _("Workplaces"),
        _("Unionised workplaces"),
        _("Covered workplaces"),
        _("Covered unionised workplaces"),
        _("Rate among unionised workplaces (%)"),
        _("Rate among all workplaces (%)"),
        *[_("Covered by: %(kind)s") % {"kind": label} for _value, label in ContractKind.choices],
        _("Employees"),
        _("Employees covered"),
        _("Share of employees covered (%)"),
    ]
    rows = [
        [
            _("%(org)s itself") % {"org": line.org.name} if line.is_self else line.org.name,
            *_cells(line.figures),
        ]
        for line in report.lines
    ]
    rows.append([_("Total"), *_cells(report.total)])
    content = report_workbook(
        sheet_name=_("Contract coverage"),
        summary=[
            (_("Organisation"), report.org.name),
            (_("Figures on"), date_format(report.day, "DATE_FORMAT")),
            (_("Definition"), coverage_definition()),
        ],
        headers=headers,
        rows=rows,
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"contract-coverage-{report.org.code}-{report.day.isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("coverage/", coverage_page, name="coverage"),
    path("coverage.xlsx", coverage_xlsx, name="coverage_xlsx"),
]
