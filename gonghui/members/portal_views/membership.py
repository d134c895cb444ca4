"""Portal pages of a member's own transfer (转会) and leaving (退会), phone first.

- `transfer_home`: where the member stands (an open transfer to follow and cancel, past ones),
  and the search for the union to move to — by the union's name or code, or by the new
  workplace's name or credit code (the workplace's union receives the member);
- `transfer_new`: the chosen target confirmed, with an optional reason; the receiving union
  decides and the member is texted at every step;
- `transfer_cancel`: withdraw the open request;
- `leave`: end one's own membership, confirmed with the account's password (so that someone
  holding an unlocked phone cannot end the owner's membership).

Every page acts on the signed-in account's own membership (services.transfers.own_active_membership);
an account without one gets a page that says so, never an error.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import MAX_ID, CleanCharField
from gonghui.members.models import Transfer, TransferStatus
from gonghui.members.services import routes
from gonghui.members.services import transfers as services

RECENT_TRANSFERS = 10


def _id(value: str | None) -> int | None:
    """A positive id from a query parameter, or None for anything else (typed in by hand)."""
    if value is None or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def _no_membership(request: HttpRequest, title: str) -> HttpResponse:
    context = {"title": title, "nav_section": "me"}
    return render(request, "members/transfer_portal_none.html", context)


def _requested(union: str) -> str:
    return _("Your transfer to %(union)s has been requested. %(union)s decides; you will get a text.") % {
        "union": union
    }


# --- Transfer ------------------------------------------------------------------------------


class TargetSearchForm(forms.Form):
    q = CleanCharField(
        label=gettext_lazy("Union or new workplace"),
        max_length=60,
        required=False,
        help_text=gettext_lazy(
            "The name or code of the union, or the name or unified social credit code of your new workplace."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class TransferReasonForm(forms.Form):
    reason = CleanCharField(
        label=gettext_lazy("Reason (optional)"),
        max_length=services.REASON_MAX,
        required=False,
        help_text=gettext_lazy("For example: I changed jobs. The receiving union sees it."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_GET
@never_cache
@member_area
def transfer_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    member = services.own_active_membership(user)
    transfers = list(services.transfers_of_person(user)[:RECENT_TRANSFERS])
    if member is None and not transfers:
        return _no_membership(request, _("Transfer to another union"))
    waiting = next((t for t in transfers if t.status == TransferStatus.REQUESTED), None)
    form = TargetSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    searching = member is not None and waiting is None and bool(query)
    context = {
        "member": member,
        "waiting": waiting,
        "waiting_actions": services.available_actions(user, waiting) if waiting else [],
        "past": [t for t in transfers if t is not waiting],
        "form": form,
        "query": query,
        "searched": searching,
        "too_short": searching and len(query) < routes.MIN_EMPLOYER_QUERY,
        "results": services.find_targets(query) if searching else [],
        "nav_section": "me",
    }
    return render(request, "members/transfer_portal.html", context)


@require_http_methods(["GET", "POST"])
@never_cache
@member_area
def transfer_new(request: HttpRequest) -> HttpResponse:
    """The chosen union (`?union=`) or workplace (`?workplace=`), confirmed with a reason."""
    user = signed_in_user(request)
    member = services.own_active_membership(user)
    if member is None:
        return _no_membership(request, _("Transfer to another union"))
    try:
        target = services.chosen_target(
            union_id=_id(request.GET.get("union")), workplace_id=_id(request.GET.get("workplace"))
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:transfer")
    assert target.union is not None  # chosen_target refuses a target without a union
    form = TransferReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.request_transfer(
                    member,
                    actor=user,
                    to_org=target.union,
                    to_workplace=target.workplace,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _requested(target.union.name))
                return redirect("portal:transfer")
        status = 422
    context = {"member": member, "target": target, "form": form, "nav_section": "me"}
    return render(request, "members/transfer_portal_new.html", context, status=status)


@require_POST
@never_cache
@member_area
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.cancel_transfer(Transfer(pk=pk), actor=signed_in_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your transfer request has been cancelled."))
    return redirect("portal:transfer")


# --- Leaving ----------------------------------------------------------------------------------


class LeaveForm(forms.Form):
    reason = CleanCharField(
        label=gettext_lazy("Reason (optional)"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Enter your password to confirm.")},
    )


@require_http_methods(["GET", "POST"])
@never_cache
@member_area
def leave(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    member = services.own_active_membership(user)
    if member is None:
        return _no_membership(request, _("Leave the union"))
    form = LeaveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.leave_own_membership(
                    member,
                    actor=user,
                    password=form.cleaned_data["password"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("You have left %(union)s. Your membership history stays available.")
                    % {"union": member.org.name},
                )
                return redirect("portal:me")
        status = 422
    context = {
        "member": member,
        "form": form,
        "waiting": services.open_transfer_of(member),
        "nav_section": "me",
    }
    return render(request, "members/transfer_portal_leave.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("me/transfer/", transfer_home, name="transfer"),
    path("me/transfer/new/", transfer_new, name="transfer_new"),
    path("me/transfer/<int:pk>/cancel/", transfer_cancel, name="transfer_cancel"),
    path("me/leave/", leave, name="leave"),
]
