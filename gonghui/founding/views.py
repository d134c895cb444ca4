"""Console pages for founding unions: the workplaces without a union, founding notices and
founding applications. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.pages import table_or_page
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.founding import selectors, services
from gonghui.founding.documents import notice_filename, render_notice_pdf
from gonghui.founding.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    AuthorityForm,
    DeliveryForm,
    NoticeFilterForm,
    NoticeForm,
    SearchForm,
    TransitionForm,
    UnfoundedFilterForm,
)
from gonghui.founding.models import FoundingApplication, FoundingNotice, NoticeStatus
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at

PAGE_SIZE = 50
SECTION = "founding"


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _table_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The full page, or only the table for htmx paging and sorting."""
    context["console_section"] = SECTION
    return table_or_page(request, template, context)


def _filters(form: Any) -> dict[str, Any]:
    # Invalid filters are reported on the form and left out, not turned into an empty list.
    form.is_valid()
    return {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}


# --------------------------------------------------------------------------------------------
# Workplaces without a union
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def unfounded(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    threshold = int(settings.FOUNDING_EMPLOYEE_THRESHOLD)
    form = UnfoundedFilterForm(
        request.GET, districts=selectors.unfounded_districts(user), threshold=threshold
    )
    filters = selectors.UnfoundedFilters(**_filters(form))
    page = _page(request, selectors.unfounded_workplaces(user, filters))
    progress = selectors.founding_progress(user, page.object_list)
    rows = [
        {
            "workplace": workplace,
            "industry": workplace.get_industry_display(),
            "area": workplace.jurisdiction,
            "progress": progress[workplace.pk],
            "may_act": workplace.jurisdiction is not None
            and has_perm_at(user, Perm.FOUNDING_CHANGE, workplace.jurisdiction.path),
        }
        for workplace in page.object_list
    ]
    context = {
        "form": form,
        "threshold": filters.threshold,
        "table_id": "unfounded-table",
        "caption": _("Workplaces without a union, %(count)s in all") % {"count": page.paginator.count},
        "columns": [
            {
                "key": "workplace.name",
                "label": _("Workplace"),
                "sort": "name",
                "template": "founding/_cell_workplace.html",
                "class": "founding-name",
            },
            {"key": "workplace.district", "label": _("District")},
            {"key": "industry", "label": _("Industry")},
            {"key": "workplace.employee_count", "label": _("Employees"), "sort": "employee_count"},
            {
                "key": "progress.notice",
                "label": _("Founding notice"),
                "template": "founding/_cell_notice.html",
            },
            {
                "key": "progress.application",
                "label": _("Founding application"),
                "template": "founding/_cell_application.html",
            },
            {
                "key": "workplace.pk",
                "label": _("Actions"),
                "template": "founding/_cell_actions.html",
                "class": "nowrap",
            },
        ],
        "rows": rows,
        "page_obj": page,
        "sort": filters.sort,
        "empty_message": _("No workplace without a union matches these filters."),
    }
    return _table_response(request, "founding/unfounded.html", context)


# --------------------------------------------------------------------------------------------
# Founding notices
# --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@officer_required
def notice_issue(request: HttpRequest, workplace_id: int) -> HttpResponse:
    user = signed_in_user(request)
    workplace = get_visible(
        Workplace.objects.select_related("jurisdiction"), user, Perm.FOUNDING_CHANGE, pk=workplace_id
    )
    issuers = selectors.issuer_choices(workplace, user)
    form = NoticeForm(request.POST if request.method == "POST" else None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.issue_notice(
                workplace=workplace.pk,
                issuing_org=form.cleaned_data["issuing_org"].pk,
                response_deadline=form.cleaned_data["response_deadline"],
                contact_name=form.cleaned_data["contact_name"],
                contact_phone=form.cleaned_data["contact_phone"],
                actor=user,
            )
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Founding notice %(number)s issued.") % {"number": notice.number})
            return redirect("console:founding:notice_detail", pk=notice.pk)
    context = {
        "workplace": workplace,
        "form": form,
        "issuers": issuers,
        "legal_basis": services.legal_basis_text(workplace.employee_count).splitlines(),
        "earlier": selectors.notices(user).filter(workplace=workplace)[:10],
        "console_section": SECTION,
    }
    return render(request, "founding/notice_issue.html", context)


@require_GET
@officer_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = NoticeFilterForm(request.GET)
    page = _page(request, selectors.notices(user, **_filters(form)))
    context = {
        "form": form,
        "table_id": "notice-table",
        "caption": _("Founding notices, newest first"),
        "columns": [
            {"key": "number", "label": _("Notice number"), "class": "nowrap"},
            {"key": "workplace_name", "label": _("Workplace")},
            {"key": "issuer_name", "label": _("Issued by")},
            {"key": "issued_at", "label": _("Issued at"), "template": "founding/_cell_date.html"},
            {"key": "response_deadline", "label": _("Respond by"), "template": "founding/_cell_date.html"},
            {"key": "get_status_display", "label": _("Status")},
        ],
        "rows": page.object_list,
        "row_link": "get_absolute_url",
        "page_obj": page,
        "empty_message": _("No founding notice has been issued yet."),
        "empty_action_url": reverse("console:founding:unfounded"),
        "empty_action_label": _("Find workplaces without a union"),
    }
    return _table_response(request, "founding/notice_list.html", context)


def _notice(user: User, pk: int, perm: Perm) -> FoundingNotice:
    return get_visible(FoundingNotice.objects.select_related("issuing_org", "issued_by"), user, perm, pk=pk)


def _notice_page(
    request: HttpRequest, notice: FoundingNotice, form: DeliveryForm | None = None
) -> HttpResponse:
    user = signed_in_user(request)
    may_deliver = notice.status == NoticeStatus.ISSUED and has_perm_at(
        user, Perm.FOUNDING_CHANGE, notice.issuing_org.path
    )
    context = {
        "notice": notice,
        "form": (form or DeliveryForm()) if may_deliver else None,
        "console_section": SECTION,
    }
    return render(request, "founding/notice_detail.html", context)


@require_GET
@officer_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice_page(request, _notice(signed_in_user(request), pk, Perm.FOUNDING_VIEW))


@require_POST
@officer_required
def notice_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    notice = _notice(user, pk, Perm.FOUNDING_CHANGE)
    form = DeliveryForm(request.POST)
    if form.is_valid():
        try:
            services.record_delivery(
                notice,
                delivered_on=form.cleaned_data["delivered_on"],
                method=form.cleaned_data["delivery_method"],
                recipient_name=form.cleaned_data["recipient_name"],
                actor=user,
            )
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("console:founding:notice_detail", pk=notice.pk)
        else:
            messages.success(request, _("The delivery has been recorded."))
            return redirect("console:founding:notice_detail", pk=notice.pk)
    return _notice_page(request, notice, form)


@require_GET
@officer_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(signed_in_user(request), pk, Perm.FOUNDING_VIEW)
    response = HttpResponse(render_notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{notice_filename(notice)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------
# Founding applications
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def application_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ApplicationFilterForm(request.GET)
    filters = _filters(form)
    awaiting_me = bool(filters.pop("mine", False))
    page = _page(request, selectors.applications(user, awaiting_me=awaiting_me, **filters))
    context = {
        "form": form,
        "table_id": "application-table",
        "caption": _("Founding applications, newest first"),
        "columns": [
            {"key": "union_name", "label": _("Proposed union")},
            {"key": "workplace.name", "label": _("Workplace")},
            {"key": "parent.name", "label": _("Superior organisation")},
            {"key": "approving_org.name", "label": _("Approved by")},
            {"key": "get_status_display", "label": _("Status")},
            {"key": "created_at", "label": _("Submitted at"), "template": "founding/_cell_date.html"},
        ],
        "rows": page.object_list,
        "row_link": "get_absolute_url",
        "page_obj": page,
        "empty_message": _("No founding application matches these filters."),
    }
    return _table_response(request, "founding/application_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def application_new(request: HttpRequest, workplace_id: int) -> HttpResponse:
    user = signed_in_user(request)
    workplace = get_visible(
        Workplace.objects.select_related("jurisdiction"), user, Perm.FOUNDING_CHANGE, pk=workplace_id
    )
    parents = selectors.parent_choices(workplace, user)
    initial: dict[str, Any] = {
        "union_name": _("%(workplace)s Trade Union") % {"workplace": workplace.name},
        "employee_count": workplace.employee_count or None,
    }
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, parents=parents, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "parent": form.cleaned_data["parent"].pk, "workplace": workplace.pk}
        try:
            application = services.submit_application(services.ApplicationDraft(**data), actor=user)
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The founding application has been submitted."))
            return redirect("console:founding:application_detail", pk=application.pk)
    context = {"workplace": workplace, "form": form, "parents": parents, "console_section": SECTION}
    return render(request, "founding/application_new.html", context)


def _application_page(
    request: HttpRequest, application: FoundingApplication, form: TransitionForm | None = None
) -> HttpResponse:
    context = {
        "application": application,
        "history": application.history.all(),
        "actions": selectors.allowed_transitions(application, signed_in_user(request)),
        "form": form or TransitionForm(),
        "console_section": SECTION,
    }
    return render(request, "founding/application_detail.html", context)


@require_GET
@officer_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, selectors.application_detail(signed_in_user(request), pk))


@require_POST
@officer_required
def application_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    application = selectors.application_detail(user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _application_page(request, application, form)
    try:
        advanced = services.advance_application(application, actor=user, **form.cleaned_data)
    except ValidationFailed as exc:
        show_domain_error(form, exc)
        return _application_page(request, application, form)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        status = advanced.get_status_display()
        messages.success(request, _("Done: the application is now “%(status)s”.") % {"status": status})
    return redirect("console:founding:application_detail", pk=application.pk)


# --------------------------------------------------------------------------------------------
# Delegating approval authority
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def authority(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = SearchForm(request.GET)
    page = _page(request, selectors.delegable_joint_unions(user, **_filters(form)))
    context = {
        "form": form,
        "table_id": "authority-table",
        "caption": _("Joint unions under your federations"),
        "columns": [
            {"key": "name", "label": _("Joint union")},
            {"key": "code", "label": _("Code"), "class": "nowrap"},
            {"key": "get_area_display", "label": _("Area")},
            {"key": "district", "label": _("District")},
            {
                "key": "holds_founding_authority",
                "label": _("Approves founding"),
                "template": "founding/_cell_authority.html",
            },
        ],
        "rows": page.object_list,
        "page_obj": page,
        "empty_message": _("There is no joint union whose approval authority you may change."),
    }
    return _table_response(request, "founding/authority.html", context)


@require_POST
@officer_required
def authority_change(request: HttpRequest, org_id: int) -> HttpResponseRedirect:
    user = signed_in_user(request)
    org = get_visible(Org, user, Perm.ORG_RESTRUCTURE, pk=org_id)
    form = AuthorityForm(request.POST)
    form.is_valid()  # a missing checkbox is False: nothing here can be invalid
    value = bool(form.cleaned_data.get("holds_founding_authority"))
    try:
        services.set_founding_authority(org, value, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        message = (
            _("%(org)s may now approve founding applications under it.")
            if value
            else _("%(org)s no longer approves founding applications; its federation does.")
        )
        messages.success(request, message % {"org": org.name})
    return redirect("console:founding:authority")
