"""Console pages of online joining: the queue of applications in the officer's scope, the
overdue list (open longer than JOIN_REVIEW_DAYS, for the superior orgs to chase), one
application with its approve and reject forms, and the joining routes federations keep.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.members.models import (
    JOIN_REVIEW_DAYS,
    GigOccupation,
    JoinApplication,
    JoinRoute,
    JoinStatus,
)
from gonghui.members.services import joining, routes
from gonghui.members.services.registry import MEMBER_HOLDING_KINDS
from gonghui.orgs.models import Org, OrgStatus, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, scope_paths, visible

PAGE_SIZE = 50
SECTION = "joining"
ALL_STATUSES = "all"
# The approve form suggests unions under a federation; a district has hundreds, so the list is
# a typing aid (any code in scope is accepted), not a complete menu.
UNION_SUGGESTIONS = 200


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _table_response(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The full page, or only the table for htmx paging."""
    htmx = getattr(request, "htmx", None)
    partial = status == 200 and htmx is not None and bool(htmx) and not htmx.history_restore_request
    context["console_section"] = SECTION
    response = render(request, "components/table.html" if partial else template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _may_change_routes(user: User) -> bool:
    paths = scope_paths(user, Perm.ORG_CHANGE)
    return paths is None or bool(paths)


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[*JoinStatus.choices, (ALL_STATUSES, gettext_lazy("All statuses"))],
    )
    org = CleanCharField(
        label=gettext_lazy("Organisation code"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("Applications to this organisation and everything under it"),
    )


class ApproveForm(forms.Form):
    org = CleanCharField(
        label=gettext_lazy("Union the applicant joins (code)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"list": "join-union-codes", "autocomplete": "off"}),
    )
    workplace = CleanCharField(
        label=gettext_lazy("Workplace (credit code)"),
        required=False,
        max_length=18,
        help_text=gettext_lazy(
            "Optional: the employer in the registry, if the applicant's is listed under another name."
        ),
    )
    comment = CleanCharField(label=gettext_lazy("Comment"), required=False, max_length=joining.REASON_MAX)


class RejectForm(forms.Form):
    reason = CleanCharField(
        label=gettext_lazy("Reason for rejection"),
        max_length=joining.REASON_MAX,
        help_text=gettext_lazy("The applicant is texted this reason."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("Give the reason for the rejection: the applicant is told it.")
        },
    )


class RouteForm(forms.Form):
    org = CleanCharField(
        label=gettext_lazy("Union or federation (code)"),
        max_length=32,
        help_text=gettext_lazy("Where the applicants of this district, township and platform work go."),
        error_messages={"required": gettext_lazy("Give the code of the organisation.")},
    )
    district = CleanCharField(
        label=gettext_lazy("District"),
        max_length=routes.PLACE_MAX,
        widget=forms.TextInput(attrs={"list": "join-route-districts", "autocomplete": "off"}),
        error_messages={"required": gettext_lazy("Give the district.")},
    )
    township = CleanCharField(
        label=gettext_lazy("Township or street"),
        required=False,
        max_length=routes.PLACE_MAX,
        help_text=gettext_lazy("Empty: the whole district."),
    )
    occupation = forms.ChoiceField(
        label=gettext_lazy("Platform work"),
        required=False,
        choices=[("", gettext_lazy("Any, or none")), *GigOccupation.choices],
    )


# --------------------------------------------------------------------------------------------
# The queue and the overdue list
# --------------------------------------------------------------------------------------------


def _employer(application: JoinApplication) -> str:
    if application.workplace is not None:
        return application.workplace.name
    if application.employer_name:
        return application.employer_name
    parts = [str(application.get_gig_occupation_display()), application.gig_platform]
    return " · ".join(part for part in parts if part) or _("No fixed employer")


def _rows(
    applications: list[JoinApplication], superiors: dict[str, Org] | None = None
) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "pk": application.pk,
            "url": reverse("console:members:join_application", args=[application.pk]),
            "name": application.masked_name,
            "id_number": application.masked_id_number,
            "union": application.org.name,
            "superior": (superiors or {}).get(application.org.path[: -Org.steplen]),
            "employer": _employer(application),
            "categories": _categories(application),
            "submitted": application.created_at,
            "age": (now - application.created_at).days,
            "status": application.get_status_display(),
        }
        for application in applications
    ]


def _categories(application: JoinApplication) -> str:
    labels = []
    if application.is_gig_worker:
        labels.append(_("Gig worker"))
    if application.is_migrant_worker:
        labels.append(_("Migrant worker"))
    if application.sex == "female":
        labels.append(_("Female worker"))
    return "、".join(labels)


QUEUE_COLUMNS = [
    {"key": "name", "label": pgettext_lazy("person", "Name")},
    {"key": "id_number", "label": gettext_lazy("ID number"), "class": "nowrap"},
    {"key": "union", "label": gettext_lazy("Addressed to")},
    {"key": "employer", "label": gettext_lazy("Employer or platform work")},
    {"key": "categories", "label": gettext_lazy("Categories")},
    {
        "key": "submitted",
        "label": gettext_lazy("Submitted"),
        "template": "members/join_application_cell_date.html",
    },
    {"key": "age", "label": gettext_lazy("Days open"), "class": "nowrap"},
    {"key": "status", "label": gettext_lazy("Status"), "class": "nowrap"},
]


@require_GET
@officer_required
def join_applications(request: HttpRequest) -> HttpResponse:
    """Applications in the officer's scope; open ones oldest first, as they are worked through."""
    user = signed_in_user(request)
    form = QueueFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    status = data.get("status") or JoinStatus.SUBMITTED
    rows = joining.applications_in_scope(user)
    if code := data.get("org"):
        org = visible(Org, user, Perm.MEMBER_VIEW).filter(code=code).first()
        if org is None:
            form.add_error("org", _("There is no organisation with this code in your scope."))
            rows = rows.none()
        else:
            rows = rows.filter(org__path__startswith=org.path)
    if status != ALL_STATUSES:
        rows = rows.filter(status=status)
    order = ("created_at", "id") if status == JoinStatus.SUBMITTED else ("-created_at", "-id")
    page = _page(request, rows.order_by(*order))
    context = {
        "form": form,
        "table_id": "join-table",
        "caption": _("Applications to join, %(count)s in all") % {"count": page.paginator.count},
        "columns": QUEUE_COLUMNS,
        "rows": _rows(list(page.object_list)),
        "row_id": "pk",
        "row_link": "url",
        "page_obj": page,
        "overdue_count": joining.overdue_applications(user).count(),
        "review_days": JOIN_REVIEW_DAYS,
        "may_change_routes": _may_change_routes(user),
        "empty_message": _("No application matches these filters."),
        "tab": "queue",
    }
    return _table_response(request, "members/join_application_list.html", context)


@require_GET
@officer_required
def join_overdue(request: HttpRequest) -> HttpResponse:
    """Open applications older than JOIN_REVIEW_DAYS in the officer's scope, with the org above
    the addressed union: a district federation sees those of every union under it."""
    user = signed_in_user(request)
    page = _page(request, joining.overdue_applications(user))
    applications = list(page.object_list)
    parent_paths = {application.org.path[: -Org.steplen] for application in applications}
    superiors = {org.path: org for org in Org.objects.filter(path__in=parent_paths)} if parent_paths else {}
    columns = [
        *QUEUE_COLUMNS[:3],
        {"key": "superior.name", "label": _("Superior organisation")},
        *QUEUE_COLUMNS[3:7],
    ]
    context = {
        "table_id": "join-overdue-table",
        "caption": _("Applications open longer than %(days)s days, %(count)s in all")
        % {"days": JOIN_REVIEW_DAYS, "count": page.paginator.count},
        "columns": columns,
        "rows": _rows(applications, superiors),
        "row_id": "pk",
        "row_link": "url",
        "page_obj": page,
        "overdue_count": page.paginator.count,
        "review_days": JOIN_REVIEW_DAYS,
        "may_change_routes": _may_change_routes(user),
        "empty_message": _("No application has been open longer than %(days)s days.")
        % {"days": JOIN_REVIEW_DAYS},
        "tab": "overdue",
    }
    return _table_response(request, "members/join_application_overdue.html", context)


# --------------------------------------------------------------------------------------------
# One application
# --------------------------------------------------------------------------------------------


def _application(user: User, pk: int) -> JoinApplication:
    return get_visible(
        JoinApplication.objects.select_related("org", "workplace", "member__org", "applicant"),
        user,
        Perm.MEMBER_VIEW,
        pk=pk,
    )


def _route_description(application: JoinApplication) -> str:
    if application.workplace is not None:
        workplace = application.workplace
        if workplace.union_id is not None and workplace.union_id == application.org_id:
            return _("The employer's union.")
        return _("The employer has no union of its own: the union or federation of its area.")
    place = " ".join(part for part in (application.home_district, application.home_township) if part)
    if application.is_gig_worker:
        return _("Joining route for %(place)s and %(work)s.") % {
            "place": place,
            "work": application.get_gig_occupation_display(),
        }
    return _("Joining route for %(place)s.") % {"place": place}


def _union_suggestions(application: JoinApplication, user: User) -> list[Org]:
    if application.org.kind in MEMBER_HOLDING_KINDS:
        return []
    return list(
        visible(Org, user, Perm.MEMBER_CHANGE)
        .filter(path__startswith=application.org.path, kind__in=MEMBER_HOLDING_KINDS, status=OrgStatus.ACTIVE)
        .order_by("path")
        .only("code", "name")[:UNION_SUGGESTIONS]
    )


def _application_page(
    request: HttpRequest,
    application: JoinApplication,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    may_decide = application.status == JoinStatus.SUBMITTED and joining.may_decide(application, user)
    context = {
        "application": application,
        "age": (timezone.now() - application.created_at).days,
        "overdue": application.status == JoinStatus.SUBMITTED
        and application.created_at < joining.overdue_cutoff(),
        "review_days": JOIN_REVIEW_DAYS,
        "employer": _employer(application),
        "categories": _categories(application),
        "route": _route_description(application),
        "history": application.history.select_related("actor"),
        "may_decide": may_decide,
        "needs_union": application.org.kind not in MEMBER_HOLDING_KINDS,
        "suggestions": _union_suggestions(application, user) if may_decide else [],
        "approve_form": approve_form or ApproveForm(),
        "reject_form": reject_form or RejectForm(),
        "console_section": SECTION,
    }
    return render(request, "members/join_application_detail.html", context, status=status)


@require_GET
@officer_required
def join_application(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, _application(signed_in_user(request), pk))


def _chosen(form: ApproveForm, user: User) -> tuple[Org | None, Workplace | None]:
    """The union and workplace the approver typed, looked up in their scope (None: not given)."""
    org = workplace = None
    if code := form.cleaned_data["org"]:
        org = visible(Org, user, Perm.MEMBER_CHANGE).filter(code=code).first()
        if org is None:
            form.add_error("org", _("There is no union with this code in your scope."))
    if credit_code := form.cleaned_data["workplace"]:
        workplace = (
            visible(Workplace, user, Perm.WORKPLACE_VIEW).filter(credit_code=credit_code.upper()).first()
        )
        if workplace is None:
            form.add_error("workplace", _("There is no workplace with this credit code in your scope."))
    return org, workplace


@require_POST
@officer_required
def join_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    application = _application(user, pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        org, workplace = _chosen(form, user)
        if not form.errors:
            try:
                joining.approve_join_application(
                    application,
                    actor=user,
                    org=org,
                    workplace=workplace,
                    comment=form.cleaned_data["comment"],
                )
            except ValidationFailed as exc:
                show_domain_error(form, exc)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("console:members:join_application", pk=application.pk)
            else:
                messages.success(request, _("Approved: the applicant is now a member and has been texted."))
                return redirect("console:members:join_application", pk=application.pk)
    return _application_page(request, application, approve_form=form, status=422)


@require_POST
@officer_required
def join_reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    application = _application(user, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            joining.reject_join_application(application, actor=user, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("console:members:join_application", pk=application.pk)
        else:
            messages.success(request, _("Rejected: the applicant has been texted the reason."))
            return redirect("console:members:join_application", pk=application.pk)
    return _application_page(request, application, reject_form=form, status=422)


# --------------------------------------------------------------------------------------------
# Joining routes
# --------------------------------------------------------------------------------------------


def _route_rows(user: User, routes_page: list[JoinRoute]) -> list[dict[str, Any]]:
    return [
        {
            "pk": route.pk,
            "district": route.district,
            "township": route.township,
            "occupation": route.get_occupation_display() if route.occupation else "",
            "org": route.org.name,
            "code": route.org.code,
            "is_active": route.is_active,
            "may_change": route.is_active and has_perm_at(user, Perm.ORG_CHANGE, route.org.path),
        }
        for route in routes_page
    ]


def _routes_page(request: HttpRequest, form: RouteForm | None = None, status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    show_all = request.GET.get("all") == "1"
    rows = visible(JoinRoute, user, Perm.ORG_VIEW).select_related("org")
    if not show_all:
        rows = rows.filter(is_active=True)
    page = _page(request, rows.order_by("district", "township", "occupation", "-is_active", "id"))
    districts = list(
        Org.objects.filter(status=OrgStatus.ACTIVE)
        .exclude(district="")
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()[:200]
    )
    context = {
        "form": (form or RouteForm()) if _may_change_routes(user) else None,
        "show_all": show_all,
        "districts": districts,
        "table_id": "join-route-table",
        "caption": _("Joining routes, %(count)s in all") % {"count": page.paginator.count},
        "columns": [
            {"key": "district", "label": _("District")},
            {"key": "township", "label": _("Township or street")},
            {"key": "occupation", "label": _("Platform work")},
            {"key": "org", "label": _("Goes to")},
            {"key": "code", "label": _("Code"), "class": "nowrap"},
            {"key": "pk", "label": _("In use"), "template": "members/join_route_cell_actions.html"},
        ],
        "rows": _route_rows(user, list(page.object_list)),
        "row_id": "pk",
        "page_obj": page,
        "empty_message": _(
            "There are no joining routes yet: applicants without an employer in the registry "
            "cannot be routed."
        ),
        "tab": "routes",
        "review_days": JOIN_REVIEW_DAYS,
        "overdue_count": joining.overdue_applications(user).count(),
        "may_change_routes": _may_change_routes(user),
    }
    return _table_response(request, "members/join_route_list.html", context, status)


@require_GET
@officer_required
def join_routes(request: HttpRequest) -> HttpResponse:
    return _routes_page(request)


@require_POST
@officer_required
def join_route_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = RouteForm(request.POST)
    if form.is_valid():
        org = visible(Org, user, Perm.ORG_CHANGE).filter(code=form.cleaned_data["org"]).first()
        if org is None:
            form.add_error("org", _("There is no organisation with this code in your scope."))
        else:
            try:
                route = routes.create_join_route(
                    actor=user,
                    org=org,
                    district=form.cleaned_data["district"],
                    township=form.cleaned_data["township"],
                    occupation=form.cleaned_data["occupation"],
                )
            except ValidationFailed as exc:
                show_domain_error(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Route added: %(route)s → %(org)s.") % {"route": route, "org": org.name}
                )
                return redirect("console:members:join_routes")
    return _routes_page(request, form, status=422)


@require_POST
@officer_required
def join_route_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    route = get_visible(JoinRoute.objects.select_related("org"), user, Perm.ORG_VIEW, pk=pk)
    try:
        routes.deactivate_join_route(route, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The route %(route)s is no longer used.") % {"route": route})
    return redirect("console:members:join_routes")


urlpatterns: list[URLPattern] = [
    path("join/", join_applications, name="join_applications"),
    path("join/overdue/", join_overdue, name="join_overdue"),
    path("join/<int:pk>/", join_application, name="join_application"),
    path("join/<int:pk>/approve/", join_approve, name="join_approve"),
    path("join/<int:pk>/reject/", join_reject, name="join_reject"),
    path("join-routes/", join_routes, name="join_routes"),
    path("join-routes/new/", join_route_create, name="join_route_create"),
    path("join-routes/<int:pk>/deactivate/", join_route_deactivate, name="join_route_deactivate"),
]
