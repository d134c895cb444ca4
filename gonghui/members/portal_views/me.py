"""Portal pages of member self-service (phone first): my membership, the categories I declare,
change of my mobile number, my union, my membership history and the download of my data.

Every page acts on the signed-in account's own records only (gonghui.members.services.selfservice).
A person without an active membership (after leaving, or with only an application) gets a page
that says where they stand, never an error.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.accounts.models import User
from gonghui.accounts.verification import RESEND_SECONDS
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.core.mobile import mask_mobile
from gonghui.members import card
from gonghui.members.models import GigOccupation, Member
from gonghui.members.services import selfservice

HISTORY_PAGE_SIZE = 20
# The number a code was last sent to, and when, so that the form keeps it after the redirect
# and the "send code" button can count down to when a new code may be asked for.
PENDING_MOBILE_KEY = "members.selfservice.pending_mobile"


def _no_membership(request: HttpRequest, user: User, *, title: str) -> HttpResponse:
    """Where a person without an active membership stands: past memberships, an application
    under review, what they can still do."""
    memberships = selfservice.own_memberships(user)
    context = {
        "title": title,
        "past": memberships[0] if memberships else None,
        "applications": list(selfservice.open_applications(user)),
        "nav_section": "me",
    }
    return render(request, "members/me_none.html", context)


# --- My membership -------------------------------------------------------------------------


@require_GET
@never_cache
@member_area
def me_profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    member = selfservice.current_membership(user)
    if member is None:
        return _no_membership(request, user, title=_("My membership"))
    context = {
        "member": member,
        "card_number": card.card_number_display(card.card_number(member)),
        "masked_mobile": member.masked_mobile or user.masked_mobile,
        "nav_section": "me",
    }
    return render(request, "members/me_profile.html", context)


class CategoriesForm(forms.Form):
    is_gig_worker = forms.BooleanField(
        label=gettext_lazy("I am a gig worker (delivery, ride-hailing, courier or other platform work)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"data-gig-toggle": ""}),
    )
    gig_occupation = forms.ChoiceField(
        label=gettext_lazy("Platform work"),
        required=False,
        choices=[("", gettext_lazy("Choose…")), *GigOccupation.choices],
    )
    gig_platform = CleanCharField(
        label=gettext_lazy("Platform"),
        required=False,
        max_length=selfservice.PLATFORM_MAX,
        help_text=gettext_lazy("The company or app you work through, for example 美团 or 滴滴出行."),
    )
    is_migrant_worker = forms.BooleanField(
        label=gettext_lazy("I am a migrant worker (my household registration is in a rural area)"),
        required=False,
    )

    def declared(self) -> selfservice.DeclaredCategories:
        data = self.cleaned_data
        return selfservice.DeclaredCategories(
            is_gig_worker=data["is_gig_worker"],
            gig_occupation=data["gig_occupation"],
            gig_platform=data["gig_platform"],
            is_migrant_worker=data["is_migrant_worker"],
        )


def _initial(member: Member) -> dict[str, Any]:
    declared = selfservice.DeclaredCategories.of(member)
    return {
        "is_gig_worker": declared.is_gig_worker,
        "gig_occupation": declared.gig_occupation,
        "gig_platform": declared.gig_platform,
        "is_migrant_worker": declared.is_migrant_worker,
    }


@require_http_methods(["GET", "POST"])
@never_cache
@member_area
def me_categories(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    member = selfservice.current_membership(user)
    if member is None:
        return _no_membership(request, user, title=_("My categories"))
    form = CategoriesForm(request.POST or None, initial=_initial(member))
    if request.method == "POST" and form.is_valid():
        try:
            selfservice.update_own_profile(actor=user, categories=form.declared())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Your details have been saved."))
            return redirect("portal:me_profile")
    return render(
        request, "members/me_categories.html", {"form": form, "member": member, "nav_section": "me"}
    )


# --- Change of mobile number -------------------------------------------------------------------


class MobileForm(forms.Form):
    mobile = CleanCharField(
        label=gettext_lazy("New mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": gettext_lazy("Enter the new mobile number.")},
    )


class MobileConfirmForm(forms.Form):
    code = CleanCharField(
        label=gettext_lazy("Verification code"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
        error_messages={"required": gettext_lazy("Enter the code texted to the new number.")},
    )
    password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Enter your current password.")},
    )


def _pending(request: HttpRequest) -> dict[str, Any]:
    pending = request.session.get(PENDING_MOBILE_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("mobile"), str):
        return {}
    return pending


def _resend_wait(pending: dict[str, Any]) -> int:
    sent_at = pending.get("sent_at")
    if not isinstance(sent_at, int | float):
        return 0
    return max(0, min(RESEND_SECONDS, int(RESEND_SECONDS - (time.time() - sent_at))))


def _send_code(request: HttpRequest, user: User, form: MobileForm) -> HttpResponse | None:
    try:
        number = selfservice.request_mobile_change_code(actor=user, new_mobile=form.cleaned_data["mobile"])
    except DomainError as error:
        show_domain_error(form, error)
        return None
    request.session[PENDING_MOBILE_KEY] = {"mobile": number, "sent_at": time.time()}
    messages.success(request, _("A code has been sent to %(number)s.") % {"number": mask_mobile(number)})
    return redirect("portal:me_mobile")


def _change(request: HttpRequest, user: User, form: MobileConfirmForm, number: str) -> HttpResponse | None:
    try:
        selfservice.change_own_mobile(
            actor=user,
            new_mobile=number,
            code=form.cleaned_data["code"],
            password=form.cleaned_data["password"],
        )
    except DomainError as error:
        show_domain_error(form, error)
        return None
    request.session.pop(PENDING_MOBILE_KEY, None)
    messages.success(
        request,
        _("Your mobile number is now %(number)s. Use it to sign in from now on.")
        % {"number": mask_mobile(number)},
    )
    return redirect("portal:me_profile" if selfservice.current_membership(user) else "portal:me")


@require_http_methods(["GET", "POST"])
@never_cache
@member_area
def me_mobile(request: HttpRequest) -> HttpResponse:
    """Two small forms: the new number (a code is texted to it), then, once a code is on its way,
    the code and the current password. The number the code went to is kept in the session, so
    what is confirmed is the number that received the code."""
    user = signed_in_user(request)
    pending = _pending(request)
    action = request.POST.get("action") if request.method == "POST" else None
    mobile_form = MobileForm(
        request.POST if action == "send_code" else None, initial={"mobile": pending.get("mobile", "")}
    )
    confirm_form = MobileConfirmForm(request.POST if action == "change" else None)
    if action == "send_code" and mobile_form.is_valid():
        response = _send_code(request, user, mobile_form)
        if response is not None:
            return response
    elif action == "change" and not pending:
        confirm_form.is_valid()
        confirm_form.add_error(None, _("Ask for a code to the new number first."))
    elif action == "change" and confirm_form.is_valid():
        response = _change(request, user, confirm_form, pending["mobile"])
        if response is not None:
            return response
    context = {
        "mobile_form": mobile_form,
        "confirm_form": confirm_form,
        "pending_mobile": mask_mobile(pending["mobile"]) if pending else "",
        "current_mobile": user.masked_mobile,
        "resend_wait": _resend_wait(pending),
        "nav_section": "me",
    }
    return render(request, "members/me_mobile.html", context)


# --- My union ------------------------------------------------------------------------------------


@require_GET
@never_cache
@member_area
def me_union(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    member = selfservice.current_membership(user)
    if member is None:
        return _no_membership(request, user, title=_("My union"))
    context = {"member": member, "union": selfservice.union_info(member), "nav_section": "me"}
    return render(request, "members/me_union.html", context)


# --- My membership history -------------------------------------------------------------------------


@require_GET
@never_cache
@member_area
def me_history(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(selfservice.own_events(user), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "entries": selfservice.history_entries(list(page.object_list), viewer=user),
        "nav_section": "me",
    }
    return render(request, "members/me_history.html", context)


# --- Download of my data ---------------------------------------------------------------------------


@require_GET
@never_cache
@member_area
def me_data(request: HttpRequest) -> HttpResponse:
    return render(request, "members/me_data.html", {"nav_section": "me"})


@require_POST
@never_cache
@member_area
def me_data_download(request: HttpRequest) -> HttpResponse:
    file_format: selfservice.FileFormat = "xlsx" if request.POST.get("format") == "xlsx" else "json"
    try:
        data_file = selfservice.download_own_data(actor=signed_in_user(request), file_format=file_format)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:me_data")
    response = HttpResponse(data_file.content, content_type=data_file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, data_file.file_name) or "attachment"
    return response


urlpatterns: list[URLPattern] = [
    path("me/membership/", me_profile, name="me_profile"),
    path("me/membership/categories/", me_categories, name="me_categories"),
    path("me/mobile/", me_mobile, name="me_mobile"),
    path("me/union/", me_union, name="me_union"),
    path("me/history/", me_history, name="me_history"),
    path("me/data/", me_data, name="me_data"),
    path("me/data/download/", me_data_download, name="me_data_download"),
]
