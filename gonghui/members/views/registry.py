"""Console pages of the member registry (read-only for now)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required
from gonghui.core.errors import ValidationFailed
from gonghui.members.forms import MemberFilterForm
from gonghui.members.models import Member
from gonghui.members.selectors import MemberFilter, member_page
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

COLUMNS = [
    {"key": "masked_name", "label": pgettext_lazy("person", "Name")},
    {"key": "masked_id_number", "label": gettext_lazy("ID number"), "class": "nowrap"},
    {"key": "masked_mobile", "label": gettext_lazy("Mobile number"), "class": "nowrap"},
    {"key": "org.name", "label": gettext_lazy("Union")},
    {"key": "workplace.name", "label": gettext_lazy("Workplace")},
    {"key": "joined_on", "label": gettext_lazy("Join date"), "class": "nowrap"},
    {"key": "get_status_display", "label": gettext_lazy("Status"), "class": "nowrap"},
]


def _filters(form: MemberFilterForm, user: Any, cursor: str) -> MemberFilter | None:
    """The form's filters, or None when one of them cannot be applied (the form then says why
    and the page lists nothing rather than everyone)."""
    if not form.is_valid():
        return None
    org = None
    if code := form.cleaned_data["org"]:
        org = visible(Org, user, Perm.MEMBER_VIEW).filter(code=code).first()
        if org is None:
            form.add_error("org", _("There is no organisation with this code in your scope."))
            return None
    return MemberFilter(org=org, status=form.status_filter(), q=form.cleaned_data["q"], cursor=cursor)


@require_GET
@officer_required
def member_list(request: HttpRequest) -> HttpResponse:
    """Members in the officer's scope, masked, keyset-paged in union tree order
    (gonghui.members.selectors explains why)."""
    form = MemberFilterForm(request.GET)
    filters = _filters(form, request.user, request.GET.get("cursor", ""))
    rows: list[Member] = []
    next_cursor = None
    if filters is not None:
        try:
            page = member_page(request.user, filters)
        except ValidationFailed as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            rows, next_cursor = page.members, page.next_cursor
    context = {
        "form": form,
        "table_id": "member-table",
        "caption": _("Members in union order"),
        "columns": COLUMNS,
        "rows": rows,
        "row_id": "pk",
        "cursor": request.GET.get("cursor", "") if filters is not None else "",
        "next_cursor": next_cursor,
        "empty_message": _("No members match.")
        if form.has_changed()
        else _("There are no members here yet."),
        "console_section": "members",
    }
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    template = "components/table.html" if partial else "members/member_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


urlpatterns: list[URLPattern] = [
    path("", member_list, name="list"),
]
