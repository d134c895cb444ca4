"""Console pages: education grant applications (金秋助学) — the queue, one application with its
documents (downloads for the officers who may decide it) and the decision. Thin: parse, call
one service, render."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.models import MAX_REASON, ApplicationStatus, EducationApplication, EducationDocument
from gonghui.assistance.services import applications as services
from gonghui.core.errors import DomainError
from gonghui.core.idnumbers import mask_id_number
from gonghui.core.inputs import CleanCharField
from gonghui.core.text import mask_name
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible

PAGE_SIZE = 50
SECTION = "care"


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *ApplicationStatus.choices],
    )
    campaign = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
        widget=forms.HiddenInput,
    )
    reason = CleanCharField(
        label=gettext_lazy("Reason"),
        max_length=MAX_REASON,
        required=False,
        help_text=gettext_lazy("Required to reject: the member sees it."),
    )


@require_GET
@officer_required
def application_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = QueueFilterForm(request.GET or {"status": ApplicationStatus.SUBMITTED})
    rows = visible(EducationApplication, user, Perm.ASSISTANCE_VIEW).select_related(
        "campaign", "org", "member"
    )
    status = ApplicationStatus.SUBMITTED
    if form.is_valid():
        status = form.cleaned_data["status"]
        if status:
            rows = rows.filter(status=status)
        if form.cleaned_data["campaign"]:
            rows = rows.filter(campaign_id=form.cleaned_data["campaign"])
    order = ("created_at", "id") if status == ApplicationStatus.SUBMITTED else ("-created_at", "-id")
    page = Paginator(rows.order_by(*order), PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [
        {"application": row, "member": row.member.masked_name, "child": mask_name(row.child_name)}
        for row in page.object_list
    ]
    context = {"form": form, "page_obj": page, "cards": cards, "console_section": SECTION}
    return render(request, "assistance/application_list.html", context)


def _application(user: User, pk: int) -> EducationApplication:
    return get_visible(
        EducationApplication.objects.select_related("campaign__org", "org", "member", "decided_by"),
        user,
        Perm.ASSISTANCE_VIEW,
        pk=pk,
    )


@require_GET
@officer_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    application = _application(user, pk)
    may_decide = services.may_decide(user, application)
    context = {
        "application": application,
        "member": application.member.masked_name,
        "child": mask_name(application.child_name),
        "child_id": mask_id_number(application.child_id_number),
        "documents": list(application.documents.all()),
        "may_download": may_decide,
        "may_decide": may_decide and application.status == ApplicationStatus.SUBMITTED,
        "form": DecisionForm(),
        "console_section": SECTION,
    }
    return render(request, "assistance/application_detail.html", context)


@require_POST
@officer_required
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    application = _application(user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("console:assistance:application_detail", pk=application.pk)
    try:
        if form.cleaned_data["decision"] == "approve":
            services.approve_application(application, actor=user, comment=form.cleaned_data["reason"])
            done = _("The application has been approved: the member is on the campaign's list.")
        else:
            services.reject_application(application, actor=user, reason=form.cleaned_data["reason"])
            done = _("The application has been rejected.")
    except DomainError as exc:
        problems = [message for texts in exc.fields.values() for message in texts if message != exc.message]
        messages.error(request, " ".join([exc.message, *problems]))
    else:
        messages.success(request, done)
    return redirect("console:assistance:application_detail", pk=application.pk)


@require_GET
@officer_required
def application_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A document of the application, for the officers who may decide it (it holds a child's
    personal data: viewers of the wider scope see that it exists, not its content)."""
    user = signed_in_user(request)
    application = _application(user, pk)
    if not services.may_decide(user, application):
        raise Http404
    document = EducationDocument.objects.filter(application=application, pk=document_pk).first()
    if document is None:
        raise Http404
    return document_response(document)


def document_response(document: EducationDocument) -> HttpResponse:
    """The file as a download (a FileResponse streams it; it is not an HttpResponse subclass,
    which the decorators' types expect, hence the cast)."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return cast("HttpResponse", response)


urlpatterns: list[URLPattern] = [
    path("applications/", application_list, name="application_list"),
    path("applications/<int:pk>/", application_detail, name="application_detail"),
    path("applications/<int:pk>/decide/", application_decide, name="application_decide"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/",
        application_document,
        name="application_document",
    ),
]
