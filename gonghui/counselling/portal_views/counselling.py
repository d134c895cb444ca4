"""Portal pages: psychological counselling (心理咨询) — the open hours of the counsellors serving
my union, booking one with an optional message, and my bookings with their cancel buttons.
Thin: parse, call one service, render. Every refusal is shown on the page, nothing written."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.counselling.models import Slot, Topic
from gonghui.counselling.selectors import (
    MY_BOOKINGS_LIMIT,
    OPEN_SLOTS_LIMIT,
    bookings_of_member,
    open_slots_for,
)
from gonghui.counselling.services import bookings
from gonghui.members.services.selfservice import current_membership

NAV = "services"


class BookingForm(forms.Form):
    topic = forms.ChoiceField(label=gettext_lazy("What would you like to talk about?"), choices=Topic.choices)
    message = forms.CharField(
        label=gettext_lazy("A few words for the counsellor (optional)"),
        required=False,
        max_length=bookings.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Only the counsellor reads this. Union officers never see it."),
    )


@require_GET
@member_area
@never_cache
def slots(request: HttpRequest) -> HttpResponse:
    member = current_membership(signed_in_user(request))
    rows = list(open_slots_for(member)[:OPEN_SLOTS_LIMIT]) if member is not None else []
    context = {"slots": rows, "has_membership": member is not None, "nav_section": NAV}
    return render(request, "counselling/portal_slots.html", context)


def _bookable(request: HttpRequest, pk: int) -> Slot:
    member = current_membership(signed_in_user(request))
    slot = open_slots_for(member).filter(pk=pk).first() if member is not None else None
    if slot is None:
        raise Http404
    return slot


@require_http_methods(["GET", "POST"])
@member_area
@never_cache
def book(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _bookable(request, pk)
    form = BookingForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                bookings.book_slot(
                    slot.pk,
                    actor=signed_in_user(request),
                    topic=form.cleaned_data["topic"],
                    message=form.cleaned_data["message"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                for field, problems in error.fields.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(
                    request, _("Your session is booked. The counsellor will see you at the time shown.")
                )
                return redirect("portal:counselling_mine")
        status = 422
    context = {"slot": slot, "form": form, "nav_section": NAV}
    return render(request, "counselling/portal_book.html", context, status=status)


@require_GET
@member_area
@never_cache
def mine(request: HttpRequest) -> HttpResponse:
    rows = list(
        bookings_of_member(signed_in_user(request)).select_related("slot__counsellor__org")[
            :MY_BOOKINGS_LIMIT
        ]
    )
    context = {
        "rows": [(booking, bookings.member_may_cancel(booking)) for booking in rows],
        "nav_section": NAV,
    }
    return render(request, "counselling/portal_mine.html", context)


@require_POST
@member_area
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        bookings.cancel_as_member(pk, actor=signed_in_user(request))
    except DomainError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your booking has been cancelled."))
    return redirect("portal:counselling_mine")


urlpatterns: list[URLPattern] = [
    path("counselling/", slots, name="counselling"),
    path("counselling/slots/<int:pk>/book/", book, name="counselling_book"),
    path("counselling/mine/", mine, name="counselling_mine"),
    path("counselling/mine/<int:pk>/cancel/", cancel, name="counselling_cancel"),
]
