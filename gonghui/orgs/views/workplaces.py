"""Console pages for workplaces: the list with its filters, a workplace's page, and the forms that
register and edit one. Reads go through `visible`/`get_visible`; writes through
`gonghui.orgs.services.workplaces`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import holding, require_somewhere
from gonghui.contracts.panel import workplace_contracts_panel
from gonghui.core.errors import DomainError
from gonghui.members.models import Member
from gonghui.orgs.forms import WorkplaceFilterForm, WorkplaceForm
from gonghui.orgs.models import FederationLevel, Org, OrgKind, OrgStatus, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible
from gonghui.orgs.services.imports import may_import
from gonghui.orgs.services.workplaces import (
    WorkplaceFilter,
    area_or_union,
    create_workplace,
    filter_workplaces,
    update_workplace,
)

PAGE_SIZE = 50
# Code suggestions (a <datalist>) are offered up to this many orgs; beyond, people type the code.
SUGGESTION_LIMIT = 300
SECTION = "workplaces"


def _is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


# --------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------


def _filter_from(form: WorkplaceFilterForm, user: User) -> tuple[WorkplaceFilter, list[str], dict[str, Org]]:
    """The filter the form asks for, notes on filters that could not be applied, and the orgs
    the union and area filters name (for the page to say what it is showing)."""
    data = form.valid_data() if form.is_bound else {}
    notes: list[str] = []
    named: dict[str, Org] = {}
    for key in ("union", "area"):
        if key in form.errors:
            notes.append(_("The organisation filter is not valid and was not applied."))
        elif data.get(key) is not None:
            org = area_or_union(user, data[key])
            if org is None:
                notes.append(_("No such organisation in your area; that filter was not applied."))
            else:
                named[key] = org
    unionised = {"yes": True, "no": False}.get(data.get("unionised") or "")
    spec = WorkplaceFilter(
        q=data.get("q") or "",
        district=data.get("district") or "",
        industry=data.get("industry") or "",
        ownership=data.get("ownership") or "",
        unionised=unionised,
        union=named.get("union"),
        area=named.get("area"),
        sort=data.get("sort") or "name",
    )
    return spec, notes, named


@require_GET
@officer_required
def workplace_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.WORKPLACE_VIEW)
    form = WorkplaceFilterForm(request.GET or None)
    spec, notes, named = _filter_from(form, user)
    page = Paginator(filter_workplaces(user, spec), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filter_notes": notes,
        "filter_union": named.get("union"),
        "filter_area": named.get("area"),
        "may_create": holding(Perm.WORKPLACE_CHANGE)(user),
        "may_import": may_import(user, "workplaces"),
        "table_id": "workplaces",
        "caption": _("Workplaces"),
        "columns": [
            {"key": "name", "label": _("Name"), "sort": "name"},
            {"key": "credit_code", "label": _("Credit code"), "class": "nowrap"},
            {"key": "get_industry_display", "label": _("Industry")},
            {"key": "employee_count", "label": _("Employees"), "sort": "employee_count", "class": "numeric"},
            {"key": "district", "label": _("District")},
            {
                "key": "union",
                "label": _("Covering union"),
                "template": "orgs/workplace_cell_union.html",
            },
        ],
        "rows": page.object_list,
        "row_link": "get_absolute_url",
        "row_id": "pk",
        "sort": spec.sort,
        "page_obj": page,
        "empty_message": _("No workplaces match."),
        "console_section": SECTION,
    }
    template = "components/table.html" if _is_htmx_partial(request) else "orgs/workplace_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --------------------------------------------------------------------------------------------
# One workplace
# --------------------------------------------------------------------------------------------


def _may_change(user: User, workplace: Workplace) -> bool:
    return any(
        org is not None and has_perm_at(user, Perm.WORKPLACE_CHANGE, org.path)
        for org in (workplace.jurisdiction, workplace.union)
    )


def _org_link(user: User, org: Org | None) -> str | None:
    if org is None or not has_perm_at(user, Perm.ORG_VIEW, org.path):
        return None
    return reverse("console:orgs:org_detail", args=[org.pk])


@require_GET
@officer_required
def workplace_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    workplace = get_visible(
        Workplace.objects.select_related("jurisdiction", "union"), user, Perm.WORKPLACE_VIEW, pk=pk
    )
    context = {
        "workplace": workplace,
        "members": Member.objects.active().filter(workplace=workplace).count(),
        "union_url": _org_link(user, workplace.union),
        "jurisdiction_url": _org_link(user, workplace.jurisdiction),
        "may_change": _may_change(user, workplace),
        "console_section": SECTION,
        **workplace_contracts_panel(workplace, user),
    }
    return render(request, "orgs/workplace_detail.html", context)


# --------------------------------------------------------------------------------------------
# Register and edit
# --------------------------------------------------------------------------------------------


def _areas(user: User) -> QuerySet[Org]:
    return visible(Org, user, Perm.WORKPLACE_CHANGE)


def _suggestions(queryset: QuerySet[Org]) -> list[Org]:
    """Active orgs to suggest for a code field, when they are few enough to list."""
    rows = list(
        queryset.filter(status=OrgStatus.ACTIVE).only("code", "name").order_by("path")[: SUGGESTION_LIMIT + 1]
    )
    return rows if len(rows) <= SUGGESTION_LIMIT else []


def _form_context(user: User, form: WorkplaceForm) -> dict[str, Any]:
    areas = _areas(user).filter(
        Q(kind=OrgKind.FEDERATION, level=FederationLevel.TOWNSHIP) | Q(kind=OrgKind.JOINT_UNION)
    )
    unions = _areas(user).exclude(kind__in=[OrgKind.FEDERATION, OrgKind.UNION_GROUP])
    area_options, union_options = _suggestions(areas), _suggestions(unions)
    if area_options:
        form.fields["jurisdiction"].widget.attrs["list"] = "workplace-area-options"
    if union_options:
        form.fields["union"].widget.attrs["list"] = "workplace-union-options"
    return {"form": form, "area_options": area_options, "union_options": union_options}


def _render_form(request: HttpRequest, form: WorkplaceForm, status: int, **context: Any) -> HttpResponse:
    context |= _form_context(signed_in_user(request), form)
    context["console_section"] = SECTION
    return render(request, "orgs/workplace_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def workplace_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.WORKPLACE_CHANGE)
    areas = _areas(user)
    form = WorkplaceForm(request.POST or None, areas=areas, unions=areas)
    if request.method == "POST" and form.is_valid():
        try:
            workplace = create_workplace(actor=user, data=form.workplace_data())
        except DomainError as error:
            form.apply_service_error(error)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": workplace.name})
            return redirect(workplace.get_absolute_url())
    return _render_form(
        request,
        form,
        422 if form.errors else 200,
        title=_("Register a workplace"),
        submit_label=_("Register"),
        cancel_url=reverse("console:orgs:workplaces"),
    )


@require_http_methods(["GET", "POST"])
@officer_required
def workplace_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    workplace = get_visible(
        Workplace.objects.select_related("jurisdiction", "union"), user, Perm.WORKPLACE_CHANGE, pk=pk
    )
    # Its present area and union stay choosable even where they lie outside the officer's scope.
    current = Org.objects.filter(pk__in=[workplace.jurisdiction_id, workplace.union_id])
    areas = _areas(user) | current
    if request.method == "POST":
        form = WorkplaceForm(request.POST, areas=areas, unions=areas)
        if form.is_valid():
            try:
                changed = update_workplace(workplace, actor=user, changes=asdict(form.workplace_data()))
            except DomainError as error:
                form.apply_service_error(error)
            else:
                messages.success(
                    request, _("The changes have been saved.") if changed else _("Nothing changed.")
                )
                return redirect(workplace.get_absolute_url())
    else:
        form = WorkplaceForm(initial=WorkplaceForm.initial_for(workplace), areas=areas, unions=areas)
    return _render_form(
        request,
        form,
        422 if form.errors else 200,
        title=_("Edit %(name)s") % {"name": workplace.name},
        submit_label=_("Save"),
        cancel_url=workplace.get_absolute_url(),
        workplace=workplace,
    )
