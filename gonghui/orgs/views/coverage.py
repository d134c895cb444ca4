"""Coverage statistics in the console: one org's subtree figures and a drill-down over its
children, with a chart of their founding and membership rates and an xlsx export.

Figures come from the `OrgCoverage` rollups (refreshed in the background), so every page is a
handful of indexed reads however large the subtree.
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.decorators import officer_required
from gonghui.core.errors import DomainError, NotFound
from gonghui.jobs.selectors import access_job
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.selectors import (
    COVERAGE_SORTS,
    Coverage,
    coverage_children,
    coverage_of,
    coverage_roots,
)
from gonghui.orgs.services.coverage import may_refresh_coverage, start_coverage_refresh

PAGE_SIZE = 50
# Rows in the xlsx export: a township has dozens of children and a district a few hundred; the
# cap only guards against a tree shaped unlike any real one.
EXPORT_MAX_ROWS = 5000

FIGURE_COLUMNS: list[tuple[str, Any]] = [
    ("unions", gettext_lazy("Number of unions")),
    ("workplaces", gettext_lazy("Number of workplaces")),
    ("unionised_workplaces", gettext_lazy("Unionised workplaces")),
    ("founding_rate", gettext_lazy("Founding rate")),
    ("employees", gettext_lazy("Number of employees")),
    ("members", gettext_lazy("Number of members")),
    ("membership_rate", gettext_lazy("Membership rate")),
]
RATES = frozenset({"founding_rate", "membership_rate"})


def _chosen_org(request: HttpRequest) -> Org | None:
    """The org in ?org=, if the user may see its coverage (else 404 as for a missing org); or the
    user's one scope root; None when they have several (the page lists them) or none."""
    raw = request.GET.get("org", "")
    if raw:
        org: Org = get_visible(
            Org.objects.select_related("coverage"), request.user, Perm.COVERAGE_VIEW, pk=raw
        )
        return org
    roots = list(coverage_roots(request.user)[:2])
    return roots[0] if len(roots) == 1 else None


def _ancestors(org: Org, user: Any) -> list[Org]:
    """The org's ancestors the user may see, top down: the breadcrumb trail of the drill-down."""
    prefixes = [org.path[: depth * org.steplen] for depth in range(1, org.depth)]
    if not prefixes:
        return []
    return list(visible(Org, user, Perm.COVERAGE_VIEW).filter(path__in=prefixes).order_by("path"))


def _rate_text(rate: Any) -> str:
    return "" if rate is None else f"{rate}%"


def _row(org: Org, figures: Coverage | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "org": org,
        "url": f"{reverse('console:orgs:coverage')}?{urlencode({'org': org.pk})}",
        "dissolved": not org.is_active,
    }
    for key, _label in FIGURE_COLUMNS:
        value = None if figures is None else getattr(figures, key)
        row[key] = _rate_text(value) if key in RATES else value
    return row


def _chart_data(rows: list[dict[str, Any]], figures: list[Coverage | None]) -> dict[str, Any]:
    """Series for the ECharts bar chart (app.js reads it from a json_script element)."""
    return {
        "labels": [row["org"].short_name or row["org"].name for row in rows],
        "series": [
            {
                "name": str(FIGURE_COLUMNS[3][1]),
                "values": [
                    None if f is None or f.founding_rate is None else float(f.founding_rate) for f in figures
                ],
            },
            {
                "name": str(FIGURE_COLUMNS[6][1]),
                "values": [
                    None if f is None or f.membership_rate is None else float(f.membership_rate)
                    for f in figures
                ],
            },
        ],
        "axis_label": _("Percent"),
    }


def _columns() -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = [
        {"key": "org.name", "label": _("Organisation"), "template": "orgs/coverage_org_cell.html"}
    ]
    columns += [
        {"key": key, "label": label, "sort": key, "class": "numeric"} for key, label in FIGURE_COLUMNS
    ]
    return columns


@require_GET
@officer_required
def coverage(request: HttpRequest) -> HttpResponse:
    org = _chosen_org(request)
    sort = request.GET.get("sort", "")
    if sort.removeprefix("-") not in COVERAGE_SORTS:
        sort = ""
    if org is None:
        orgs: QuerySet[Org] = coverage_roots(request.user)
        page_obj = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
        figures = None
        ancestors: list[Org] = []
        may_refresh = False  # refreshing is offered on an org's own page
    else:
        page_obj = Paginator(coverage_children(org, sort=sort), PAGE_SIZE).get_page(request.GET.get("page"))
        figures = coverage_of(org)
        ancestors = _ancestors(org, request.user)
        may_refresh = may_refresh_coverage(request.user, org)
    children = list(page_obj.object_list)
    child_figures = [coverage_of(child) for child in children]
    rows = [_row(child, f) for child, f in zip(children, child_figures, strict=True)]
    context = {
        "org": org,
        "figures": figures,
        "figure_rows": [
            {
                "key": key,
                "label": label,
                "value": _rate_text(getattr(figures, key)) if key in RATES else getattr(figures, key),
            }
            for key, label in FIGURE_COLUMNS
        ]
        if figures is not None
        else [],
        "ancestors": ancestors,
        "may_refresh": may_refresh,
        "job": _watched_job(request),
        "chart": _chart_data(rows, child_figures),
        "table_id": "coverage-table",
        "caption": _("Figures of each organisation directly under %(org)s") % {"org": org.name}
        if org is not None
        else _("Figures of the organisations in your scope"),
        "columns": _columns(),
        "rows": rows,
        "page_obj": page_obj,
        "sort": sort,
        "empty_message": _("There are no organisations under this one.")
        if org is not None
        else _("You have no organisations whose coverage you may see."),
        "export_url": reverse("console:orgs:coverage_export")
        + ("?" + urlencode({"org": org.pk}) if org is not None else ""),
        "current_org_name": org.name if org is not None else None,
        "console_section": "coverage",
    }
    return render(request, "orgs/coverage.html", context)


def _watched_job(request: HttpRequest) -> dict[str, Any] | None:
    """The refresh job named in ?job=, for its progress bar, if it is the user's own."""
    raw = request.GET.get("job", "")
    if not raw.isdigit() or len(raw) > 18:
        return None
    try:
        job = access_job(request.user, int(raw))
    except NotFound:
        return None
    return {
        "job_id": job.pk,
        "poll_url": reverse("jobs:progress", args=[job.pk]),
        "percent": job.percent,
        "label": job.title,
        "status": job.status,
        "status_label": job.message or job.get_status_display(),
    }


@require_POST
@officer_required
def coverage_refresh(request: HttpRequest) -> HttpResponse:
    """Start a full refresh now (federation administrators), then show its progress."""
    org = get_visible(Org, request.user, Perm.COVERAGE_VIEW, pk=request.POST.get("org", ""))
    try:
        job = start_coverage_refresh(actor=request.user, org=org)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('console:orgs:coverage')}?{urlencode({'org': org.pk})}")
    messages.success(request, _("The coverage figures are being refreshed."))
    return redirect(f"{reverse('console:orgs:coverage')}?{urlencode({'org': org.pk, 'job': job.pk})}")


@require_GET
@officer_required
def coverage_export(request: HttpRequest) -> HttpResponse:
    """The drill-down table (the chosen org and all its children, in tree order) as xlsx."""
    org = _chosen_org(request)
    if org is None:
        raise Http404
    figures = coverage_of(org)
    children = list(coverage_children(org)[:EXPORT_MAX_ROWS])
    headers = [_("Organisation"), _("Code")] + [str(label) for _key, label in FIGURE_COLUMNS]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(_("Coverage")[:31])
    bold = workbook.add_format({"bold": True})
    percent = workbook.add_format({"num_format": "0.0%"})
    refreshed = figures.refreshed_at if figures is not None else None
    sheet.write(0, 0, _("Coverage statistics: %(org)s") % {"org": org.name}, bold)
    if refreshed is not None:
        local = timezone.localtime(refreshed)
        sheet.write(1, 0, _("Figures as of %(time)s") % {"time": local.strftime("%Y-%m-%d %H:%M")})
    sheet.write(
        2, 0, _("Founding rate = unionised workplaces ÷ workplaces; membership rate = members ÷ employees.")
    )
    header_row = 4
    sheet.write_row(header_row, 0, headers, bold)
    for offset, (row_org, row_figures) in enumerate(
        [(org, figures), *((child, coverage_of(child)) for child in children)], start=1
    ):
        line = header_row + offset
        sheet.write(line, 0, row_org.name, bold if row_org == org else None)
        sheet.write(line, 1, row_org.code)
        if row_figures is None:
            continue
        for column, (key, _label) in enumerate(FIGURE_COLUMNS, start=2):
            value = getattr(row_figures, key)
            if key in RATES:
                if value is not None:
                    sheet.write_number(line, column, float(value) / 100, percent)
            else:
                sheet.write_number(line, column, value)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, len(headers) - 1, 14)
    sheet.freeze_panes(header_row + 1, 1)
    workbook.close()
    filename = f"coverage-{org.code}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
