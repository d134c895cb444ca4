"""The counsellor's desk (console pages for counsellor accounts only): my hours with the form to
publish more, my bookings with what the member wrote, and one booking with my notes and the
buttons to close or cancel it. Any other account finds nothing here (404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.counselling.models import Booking, BookingStatus, Counsellor, SlotStatus
from gonghui.counselling.selectors import bookings_of_counsellor, counsellor_of
from gonghui.counselling.services import bookings, slots
from gonghui.counselling.views.forms import CancelForm, NoteForm, SlotForm

SECTION = "counselling_desk"
LIMIT = 200


def _me(request: HttpRequest) -> Counsellor:
    counsellor = counsellor_of(signed_in_user(request))
    if counsellor is None:
        raise Http404
    return counsellor


def _render_desk(
    request: HttpRequest, counsellor: Counsellor, form: SlotForm, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    rows = list(bookings_of_counsellor(counsellor)[:LIMIT])
    context = {
        "counsellor": counsellor,
        "upcoming": [b for b in rows if b.status == BookingStatus.BOOKED][::-1],
        "earlier": [b for b in rows if b.status != BookingStatus.BOOKED],
        "open_slots": list(
            counsellor.slots.filter(status=SlotStatus.OPEN, starts_at__gt=now).order_by("starts_at")[:LIMIT]
        ),
        "slot_form": form,
        "console_section": SECTION,
    }
    return render(request, "counselling/desk.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def desk(request: HttpRequest) -> HttpResponse:
    counsellor = _me(request)
    if request.method == "GET":
        return _render_desk(request, counsellor, SlotForm())
    form = SlotForm(request.POST)
    if form.is_valid():
        try:
            published = slots.publish_slots(
                counsellor.pk, actor=signed_in_user(request), data=form.data_for_service()
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("%(n)d times published.") % {"n": len(published)})
            return redirect("console:counselling:desk")
    return _render_desk(request, counsellor, form, status=422)


@require_POST
@officer_required
def desk_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    counsellor = _me(request)
    if not counsellor.slots.filter(pk=pk).exists():
        raise Http404
    try:
        slots.withdraw_slot(pk, actor=signed_in_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The time has been withdrawn."))
    return redirect("console:counselling:desk")


def _booking(request: HttpRequest, pk: int) -> Booking:
    booking = bookings_of_counsellor(_me(request)).filter(pk=pk).first()
    if booking is None:
        raise Http404
    return booking


def _render_booking(
    request: HttpRequest, booking: Booking, note_form: NoteForm, cancel_form: CancelForm, status: int = 200
) -> HttpResponse:
    context = {
        "booking": booking,
        "note_form": note_form,
        "cancel_form": cancel_form,
        "may_close": booking.status == BookingStatus.BOOKED and timezone.now() >= booking.slot.starts_at,
        "may_cancel": booking.status == BookingStatus.BOOKED,
        "may_write": booking.status != BookingStatus.CANCELLED,
        "console_section": SECTION,
    }
    return render(request, "counselling/desk_booking.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def desk_booking(request: HttpRequest, pk: int) -> HttpResponse:
    """One booking; its POST buttons: save the notes, close (held / no show), cancel."""
    booking = _booking(request, pk)
    note = getattr(booking, "note", None)
    note_form = NoteForm(initial={"text": note.text if note else ""})
    cancel_form = CancelForm()
    if request.method == "GET":
        return _render_booking(request, booking, note_form, cancel_form)
    actor = signed_in_user(request)
    action = request.POST.get("action", "")
    try:
        if action == "note":
            note_form = NoteForm(request.POST)
            if note_form.is_valid():
                bookings.write_note(booking.pk, actor=actor, text=note_form.cleaned_data["text"])
                messages.success(request, _("Your notes have been saved."))
                return redirect("console:counselling:desk_booking", pk=booking.pk)
        elif action == "cancel":
            cancel_form = CancelForm(request.POST)
            if cancel_form.is_valid():
                bookings.cancel_as_counsellor(
                    booking.pk, actor=actor, reason=cancel_form.cleaned_data["reason"]
                )
                messages.success(request, _("The session has been cancelled and the member told by SMS."))
                return redirect("console:counselling:desk_booking", pk=booking.pk)
        elif action in ("done", "no_show"):
            bookings.close_session(booking.pk, actor=actor, outcome=action)
            messages.success(request, _("The session has been closed."))
            return redirect("console:counselling:desk_booking", pk=booking.pk)
        else:
            messages.error(request, _("Unknown action."))
            return redirect("console:counselling:desk_booking", pk=booking.pk)
    except DomainError as exc:
        target = note_form if action == "note" else cancel_form if action == "cancel" else None
        if target is None:
            messages.error(request, exc.message)
            return redirect("console:counselling:desk_booking", pk=booking.pk)
        show_domain_error(target, exc)
    return _render_booking(request, _booking(request, pk), note_form, cancel_form, status=422)


urlpatterns: list[URLPattern] = [
    path("desk/", desk, name="desk"),
    path("desk/slots/<int:pk>/withdraw/", desk_withdraw, name="desk_withdraw"),
    path("desk/bookings/<int:pk>/", desk_booking, name="desk_booking"),
]
