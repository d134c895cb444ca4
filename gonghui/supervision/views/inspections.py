"""Console pages: the inspection list (the landing page, with filters and this year's figures),
planning an inspection, one inspection with its findings, notices, follow-ups and interviews,
and its workflow steps. Reads need rights.view, acting rights.handle on the inspecting union."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import require_somewhere
from gonghui.console.pages import first_org_code
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.orgs.models import Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.supervision import selectors
from gonghui.supervision.models import (
    STEPS_WITH_RECORDS,
    TRANSITIONS,
    Inspection,
    InspectionAction,
    Supervisor,
)
from gonghui.supervision.services import inspections as services
from gonghui.supervision.views.common import (
    SECTION,
    handles,
    handles_somewhere,
    org_id_by_code,
    page_of,
    refuse_without_authority,
    workplace_by_code,
)
from gonghui.supervision.views.forms import (
    FindingForm,
    InspectionDetailsForm,
    InspectionFilterForm,
    InspectionForm,
    TransitionForm,
)

# --------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_VIEW)
    form = InspectionFilterForm(request.GET, districts=selectors.districts(user))
    filters = form.valid_data()
    rows = selectors.inspections(
        user,
        status=filters.get("status", ""),
        kind=filters.get("kind", ""),
        district=filters.get("district", ""),
        overdue=bool(filters.get("overdue")),
    )
    context = {
        "form": form,
        "page_obj": page_of(request, rows),
        "figures": selectors.figures(user),
        "may_plan": handles_somewhere(user),
        "tab": "inspections",
        "console_section": SECTION,
    }
    return render(request, "supervision/inspection_list.html", context)


# --------------------------------------------------------------------------------------------
# Planning an inspection
# --------------------------------------------------------------------------------------------


def supervisor_choices(user: User) -> Any:
    rows = visible(Supervisor, user, Perm.RIGHTS_VIEW).filter(is_active=True)
    return rows.select_related("org").order_by("org__path", "name")


@require_http_methods(["GET", "POST"])
@officer_required
def inspection_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_HANDLE)
    choices = supervisor_choices(user)
    if request.method == "POST":
        form = InspectionForm(request.POST, supervisor_choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            workplace = workplace_by_code(user, data["credit_code"])
            if workplace is None:
                form.add_error("credit_code", _("There is no workplace with this credit code in your area."))
            else:
                try:
                    inspection = services.plan_inspection(
                        services.InspectionInput(
                            org=org_id_by_code(data["org"]), workplace=workplace.pk, **form.details()
                        ),
                        actor=user,
                    )
                except DomainError as exc:
                    show_domain_error(form, exc, {"workplace": "credit_code"})
                else:
                    messages.success(request, _("The inspection has been entered."))
                    return redirect("console:supervision:inspection_detail", pk=inspection.pk)
    else:
        initial: dict[str, Any] = {
            "org": first_org_code(user, Perm.RIGHTS_HANDLE),
            "inspected_on": timezone.localdate(),
        }
        raw = request.GET.get("workplace", "")
        if raw.isdigit() and len(raw) < 19:
            workplace = visible(Workplace, user, Perm.WORKPLACE_VIEW).filter(pk=int(raw)).first()
            if workplace is not None:
                initial["credit_code"] = workplace.credit_code
        form = InspectionForm(initial=initial, supervisor_choices=choices)
    context = {"form": form, "tab": "inspections", "console_section": SECTION}
    return render(request, "supervision/inspection_form.html", context, status=422 if form.errors else 200)


# --------------------------------------------------------------------------------------------
# One inspection
# --------------------------------------------------------------------------------------------


def inspection_for(user: User, pk: int) -> Inspection:
    return get_visible(
        Inspection.objects.select_related("org", "workplace", "created_by"), user, Perm.RIGHTS_VIEW, pk=pk
    )


def render_inspection(
    request: HttpRequest,
    inspection: Inspection,
    *,
    finding_form: FindingForm | None = None,
    transition_form: TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    may_act = handles(user, inspection.org)
    steps = [
        transition
        for transition in TRANSITIONS.available(inspection.status)
        if transition.action not in STEPS_WITH_RECORDS
    ]
    notices = list(
        inspection.notices.select_related("followup").prefetch_related("findings", "followup__documents")
    )
    context = {
        "inspection": inspection,
        "findings": list(inspection.findings.prefetch_related("notices")),
        "supervisors": list(inspection.supervisors.select_related("org")),
        "notices": notices,
        "interviews": list(inspection.interviews.select_related("org")),
        "history": inspection.history.select_related("actor").all(),
        "may_act": may_act,
        "steps": steps if may_act else [],
        "may_issue": may_act and TRANSITIONS.allows(InspectionAction.ISSUE_NOTICE, inspection.status),
        "finding_form": (finding_form or FindingForm(items=inspection.scope_items))
        if may_act and inspection.findings_open
        else None,
        "transition_form": transition_form,
        "tab": "inspections",
        "console_section": SECTION,
    }
    return render(request, "supervision/inspection_detail.html", context, status=status)


@require_GET
@officer_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_inspection(request, inspection_for(signed_in_user(request), pk))


@require_http_methods(["GET", "POST"])
@officer_required
def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    inspection = inspection_for(user, pk)
    refuse_without_authority(user, inspection.org)
    if not inspection.details_open:
        messages.error(
            request,
            _("A notice has been issued or the case is closed: the inspection can no longer be changed."),
        )
        return redirect("console:supervision:inspection_detail", pk=inspection.pk)
    present = Supervisor.objects.filter(inspections=inspection)
    choices = (services.supervisors_for(inspection.org) | present).distinct().select_related("org")
    choices = choices.order_by("org__path", "name")
    if request.method == "POST":
        form = InspectionDetailsForm(request.POST, supervisor_choices=choices)
        if form.is_valid():
            try:
                services.change_inspection(
                    inspection,
                    services.InspectionDetails(**form.details()),
                    actor=user,
                )
            except ValidationFailed as exc:
                show_domain_error(form, exc)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("console:supervision:inspection_detail", pk=inspection.pk)
            else:
                messages.success(request, _("The inspection has been changed."))
                return redirect("console:supervision:inspection_detail", pk=inspection.pk)
    else:
        form = InspectionDetailsForm(
            initial={
                "inspected_on": inspection.inspected_on,
                "kind": inspection.kind,
                "campaign": inspection.campaign,
                "scope_items": inspection.scope_items,
                "supervisors": list(present),
                "summary": inspection.summary,
            },
            supervisor_choices=choices,
        )
    context = {"form": form, "inspection": inspection, "tab": "inspections", "console_section": SECTION}
    return render(request, "supervision/inspection_edit.html", context, status=422 if form.errors else 200)


@require_POST
@officer_required
def inspection_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    inspection = inspection_for(user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.advance_inspection(
                inspection,
                action=form.cleaned_data["action"],
                comment=form.cleaned_data["comment"],
                actor=user,
            )
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("console:supervision:inspection_detail", pk=inspection.pk)
        else:
            messages.success(
                request,
                _("Done: the inspection is now “%(status)s”.")
                % {"status": inspection_for(user, pk).get_status_display()},
            )
            return redirect("console:supervision:inspection_detail", pk=inspection.pk)
    return render_inspection(request, inspection, transition_form=form, status=422)


@require_POST
@officer_required
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    inspection = inspection_for(user, pk)
    form = FindingForm(request.POST, items=inspection.scope_items)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_finding(
                inspection,
                services.FindingInput(
                    item=data["item"],
                    finding=data["finding"],
                    severity=data["severity"],
                    legal_basis=data["legal_basis"],
                ),
                actor=user,
            )
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("console:supervision:inspection_detail", pk=inspection.pk)
        else:
            messages.success(request, _("The finding has been recorded."))
            return redirect("console:supervision:inspection_detail", pk=inspection.pk)
    return render_inspection(request, inspection, finding_form=form, status=422)


@require_POST
@officer_required
def finding_remove(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    inspection = inspection_for(user, pk)
    try:
        services.remove_finding(inspection, finding_pk, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The finding has been removed."))
    return redirect("console:supervision:inspection_detail", pk=inspection.pk)


urlpatterns: list[URLPattern] = [
    path("", inspection_list, name="inspection_list"),
    path("inspections/new/", inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/transition/", inspection_transition, name="inspection_transition"),
    path("inspections/<int:pk>/findings/", finding_add, name="finding_add"),
    path("inspections/<int:pk>/findings/<int:finding_pk>/remove/", finding_remove, name="finding_remove"),
]
