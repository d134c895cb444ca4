"""Console pages: the interviews (约谈) of the officer's scope, recording one (from an inspection:
`?inspection=<id>` fills the workplace and links it), and one interview's record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.console.navigation import require_somewhere
from gonghui.console.pages import first_org_code
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.supervision.models import Inspection, Interview
from gonghui.supervision.services import interviews as services
from gonghui.supervision.views.common import (
    SECTION,
    handles_somewhere,
    org_id_by_code,
    page_of,
    workplace_by_code,
)
from gonghui.supervision.views.forms import InterviewForm


@require_GET
@officer_required
def interview_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_VIEW)
    rows = (
        visible(Interview, user, Perm.RIGHTS_VIEW)
        .select_related("org", "workplace")
        .order_by("-held_on", "-id")
    )
    context = {
        "page_obj": page_of(request, rows),
        "may_record": handles_somewhere(user),
        "tab": "interviews",
        "console_section": SECTION,
    }
    return render(request, "supervision/interview_list.html", context)


def _linked_inspection(user: Any, raw: Any) -> Inspection | None:
    text = str(raw or "")
    if not text.isdigit() or len(text) > 18:
        return None
    return (
        visible(Inspection, user, Perm.RIGHTS_VIEW)
        .select_related("workplace", "org")
        .filter(pk=int(text))
        .first()
    )


@require_http_methods(["GET", "POST"])
@officer_required
def interview_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_HANDLE)
    if request.method == "POST":
        form = InterviewForm(request.POST)
        inspection = _linked_inspection(user, request.POST.get("inspection"))
        if form.is_valid():
            data = form.cleaned_data
            workplace = workplace_by_code(user, data["credit_code"])
            if workplace is None:
                form.add_error("credit_code", _("There is no workplace with this credit code in your area."))
            else:
                try:
                    interview = services.record_interview(
                        services.InterviewInput(
                            org=org_id_by_code(data["org"]),
                            workplace=workplace.pk,
                            inspection=data["inspection"],
                            held_on=data["held_on"],
                            representative=data["representative"],
                            attendees=data["attendees"],
                            subject=data["subject"],
                            record=data["record"],
                            commitments=data["commitments"],
                        ),
                        actor=user,
                    )
                except DomainError as exc:
                    show_domain_error(form, exc, {"workplace": "credit_code"})
                else:
                    messages.success(request, _("The interview has been recorded."))
                    return redirect("console:supervision:interview_detail", pk=interview.pk)
    else:
        inspection = _linked_inspection(user, request.GET.get("inspection"))
        initial: dict[str, Any] = {
            "org": first_org_code(user, Perm.RIGHTS_HANDLE),
            "held_on": timezone.localdate(),
        }
        if inspection is not None:
            initial.update(
                {
                    "org": inspection.org.code,
                    "credit_code": inspection.workplace.credit_code,
                    "inspection": inspection.pk,
                }
            )
        form = InterviewForm(initial=initial)
    context = {"form": form, "inspection": inspection, "tab": "interviews", "console_section": SECTION}
    return render(request, "supervision/interview_form.html", context, status=422 if form.errors else 200)


@require_GET
@officer_required
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_visible(
        Interview.objects.select_related("org", "workplace", "inspection", "created_by"),
        signed_in_user(request),
        Perm.RIGHTS_VIEW,
        pk=pk,
    )
    context = {"interview": interview, "tab": "interviews", "console_section": SECTION}
    return render(request, "supervision/interview_detail.html", context)


urlpatterns: list[URLPattern] = [
    path("interviews/", interview_list, name="interview_list"),
    path("interviews/new/", interview_new, name="interview_new"),
    path("interviews/<int:pk>/", interview_detail, name="interview_detail"),
]
