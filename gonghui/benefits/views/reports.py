"""Console pages: the report of a campaign (entries, claims, redemptions, expiries, spend against
the budget, per item and by org) and the same as an xlsx workbook."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required
from gonghui.accounts.models import User
from gonghui.benefits.models import Campaign
from gonghui.benefits.selectors import campaign_report, report_file_name, report_workbook
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    user = request.user
    assert isinstance(user, User)  # officer_required let only officers in
    return get_visible(Campaign.objects.select_related("org"), user, Perm.BENEFITS_VIEW, pk=pk)


@require_GET
@officer_required
def campaign_report_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    context = {"campaign": campaign, "report": campaign_report(campaign), "console_section": "benefits"}
    return render(request, "benefits/campaign_report.html", context)


@require_GET
@officer_required
def campaign_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    response = HttpResponse(report_workbook(campaign_report(campaign)), content_type=XLSX)
    disposition = content_disposition_header(as_attachment=True, filename=report_file_name(campaign))
    response["Content-Disposition"] = disposition or ""
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("campaigns/<int:pk>/report/", campaign_report_page, name="campaign_report"),
    path("campaigns/<int:pk>/report.xlsx", campaign_report_xlsx, name="campaign_report_xlsx"),
]
