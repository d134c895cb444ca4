"""Console pages: transfers (转会) between unions and recording that a member left (退会).

Both unions see a transfer: "incoming" lists those into unions of the officer's scope (where
decisions are taken), "outgoing" those out of them. Thin: parse, call one service, render.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.pages import table_or_page
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.members.models import Member, MemberStatus, TransferAction, TransferStatus
from gonghui.members.services import transfers as services
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at

PAGE_SIZE = 50
SECTION = "transfers"
DIRECTIONS = ("incoming", "outgoing", "all")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class TransferFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *TransferStatus.choices],
    )


class TransferRequestForm(forms.Form):
    to_org = CleanCharField(
        label=gettext_lazy("Code of the receiving union"),
        max_length=32,
        help_text=gettext_lazy("The code of the grassroots, joint or industry union the member moves to."),
    )
    to_workplace = CleanCharField(
        label=gettext_lazy("Credit code of the new workplace"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Optional: the new employer, if it is in the registry."),
    )
    reason = CleanCharField(
        label=gettext_lazy("Reason"),
        max_length=services.REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TransferInForm(TransferRequestForm):
    id_number = CleanCharField(
        label=gettext_lazy("ID number"),
        max_length=40,
        help_text=gettext_lazy("The full ID number of the person, who is a member of another union now."),
    )
    field_order = ["id_number", "to_org", "to_workplace", "reason"]


class TransferStepForm(forms.Form):
    action = forms.ChoiceField(choices=TransferAction.choices, widget=forms.HiddenInput)
    comment = CleanCharField(
        label=gettext_lazy("Comment"),
        max_length=services.REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = CleanCharField(
        label=gettext_lazy("Reason for rejection"),
        max_length=services.REASON_MAX,
        required=False,
        help_text=gettext_lazy("The member is told this reason by SMS."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LeaveForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("What happened"),
        choices=[
            (MemberStatus.LEFT, gettext_lazy("The member left the union")),
            (MemberStatus.DECEASED, gettext_lazy("The member has died")),
        ],
        widget=forms.RadioSelect,
        initial=MemberStatus.LEFT,
    )
    on = forms.DateField(label=gettext_lazy("Date"), widget=_date_input())
    reason = CleanCharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("For example: left at their own written request; retired and left."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --------------------------------------------------------------------------------------------
# The list and one transfer
# --------------------------------------------------------------------------------------------

COLUMNS = [
    {
        "key": "member.masked_name",
        "label": pgettext_lazy("person", "Name"),
        "template": "members/transfer_cell_member.html",
    },
    {"key": "from_org.name", "label": gettext_lazy("From union")},
    {"key": "to_org.name", "label": gettext_lazy("To union")},
    {"key": "get_status_display", "label": gettext_lazy("Status"), "class": "nowrap"},
    {
        "key": "created_at",
        "label": gettext_lazy("Requested at"),
        "class": "nowrap",
        "template": "members/transfer_cell_date.html",
    },
]


@require_GET
@officer_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    direction = request.GET.get("tab", "incoming")
    if direction not in DIRECTIONS:
        direction = "incoming"
    form = TransferFilterForm(request.GET)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    rows = services.transfers_in_scope(user, direction=direction, status=status)  # type: ignore[arg-type]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    captions = {
        "incoming": _("Transfers into unions in your scope, newest first"),
        "outgoing": _("Transfers out of unions in your scope, newest first"),
        "all": _("All transfers in your scope, newest first"),
    }
    context = {
        "form": form,
        "tab": direction,
        "table_id": "transfer-table",
        "caption": captions[direction],
        "columns": COLUMNS,
        "rows": page.object_list,
        "row_id": "pk",
        "page_obj": page,
        "empty_message": _("No transfer matches."),
        "console_section": SECTION,
    }
    return table_or_page(request, "members/transfer_list.html", context)


def _detail_page(
    request: HttpRequest, transfer: Any, form: TransferStepForm | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "transfer": transfer,
        "history": transfer.history.select_related("actor"),
        "actions": services.available_actions(user, transfer),
        "form": form or TransferStepForm(),
        "console_section": SECTION,
    }
    return render(request, "members/transfer_detail.html", context, status=status)


@require_GET
@officer_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, services.visible_transfer(signed_in_user(request), pk))


@require_POST
@officer_required
def transfer_step(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    transfer = services.visible_transfer(user, pk)
    form = TransferStepForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, transfer, form, status=422)
    try:
        done = services.transfer_action(transfer, actor=user, **form.cleaned_data)
    except ValidationFailed as exc:
        show_domain_error(form, exc)
        return _detail_page(request, transfer, form, status=422)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Done: the transfer is now “%(status)s”.") % {"status": done.get_status_display()}
        )
    return redirect("console:members:transfer_detail", pk=transfer.pk)


# --------------------------------------------------------------------------------------------
# Starting a transfer; recording a leaving
# --------------------------------------------------------------------------------------------


def _member(user: User, pk: int) -> Member:
    return get_visible(Member.objects.select_related("org", "workplace"), user, Perm.MEMBER_VIEW, pk=pk)


def _target(form: TransferRequestForm) -> tuple[Any, Any]:
    """The receiving union and new workplace the form names (ValidationFailed on their fields)."""
    to_org = services.find_union(form.cleaned_data["to_org"])
    return to_org, services.find_workplace(form.cleaned_data["to_workplace"])


@require_http_methods(["GET", "POST"])
@officer_required
def member_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the transfer of a member of a union in the officer's scope."""
    user = signed_in_user(request)
    member = _member(user, pk)
    form = TransferRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                to_org, workplace = _target(form)
                transfer = services.request_transfer(
                    member,
                    actor=user,
                    to_org=to_org,
                    to_workplace=workplace,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(
                    request, _("The transfer has been requested; %(union)s decides.") % {"union": to_org.name}
                )
                return redirect("console:members:transfer_detail", pk=transfer.pk)
        status = 422
    context = {
        "member": member,
        "form": form,
        "open_transfer": services.open_transfer_of(member),
        "console_section": SECTION,
    }
    return render(request, "members/transfer_request.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def transfer_in(request: HttpRequest) -> HttpResponse:
    """Ask for a person who is a member elsewhere to be transferred into a union the officer manages."""
    user = signed_in_user(request)
    form = TransferInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                to_org, workplace = _target(form)
                transfer = services.request_transfer_in(
                    form.cleaned_data["id_number"],
                    actor=user,
                    to_org=to_org,
                    to_workplace=workplace,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("The transfer has been requested."))
                return redirect("console:members:transfer_detail", pk=transfer.pk)
        status = 422
    return render(
        request, "members/transfer_in.html", {"form": form, "console_section": SECTION}, status=status
    )


@require_http_methods(["GET", "POST"])
@officer_required
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a member left the union or died."""
    user = signed_in_user(request)
    member = _member(user, pk)
    may_record = member.is_active and has_perm_at(user, Perm.MEMBER_CHANGE, member.org.path)
    form = LeaveForm(request.POST if request.method == "POST" else None, initial={"on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.leave_union(
                    member,
                    actor=user,
                    reason=form.cleaned_data["reason"],
                    status=MemberStatus(form.cleaned_data["status"]),
                    on=form.cleaned_data["on"],
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("The end of the membership has been recorded."))
                return redirect("console:members:member_detail", pk=member.pk)
        status = 422
    context = {
        "member": member,
        "form": form,
        "may_record": may_record,
        "open_transfer": services.open_transfer_of(member),
        "console_section": SECTION,
    }
    return render(request, "members/leave_record.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("transfers/", transfer_list, name="transfer_list"),
    path("transfers/new/", transfer_in, name="transfer_in"),
    path("transfers/<int:pk>/", transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/step/", transfer_step, name="transfer_step"),
    path("<int:pk>/transfer/", member_transfer, name="member_transfer"),
    path("<int:pk>/leave/", member_leave, name="member_leave"),
]
