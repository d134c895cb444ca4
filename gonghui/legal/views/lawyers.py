"""Console pages of volunteer lawyers: the lawyers in my scope, registering one, changing their
details, opening their sign-in and switching them off. Thin: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.console.pages import org_on_form
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.legal.models import Lawyer, LegalAid, LegalConsultation
from gonghui.legal.services import lawyers as services
from gonghui.legal.views.forms import AccountForm, LawyerForm, NewLawyerForm
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

SECTION = "legal"
PAGE_SIZE = 50


@require_GET
@officer_required
def lawyer_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = (
        visible(Lawyer, user, Perm.RIGHTS_VIEW)
        .select_related("org", "user")
        .order_by("-is_active", "name", "id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "lawyers": page.object_list, "console_section": SECTION, "tab": "lawyers"}
    return render(request, "legal/lawyer_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def lawyer_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = NewLawyerForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            org = org_on_form(form, user, Perm.RIGHTS_HANDLE)
            if org is not None:
                try:
                    lawyer = services.register_lawyer(actor=user, org_id=org.pk, data=form.lawyer_input())
                except DomainError as exc:
                    show_domain_error(form, exc)
                else:
                    messages.success(request, _("The lawyer has been registered."))
                    return redirect("console:legal:lawyer_detail", pk=lawyer.pk)
        status = 422
    return render(
        request, "legal/lawyer_form.html", {"form": form, "console_section": SECTION}, status=status
    )


def _lawyer(request: HttpRequest, pk: int) -> Lawyer:
    return get_visible(
        Lawyer.objects.select_related("org", "user"), signed_in_user(request), Perm.RIGHTS_VIEW, pk=pk
    )


def _detail(
    request: HttpRequest,
    lawyer: Lawyer,
    form: LawyerForm | None = None,
    account_form: AccountForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    may_change = has_perm_at(user, Perm.RIGHTS_HANDLE, lawyer.org.path)
    context: dict[str, Any] = {
        "lawyer": lawyer,
        "may_change": may_change,
        "form": form
        or LawyerForm(
            initial={
                "name": lawyer.name,
                "law_firm": lawyer.law_firm,
                "licence_number": lawyer.licence_number,
                "practice_areas": lawyer.practice_areas,
            }
        ),
        "account_form": account_form or AccountForm(),
        "consultations": LegalConsultation.objects.filter(lawyer=lawyer).count(),
        "cases": LegalAid.objects.filter(lawyer=lawyer).count(),
        "console_section": SECTION,
    }
    return render(request, "legal/lawyer_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def lawyer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The lawyer's details; POST changes them."""
    lawyer = _lawyer(request, pk)
    if request.method == "GET":
        return _detail(request, lawyer)
    form = LawyerForm(request.POST)
    if form.is_valid():
        try:
            services.change_lawyer(lawyer.pk, actor=signed_in_user(request), data=form.lawyer_input())
        except DomainError as exc:
            if exc.status in (403, 404):
                messages.error(
                    request, _("Only officers who handle rights cases for this union may do this.")
                )
                return redirect("console:legal:lawyer_detail", pk=lawyer.pk)
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The lawyer's details have been saved."))
            return redirect("console:legal:lawyer_detail", pk=lawyer.pk)
    return _detail(request, lawyer, form=form, status=422)


@require_POST
@officer_required
def lawyer_account(request: HttpRequest, pk: int) -> HttpResponse:
    lawyer = _lawyer(request, pk)
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            services.open_lawyer_account(
                lawyer.pk,
                actor=signed_in_user(request),
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                messages.error(
                    request, _("Only officers who handle rights cases for this union may do this.")
                )
                return redirect("console:legal:lawyer_detail", pk=lawyer.pk)
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The lawyer can now sign in with the username and password."))
            return redirect("console:legal:lawyer_detail", pk=lawyer.pk)
    return _detail(request, lawyer, account_form=form, status=422)


@require_POST
@officer_required
def lawyer_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    lawyer = _lawyer(request, pk)
    try:
        if services.deactivate_lawyer(lawyer.pk, actor=signed_in_user(request)):
            messages.success(request, _("The lawyer has been switched off."))
    except DomainError:
        messages.error(request, _("Only officers who handle rights cases for this union may do this."))
    return redirect("console:legal:lawyer_detail", pk=lawyer.pk)


urlpatterns: list[URLPattern] = [
    path("lawyers/", lawyer_list, name="lawyer_list"),
    path("lawyers/new/", lawyer_new, name="lawyer_new"),
    path("lawyers/<int:pk>/", lawyer_detail, name="lawyer_detail"),
    path("lawyers/<int:pk>/account/", lawyer_account, name="lawyer_account"),
    path("lawyers/<int:pk>/deactivate/", lawyer_deactivate, name="lawyer_deactivate"),
]
