"""Console pages: issuing a notice from an inspection, its PDF, recording its follow-up with
evidence, the evidence files, and the overdue list (deadline passed, no follow-up yet).
PDFs and evidence go to those who may see the inspection; writing needs rights.handle."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import require_somewhere
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.supervision import selectors
from gonghui.supervision.documents import notice_filename, render_notice_pdf
from gonghui.supervision.models import FollowUpDocument, Notice
from gonghui.supervision.services import notices as services
from gonghui.supervision.views.common import SECTION, page_of, refuse_without_authority
from gonghui.supervision.views.forms import FollowUpForm, NoticeForm
from gonghui.supervision.views.inspections import inspection_for
from gonghui.workdays.deadlines import describe_rule


@require_http_methods(["GET", "POST"])
@officer_required
def notice_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    inspection = inspection_for(user, pk)
    refuse_without_authority(user, inspection.org)
    findings = inspection.findings.all()
    rule = describe_rule(services.RECTIFICATION_RULE)
    if request.method == "POST":
        form = NoticeForm(request.POST, findings=findings, rule=rule)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.issue_notice(
                    inspection,
                    services.NoticeInput(
                        kind=data["kind"],
                        findings=[finding.pk for finding in data["findings"]],
                        requirements=data["requirements"],
                        issued_on=data["issued_on"],
                        rectification_deadline=data["rectification_deadline"],
                    ),
                    actor=user,
                )
            except ValidationFailed as exc:
                show_domain_error(form, exc)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("console:supervision:inspection_detail", pk=inspection.pk)
            else:
                messages.success(request, _("Notice %(number)s has been issued.") % {"number": notice.number})
                return redirect("console:supervision:inspection_detail", pk=inspection.pk)
    else:
        form = NoticeForm(
            initial={"issued_on": timezone.localdate(), "findings": list(findings)},
            findings=findings,
            rule=rule,
        )
    context = {"inspection": inspection, "form": form, "tab": "inspections", "console_section": SECTION}
    return render(request, "supervision/notice_form.html", context, status=422 if form.errors else 200)


def _notice(user: User, pk: int) -> Notice:
    return get_visible(
        Notice.objects.select_related("org", "inspection", "inspection__workplace"),
        user,
        Perm.RIGHTS_VIEW,
        pk=pk,
    )


@require_GET
@officer_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(signed_in_user(request), pk)
    response = HttpResponse(render_notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{notice_filename(notice)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@officer_required
def followup_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    notice = _notice(user, pk)
    refuse_without_authority(user, notice.org)
    if request.method == "POST":
        form = FollowUpForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            documents = [(upload.name or "", upload.read()) for upload in data["documents"]]
            try:
                services.record_followup(
                    notice,
                    services.FollowUpInput(
                        checked_on=data["checked_on"],
                        result=data["result"],
                        note=data["note"],
                        documents=documents,
                    ),
                    actor=user,
                )
            except ValidationFailed as exc:
                show_domain_error(form, exc, {"file": "documents"})
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("console:supervision:inspection_detail", pk=notice.inspection_id)
            else:
                messages.success(request, _("The follow-up has been recorded."))
                return redirect("console:supervision:inspection_detail", pk=notice.inspection_id)
    else:
        form = FollowUpForm(initial={"checked_on": timezone.localdate()})
    context = {"notice": notice, "form": form, "tab": "overdue", "console_section": SECTION}
    return render(request, "supervision/followup_form.html", context, status=422 if form.errors else 200)


@require_GET
@officer_required
def followup_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Evidence of a follow-up, as a download, for those who may see the notice."""
    notice = _notice(signed_in_user(request), pk)
    document = FollowUpDocument.objects.filter(followup__notice=notice, pk=document_pk).first()
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return cast("HttpResponse", response)


@require_GET
@officer_required
def overdue(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_VIEW)
    today = timezone.localdate()
    page = page_of(request, selectors.overdue_notices(user, today))
    context = {
        "page_obj": page,
        "today": today,
        "rule": describe_rule(services.FOLLOWUP_RULE),
        "tab": "overdue",
        "console_section": SECTION,
    }
    return render(request, "supervision/overdue.html", context)


urlpatterns: list[URLPattern] = [
    path("inspections/<int:pk>/notices/new/", notice_new, name="notice_new"),
    path("notices/<int:pk>/pdf/", notice_pdf, name="notice_pdf"),
    path("notices/<int:pk>/followup/", followup_new, name="followup_new"),
    path("notices/<int:pk>/documents/<int:document_pk>/", followup_document, name="followup_document"),
    path("overdue/", overdue, name="overdue"),
]
