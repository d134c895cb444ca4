"""Officers' console pages. Thin: navigation lives in gonghui.console.navigation."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required
from gonghui.accounts.models import User
from gonghui.console.forms import AuditFilterForm
from gonghui.console.navigation import desk_of, holding
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible
from gonghui.orgs.selectors import coverage_summary, scope_roots

AUDIT_PAGE_SIZE = 50


def _is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


@require_GET
@officer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    roots = scope_roots(user)
    desk = desk_of(user) if not roots else None
    if desk is not None:
        return redirect(desk)
    summary = coverage_summary(roots)
    cards = []
    if summary is not None:
        cards = [
            {"key": "unions", "label": _("Unions"), "value": summary.unions},
            {"key": "members", "label": _("Active members"), "value": summary.active_members},
            {"key": "workplaces", "label": _("Workplaces covered"), "value": summary.covered_workplaces},
        ]
    context = {
        "cards": cards,
        "scope_roots": roots,
        "current_org_name": roots[0].name if len(roots) == 1 else None,
        "console_section": "dashboard",
    }
    return render(request, "console/dashboard.html", context)


_CURSOR_RE = re.compile(r"[0-9]{1,18}")
AUDIT_SORTS = {"created_at": "id", "-created_at": "-id"}


def _filtered_events(form: AuditFilterForm, user: User) -> QuerySet[AuditEvent]:
    """The events `user` may see (Perm.AUDIT_VIEW, by the org path copied onto each event),
    narrowed by the form's valid filters."""
    events = visible(AuditEvent, user, Perm.AUDIT_VIEW)
    form.is_valid()  # invalid fields are left out of cleaned_data and shown with their error
    data = dict(getattr(form, "cleaned_data", {}))
    if data.get("actor"):
        events = events.filter(actor__username=data["actor"])
    if data.get("org"):
        org = visible(Org, user, Perm.AUDIT_VIEW).filter(code=data["org"]).only("path").first()
        if org is None:
            form.add_error("org", _("No organisation with this code in your scope."))
        else:
            events = events.filter(org_path__startswith=org.path)
    if data.get("action"):
        events = events.filter(action__startswith=data["action"])
    if data.get("object_type"):
        events = events.filter(object_type=data["object_type"])
        if data.get("object_id"):
            events = events.filter(object_id=data["object_id"])
    if data.get("since"):
        events = events.filter(created_at__date__gte=data["since"])
    if data.get("until"):
        events = events.filter(created_at__date__lte=data["until"])
    return events


@require_GET
@officer_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail of the officer's scope, newest first, keyset-paged on the primary key
    (append-only table, so id order is time order and paging stays fast however many rows
    there are). Without Perm.AUDIT_VIEW anywhere the page answers 404, like a missing page."""
    user = request.user
    assert isinstance(user, User)
    if not holding(Perm.AUDIT_VIEW)(user):
        raise Http404
    sort = request.GET.get("sort", "-created_at")
    if sort not in AUDIT_SORTS:
        sort = "-created_at"
    order = AUDIT_SORTS[sort]
    form = AuditFilterForm(request.GET or None)
    events = (
        _filtered_events(form, user)
        .only("id", "created_at", "actor_label", "action", "object_type", "object_repr", "ip_address")
        .order_by(order)
    )
    raw_cursor = request.GET.get("cursor", "")
    cursor = int(raw_cursor) if _CURSOR_RE.fullmatch(raw_cursor) else None
    if cursor is not None:
        events = events.filter(id__lt=cursor) if order == "-id" else events.filter(id__gt=cursor)
    rows = list(events[: AUDIT_PAGE_SIZE + 1])
    next_cursor = rows[AUDIT_PAGE_SIZE - 1].pk if len(rows) > AUDIT_PAGE_SIZE else None
    context = {
        "form": form,
        "table_id": "audit-table",
        "caption": _("Audit events, newest first") if order == "-id" else _("Audit events, oldest first"),
        "columns": [
            {"key": "created_at", "label": _("Time"), "sort": "created_at", "class": "nowrap"},
            {"key": "actor_label", "label": _("Actor")},
            {"key": "action", "label": _("Action")},
            {"key": "object_type", "label": _("Object type")},
            {"key": "object_repr", "label": _("Object")},
            {"key": "ip_address", "label": _("Source IP"), "class": "nowrap"},
        ],
        "rows": rows[:AUDIT_PAGE_SIZE],
        "row_id": "pk",
        "sort": sort,
        "cursor": cursor,
        "next_cursor": next_cursor,
        "empty_message": _("No audit events match.")
        if form.has_changed()
        else _("No audit events recorded yet."),
        "console_section": "audit",
    }
    template = "components/table.html" if _is_htmx_partial(request) else "console/audit_log.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
