"""Console pages for officers managing counselling: the counsellors in my scope, opening one's
sign-in, switching one off, their open and withdrawn hours, and the counts report. No page
here shows a booking (see selectors.py). Thin: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.console.pages import org_on_form
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.counselling.models import BookingStatus, Counsellor, Mode, Topic
from gonghui.counselling.selectors import booking_counts, officer_slots
from gonghui.counselling.services import counsellors, slots
from gonghui.counselling.views.forms import CounsellorForm, SlotForm
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible

SECTION = "counselling"
PAGE_SIZE = 50


def _counsellor(request: HttpRequest, pk: int) -> Counsellor:
    rows = Counsellor.objects.select_related("org", "user")
    return get_visible(rows, signed_in_user(request), Perm.COUNSELLING_MANAGE, pk=pk)


@require_GET
@officer_required
def counsellor_list(request: HttpRequest) -> HttpResponse:
    rows = visible(Counsellor, signed_in_user(request), Perm.COUNSELLING_MANAGE).select_related("org")
    page = Paginator(rows.order_by("display_name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "counsellors": page.object_list, "console_section": SECTION}
    return render(request, "counselling/counsellor_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def counsellor_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = CounsellorForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            org = org_on_form(form, user, Perm.COUNSELLING_MANAGE)
            if org is not None:
                try:
                    counsellor = counsellors.create_counsellor(
                        actor=user,
                        org_id=org.pk,
                        username=data["username"],
                        password=data["password"],
                        display_name=data["display_name"],
                        qualifications=data["qualifications"],
                        offers_online=data["offers_online"],
                        offers_in_person=data["offers_in_person"],
                    )
                except DomainError as exc:
                    show_domain_error(form, exc)
                else:
                    messages.success(
                        request, _("The counsellor can now sign in with the username and password.")
                    )
                    return redirect("console:counselling:counsellor_detail", pk=counsellor.pk)
        status = 422
    return render(
        request, "counselling/counsellor_form.html", {"form": form, "console_section": SECTION}, status=status
    )


def _detail(
    request: HttpRequest, counsellor: Counsellor, slot_form: SlotForm, status: int = 200
) -> HttpResponse:
    hours = officer_slots(signed_in_user(request)).filter(counsellor=counsellor)
    context: dict[str, Any] = {
        "counsellor": counsellor,
        "slots": list(hours[:PAGE_SIZE]),
        "slot_form": slot_form,
        "console_section": SECTION,
    }
    return render(request, "counselling/counsellor_detail.html", context, status=status)


@require_GET
@officer_required
def counsellor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _counsellor(request, pk), SlotForm())


@require_POST
@officer_required
def counsellor_slots(request: HttpRequest, pk: int) -> HttpResponse:
    counsellor = _counsellor(request, pk)
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
            return redirect("console:counselling:counsellor_detail", pk=counsellor.pk)
    return _detail(request, counsellor, form, status=422)


@require_POST
@officer_required
def counsellor_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    counsellor = _counsellor(request, pk)
    if counsellors.deactivate_counsellor(counsellor.pk, actor=signed_in_user(request)):
        messages.success(request, _("The counsellor has been switched off; their members have been told."))
    return redirect("console:counselling:counsellor_detail", pk=counsellor.pk)


@require_POST
@officer_required
def slot_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    slot = officer_slots(signed_in_user(request)).filter(pk=pk).first()
    if slot is None:
        raise Http404
    try:
        slots.withdraw_slot(slot.pk, actor=signed_in_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The time has been withdrawn."))
    return redirect("console:counselling:counsellor_detail", pk=slot.counsellor_id)


@require_GET
@officer_required
def report(request: HttpRequest) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    modes, topics, statuses = dict(Mode.choices), dict(Topic.choices), dict(BookingStatus.choices)
    counts = booking_counts(signed_in_user(request), year=year)
    rows = [
        {
            "month": row.month,
            "org": row.org,
            "mode": modes.get(row.mode, row.mode),
            "topic": topics.get(row.topic, row.topic),
            "status": statuses.get(row.status, row.status),
            "count": row.count,
        }
        for row in counts
    ]
    context = {
        "rows": rows,
        "year": year,
        "total": sum(row.count for row in counts),
        "console_section": SECTION,
    }
    return render(request, "counselling/report.html", context)


urlpatterns: list[URLPattern] = [
    path("", counsellor_list, name="counsellor_list"),
    path("new/", counsellor_new, name="counsellor_new"),
    path("<int:pk>/", counsellor_detail, name="counsellor_detail"),
    path("<int:pk>/slots/", counsellor_slots, name="counsellor_slots"),
    path("<int:pk>/deactivate/", counsellor_deactivate, name="counsellor_deactivate"),
    path("slots/<int:pk>/withdraw/", slot_withdraw, name="slot_withdraw"),
    path("report/", report, name="report"),
]
