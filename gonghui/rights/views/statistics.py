"""Console pages: dispute statistics of an org subtree over a range of days, broken down by
period, claim type, industry, channel or child org (gonghui.rights.statistics), and the same
figures as an xlsx workbook. RIGHTS_VIEW; the figures are those of the viewer's scope only.

The patterns below are included by gonghui/rights/urls.py (names console:rights:statistics and
console:rights:statistics_xlsx)."""

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
from gonghui.console.navigation import holding
from gonghui.core.inputs import MAX_ID
from gonghui.orgs.models import Org
from gonghui.rights.statistics import (
    HEADERS,
    PERM,
    Breakdown,
    Period,
    Request,
    Statistics,
    chart_data,
    default_org,
    default_range,
    definitions,
    dispute_statistics,
    range_problems,
    statistics_orgs,
    statistics_workbook,
    workbook_file_name,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTION = "rights"
TAB = "statistics"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatisticsForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=_date_input())
    end = forms.DateField(label=gettext_lazy("To"), widget=_date_input())
    by = forms.ChoiceField(label=gettext_lazy("Broken down by"), choices=Breakdown.choices)
    period = forms.ChoiceField(
        label=gettext_lazy("Periods of"),
        choices=Period.choices,
        help_text=gettext_lazy("When broken down by period."),
    )
    org = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        for field, messages in range_problems(data.get("start"), data.get("end")).items():
            for message in messages:
                self.add_error(field, message)
        return data


@dataclass(frozen=True)
class Chosen:
    form: StatisticsForm
    statistics: Statistics | None


def _chosen(request: HttpRequest) -> Chosen:
    user = signed_in_user(request)
    if not holding(PERM)(user):
        raise Http404
    start, end = default_range(timezone.localdate())
    data = request.GET.copy()
    defaults = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "by": Breakdown.PERIOD,
        "period": Period.MONTH,
    }
    for name, value in defaults.items():
        if not data.get(name):
            data[name] = value
    form = StatisticsForm(data)
    if not form.is_valid():
        if "org" in form.errors:
            raise Http404  # an org outside the scope looks like a missing one
        return Chosen(form, None)
    cleaned = form.cleaned_data
    if cleaned["org"] is None:
        org = default_org(user)
    else:
        org = statistics_orgs(user).filter(pk=cleaned["org"]).first()
        if org is None:
            raise Http404
    if org is None:
        return Chosen(form, None)
    chosen = Request(
        org=org, start=cleaned["start"], end=cleaned["end"], breakdown=cleaned["by"], period=cleaned["period"]
    )
    return Chosen(form, dispute_statistics(user, chosen))


def _ancestors(user: User, org: Org) -> list[Org]:
    """The orgs above `org` that the viewer may also see figures of, top first (the way back up)."""
    paths = [org.path[:end] for end in range(Org.steplen, len(org.path), Org.steplen)]
    return list(statistics_orgs(user).filter(path__in=paths).order_by("path"))


def _render(request: HttpRequest, chosen: Chosen) -> HttpResponse:
    statistics = chosen.statistics
    context: dict[str, Any] = {
        "form": chosen.form,
        "statistics": statistics,
        "definitions": definitions(),
        "headers": [label for _name, label in HEADERS],
        "tab": TAB,
        "console_section": SECTION,
    }
    if statistics is not None:
        context["chart"] = chart_data(statistics)
        context["ancestors"] = _ancestors(signed_in_user(request), statistics.org)
        context["query"] = chosen.form.cleaned_data
        context["by_label"] = Breakdown(statistics.request.breakdown).label
    return render(request, "rights/statistics.html", context, status=200 if chosen.form.is_valid() else 422)


@require_GET
@officer_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    return _render(request, _chosen(request))


@require_GET
@officer_required
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    chosen = _chosen(request)
    statistics = chosen.statistics
    if statistics is None:
        return _render(request, chosen)
    response = HttpResponse(statistics_workbook(statistics), content_type=XLSX)
    disposition = content_disposition_header(as_attachment=True, filename=workbook_file_name(statistics))
    response["Content-Disposition"] = disposition or ""
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("statistics/", statistics_page, name="statistics"),
    path("statistics.xlsx", statistics_xlsx, name="statistics_xlsx"),
]
