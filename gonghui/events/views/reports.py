"""Console pages: participation in the events of the unions in my scope, by event, kind,
organiser and member category, for one year; the same as an xlsx workbook."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.events.models import Event
from gonghui.events.selectors import ParticipationReport, participation, participation_workbook, report_years
from gonghui.events.views.events import SECTION
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False)


def _report(request: HttpRequest) -> tuple[ParticipationReport, list[int]]:
    events = visible(Event, signed_in_user(request), Perm.EVENTS_VIEW)
    form = YearForm(request.GET)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or timezone.localdate().year
    return participation(events, year), report_years(events)


@require_GET
@officer_required
def participation_page(request: HttpRequest) -> HttpResponse:
    report, years = _report(request)
    sections = [
        (_("By event"), _("Event name"), report.events),
        (_("By kind"), _("Kind"), report.kinds),
        (_("By organiser"), _("Organising union"), report.orgs),
        (_("By member category"), _("Member category"), report.categories),
    ]
    context = {"report": report, "years": years, "sections": sections, "console_section": SECTION}
    return render(request, "events/participation.html", context)


@require_GET
@officer_required
def participation_xlsx(request: HttpRequest) -> HttpResponse:
    report, _years = _report(request)
    response = HttpResponse(participation_workbook(report), content_type=XLSX)
    name = _("Event participation %(year)s.xlsx") % {"year": report.year}
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("report/", participation_page, name="participation"),
    path("report.xlsx", participation_xlsx, name="participation_xlsx"),
]
