"""Console pages: an event's sign-ups (filters, xlsx export, promote or remove with a reason) and
check-in at the door by scanning the member card. Names are masked as everywhere in lists."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.core.inputs import CleanCharField
from gonghui.events.models import Event, SignUp, SignUpStatus
from gonghui.events.selectors import signup_list, signups_workbook
from gonghui.events.services import signups as services
from gonghui.events.views.events import SECTION, visible_event
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

PAGE_SIZE = 100
EXPORT_LIMIT = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SignUpFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *SignUpStatus.choices],
    )


class ReasonForm(forms.Form):
    reason = CleanCharField(label=gettext_lazy("Reason"), max_length=services.REASON_MAX)


class CheckInForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Scanned member card code"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        help_text=gettext_lazy("A scanner types the QR code here and presses Enter."),
    )
    card_number = CleanCharField(
        label=gettext_lazy("Or the card number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "GH 0000 0001 2344"}),
    )


def _time(value: Any) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def _rows(event: Event, signups: list[SignUp]) -> list[dict[str, Any]]:
    # Waiting positions over the whole list, not the page: one small query of numbers.
    numbers = [
        number or 0
        for number in SignUp.objects.filter(event=event, status=SignUpStatus.WAITING)
        .order_by("queue_number")
        .values_list("queue_number", flat=True)
    ]
    return [
        {
            "signup": signup,
            "name": signup.member.masked_name,
            "union": signup.org.name,
            "status": signup.get_status_display(),
            "position": bisect_left(numbers, signup.queue_number) + 1
            if signup.status == SignUpStatus.WAITING and signup.queue_number is not None
            else "",
            "created": _time(signup.created_at),
            "attended": _time(signup.attended_at),
            "reason": signup.reason,
        }
        for signup in signups
    ]


@require_GET
@officer_required
def signup_list_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    event = visible_event(user, pk)
    form = SignUpFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(signup_list(event, status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "event": event,
        "form": form,
        "rows": _rows(event, list(page.object_list)),
        "page_obj": page,
        "may_change": has_perm_at(user, Perm.EVENTS_CHANGE, event.org.path),
        "reason_form": ReasonForm(),
        "console_section": SECTION,
    }
    return render(request, "events/signup_list.html", context)


@require_GET
@officer_required
def signup_export(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    event = visible_event(user, pk)
    form = SignUpFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    rows = _rows(event, list(signup_list(event, status)[:EXPORT_LIMIT]))
    response = HttpResponse(signups_workbook(event, rows), content_type=XLSX)
    name = f"{event.title}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    response["Cache-Control"] = "private, no-store"
    return response


def _signup_action(request: HttpRequest, pk: int, signup_pk: int, promote: bool) -> HttpResponse:
    user = signed_in_user(request)
    event: Event = visible_event(user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason: it is kept with the sign-up."))
        return redirect("console:events:signup_list", pk=event.pk)
    signup = SignUp.objects.filter(pk=signup_pk, event=event).first()
    if signup is None:
        messages.error(request, _("There is no such sign-up."))
        return redirect("console:events:signup_list", pk=event.pk)
    try:
        if promote:
            services.promote_signup(signup.pk, actor=user, reason=form.cleaned_data["reason"])
            done = _("The person now has a place and has been told by SMS.")
        else:
            promoted = services.remove_signup(signup.pk, actor=user, reason=form.cleaned_data["reason"])
            done = _("The sign-up has been removed.")
            if promoted is not None:
                done += " " + _(
                    "The first person on the waiting list got the place and has been told by SMS."
                )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("console:events:signup_list", pk=event.pk)


@require_POST
@officer_required
def signup_promote(request: HttpRequest, pk: int, signup_pk: int) -> HttpResponse:
    return _signup_action(request, pk, signup_pk, promote=True)


@require_POST
@officer_required
def signup_remove(request: HttpRequest, pk: int, signup_pk: int) -> HttpResponse:
    return _signup_action(request, pk, signup_pk, promote=False)


@require_http_methods(["GET", "POST"])
@officer_required
def check_in_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The door: each scan (or typed card number) checks one person in and the page answers
    with their masked name or why not; the form is empty again for the next person."""
    user = signed_in_user(request)
    event = visible_event(user, pk)
    result: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                done = services.check_in(
                    event,
                    actor=user,
                    token=form.cleaned_data["token"],
                    card_number=form.cleaned_data["card_number"],
                )
            except DomainError as exc:
                problems = [message for field_messages in exc.fields.values() for message in field_messages]
                result = {"ok": False, "message": problems[0] if problems else exc.message}
                status = 422 if exc.status == 422 else 409
            else:
                result = {"ok": True, "message": _("%(name)s has checked in.") % {"name": done.member_name}}
        else:
            result = {"ok": False, "message": _("Scan the member card or type its number.")}
            status = 422
    form = CheckInForm()
    attended = event.signups.filter(status=SignUpStatus.ATTENDED).count()
    context = {
        "event": event,
        "form": form,
        "result": result,
        "attended": attended,
        "places": event.signups.filter(status__in=(SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED)).count(),
        "console_section": SECTION,
    }
    return render(request, "events/check_in.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/signups/", signup_list_page, name="signup_list"),
    path("<int:pk>/signups.xlsx", signup_export, name="signup_export"),
    path("<int:pk>/signups/<int:signup_pk>/promote/", signup_promote, name="signup_promote"),
    path("<int:pk>/signups/<int:signup_pk>/remove/", signup_remove, name="signup_remove"),
    path("<int:pk>/check-in/", check_in_page, name="check_in"),
]
