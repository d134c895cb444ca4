"""Console pages of mutual aid: the report of a plan for an org subtree, and the same figures as
an xlsx workbook (gonghui.mutualaid.reports). MUTUALAID_VIEW; the figures are those of the
viewer's scope only, and counts and money only (no medical details)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import holding
from gonghui.core.inputs import MAX_ID
from gonghui.mutualaid.models import AidPlan
from gonghui.mutualaid.reports import (
    PERM,
    PlanReport,
    chart_data,
    default_org,
    plan_report,
    report_file_name,
    report_orgs,
    report_plans,
    report_workbook,
)
from gonghui.orgs.models import Org

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAB = "reports"


class ReportForm(forms.Form):
    plan = forms.TypedChoiceField(label=gettext_lazy("Plan"), coerce=int)
    org = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, plans: list[AidPlan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = {plan.pk: plan for plan in plans}
        field = self.fields["plan"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(plan.pk), f"{plan.name} · {plan.org.name}") for plan in plans]


@dataclass(frozen=True)
class Chosen:
    form: ReportForm
    report: PlanReport | None


def _chosen(request: HttpRequest) -> Chosen:
    user = signed_in_user(request)
    if not holding(PERM)(user):
        raise Http404
    plans = list(report_plans(user))
    data = request.GET.copy()
    if not data.get("plan"):
        if not plans:
            return Chosen(ReportForm(plans=plans), None)
        data["plan"] = str(plans[0].pk)  # the newest plan
    form = ReportForm(data, plans=plans)
    if not form.is_valid():
        raise Http404  # a plan or org outside the scope looks like a missing one
    plan = form.plans[form.cleaned_data["plan"]]
    if form.cleaned_data["org"] is None:
        org = default_org(user, plan)
    else:
        org = report_orgs(user).filter(pk=form.cleaned_data["org"]).first()
        if org is None:
            raise Http404
    if org is None:
        return Chosen(form, None)
    return Chosen(form, plan_report(user, plan, org))


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
        "console_section": "mutualaid",
    }
    if report is not None:
        context["chart"] = chart_data(report)
        context["ancestors"] = _ancestors(signed_in_user(request), report.org)
    return render(request, "mutualaid/report.html", context)


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
