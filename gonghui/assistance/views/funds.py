"""Console pages: funds (帮困基金) — the list with balances, opening a fund, one fund with its
ledger (newest first, each entry with the balance after it), money in, corrections, closing, and
the ledger as a spreadsheet.

Reads go through `visible(Fund, user, ASSISTANCE_VIEW)`; keeping a ledger needs ASSISTANCE_FUNDS
on the fund's org, which the services check again. Thin: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.models import MAX_NAME, MAX_REASON, Fund, FundEntry, FundKind, FundStatus, GrantStatus
from gonghui.assistance.services import funds as services
from gonghui.console.navigation import require_somewhere
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible

PAGE_SIZE = 50
SECTION = "care"
TAB = "funds"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fund_orgs(user: User) -> QuerySet[Org]:
    """The orgs where the user may open a fund: federations and workplace unions they keep."""
    return (
        visible(Org, user, Perm.ASSISTANCE_FUNDS)
        .filter(kind__in=list(services.FUND_KIND_FOR_ORG), status=OrgStatus.ACTIVE)
        .order_by("path")
    )


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *FundStatus.choices],
    )


class FundForm(forms.Form):
    org = forms.ModelChoiceField(label=gettext_lazy("Held by"), queryset=Org.objects.none())
    name = CleanCharField(label=gettext_lazy("Fund name"), max_length=MAX_NAME)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=FundKind.choices,
        help_text=gettext_lazy("A federation holds a federation fund; a workplace union a workplace fund."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _fund_orgs(user)


def _date_field() -> forms.DateField:
    return forms.DateField(
        label=gettext_lazy("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=gettext_lazy("Empty: today."),
    )


class DepositForm(forms.Form):
    amount = forms.CharField(
        label=gettext_lazy("Amount (yuan)"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    memo = CleanCharField(
        label=gettext_lazy("Source"),
        max_length=MAX_REASON,
        help_text=gettext_lazy("Where the money came from, e.g. the year's budget allocation or a donor."),
    )
    booked_on = _date_field()


class CorrectionForm(forms.Form):
    amount = forms.CharField(
        label=gettext_lazy("Correction (yuan)"),
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("Positive adds to the balance, negative (e.g. -200.00) takes from it."),
    )
    reason = CleanCharField(label=gettext_lazy("Reason"), max_length=MAX_REASON)
    booked_on = _date_field()


class CloseForm(forms.Form):
    reason = CleanCharField(label=gettext_lazy("Why the fund is closed"), max_length=MAX_REASON)


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def fund_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.ASSISTANCE_VIEW)
    form = StatusForm(request.GET or None)
    rows = visible(Fund, user, Perm.ASSISTANCE_VIEW).select_related("org")
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    rows = rows.order_by("status", "org__path", "name", "id")  # "closed" sorts after "open"
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "funds": page.object_list,
        "may_open": services.may_keep_funds(user) and _fund_orgs(user).exists(),
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "assistance/fund_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def fund_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not services.may_keep_funds(user):
        raise Http404
    if request.method == "POST":
        form = FundForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                fund = services.create_fund(actor=user, org=data["org"], name=data["name"], kind=data["kind"])
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("The fund has been opened. Record the money paid into it."))
                return redirect("console:assistance:fund_detail", pk=fund.pk)
    else:
        first = _fund_orgs(user).first()
        initial: dict[str, Any] = {}
        if first is not None:
            initial = {"org": first.pk, "kind": services.FUND_KIND_FOR_ORG[first.kind]}
        form = FundForm(initial=initial, user=user)
    context = {"form": form, "tab": TAB, "console_section": SECTION}
    return render(request, "assistance/fund_form.html", context, status=422 if form.errors else 200)


def _fund(user: User, pk: int) -> Fund:
    return get_visible(Fund.objects.select_related("org", "created_by"), user, Perm.ASSISTANCE_VIEW, pk=pk)


def _render_detail(
    request: HttpRequest,
    fund: Fund,
    *,
    deposit_form: DepositForm | None = None,
    correction_form: CorrectionForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    may_keep = services.may_keep(user, fund)
    entries = FundEntry.objects.filter(fund=fund).select_related("grant", "created_by").order_by("-id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    bound = [form for form in (deposit_form, correction_form, close_form) if form is not None]
    waiting = fund.grants.filter(status=GrantStatus.PROPOSED).count()
    keeping = may_keep and fund.status == FundStatus.OPEN
    context = {
        # Refusals of a form the page does not show (the fund closed meanwhile, or no right).
        "refusals": [] if keeping else [error for form in bound for error in form.non_field_errors()],
        "fund": fund,
        "may_keep": keeping,
        "may_close": keeping and fund.balance == 0 and not waiting,
        "waiting": waiting,
        "deposit_form": deposit_form or DepositForm(),
        "correction_form": correction_form or CorrectionForm(),
        "close_form": close_form or CloseForm(),
        "page_obj": page,
        "entries": page.object_list,
        "tab": TAB,
        "console_section": SECTION,
    }
    status = 422 if any(form.errors for form in bound) else 200
    return render(request, "assistance/fund_detail.html", context, status=status)


@require_GET
@officer_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _fund(signed_in_user(request), pk))


@require_POST
@officer_required
def fund_deposit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    fund = _fund(user, pk)
    form = DepositForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.deposit(
                fund, actor=user, amount=data["amount"], memo=data["memo"], booked_on=data["booked_on"]
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The money paid in has been recorded."))
            return redirect("console:assistance:fund_detail", pk=fund.pk)
    return _render_detail(request, fund, deposit_form=form)


@require_POST
@officer_required
def fund_correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    fund = _fund(user, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_fund(
                fund, actor=user, amount=data["amount"], reason=data["reason"], booked_on=data["booked_on"]
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The correction has been recorded."))
            return redirect("console:assistance:fund_detail", pk=fund.pk)
    return _render_detail(request, fund, correction_form=form)


@require_POST
@officer_required
def fund_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    fund = _fund(user, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_fund(fund, actor=user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The fund has been closed."))
            return redirect("console:assistance:fund_detail", pk=fund.pk)
    return _render_detail(request, fund, close_form=form)


@require_GET
@officer_required
def fund_ledger_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(signed_in_user(request), pk)
    response = HttpResponse(services.ledger_workbook(fund), content_type=XLSX)
    filename = f"fund-{fund.pk}-ledger-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("funds/", fund_list, name="fund_list"),
    path("funds/new/", fund_new, name="fund_new"),
    path("funds/<int:pk>/", fund_detail, name="fund_detail"),
    path("funds/<int:pk>/deposit/", fund_deposit, name="fund_deposit"),
    path("funds/<int:pk>/correct/", fund_correct, name="fund_correct"),
    path("funds/<int:pk>/close/", fund_close, name="fund_close"),
    path("funds/<int:pk>/ledger.xlsx", fund_ledger_xlsx, name="fund_ledger_xlsx"),
]
