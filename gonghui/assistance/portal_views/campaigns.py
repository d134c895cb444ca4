"""Portal pages: the care I receive (我收到的关怀: the campaigns whose list I am on), the education
grant application form (金秋助学) and my applications. A member sees only their own rows: anything
else is 404."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.models import MAX_SCHOOL, CareBeneficiary, CareCampaignStatus, SchoolLevel
from gonghui.assistance.services import applications as services
from gonghui.core.documents import MAX_DOCUMENT_BYTES
from gonghui.core.errors import DomainError
from gonghui.core.forms import DocumentsField, MultipleFileInput, show_domain_error
from gonghui.core.images import FileTooLarge, read_upload
from gonghui.core.inputs import CleanCharField
from gonghui.members.models import Member
from gonghui.members.services.selfservice import current_membership

PER_PAGE = 20


class ApplicationForm(forms.Form):
    child_name = CleanCharField(label=gettext_lazy("Child's name"), max_length=services.CHILD_NAME_MAX)
    child_id_number = CleanCharField(
        label=gettext_lazy("Child's ID number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    school = CleanCharField(label=gettext_lazy("School admitted to"), max_length=MAX_SCHOOL)
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=SchoolLevel.choices)
    admission_year = forms.IntegerField(
        label=gettext_lazy("Year of admission"), min_value=2000, max_value=2100
    )
    documents = DocumentsField(
        label=gettext_lazy("Admission letter"),
        help_text=gettext_lazy("A photo or PDF of the admission letter (up to 5 files, 10 MB each)."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )


def _read(files: Sequence[UploadedFile]) -> tuple[list[tuple[str, bytes]], list[str]]:
    documents: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for upload in files[: services.MAX_DOCUMENTS + 1]:
        try:
            documents.append((upload.name or "", read_upload(upload, max_bytes=MAX_DOCUMENT_BYTES)))
        except FileTooLarge:
            problems.append(services.document_too_large_message(upload.name or ""))
    return documents, problems


def sent_message() -> str:
    return _("Your application has been sent. Your union will look at it; you see its decision here.")


def _my_rows(user: User) -> Any:
    people = Member.objects.filter(user=user).values("id_number_index")
    return (
        CareBeneficiary.objects.filter(person_index__in=people)
        .exclude(campaign__status=CareCampaignStatus.DRAFT)
        .select_related("campaign__org", "grant")
        .order_by("-campaign__year", "-id")
    )


@require_GET
@never_cache
@member_area
def my_care(request: HttpRequest) -> HttpResponse:
    """我收到的关怀: campaigns whose list I am on (being prepared, confirmed or closed)."""
    page = Paginator(_my_rows(signed_in_user(request)), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "rows": page.object_list, "nav_section": "services"}
    return render(request, "assistance/portal_campaign_care.html", context)


@require_GET
@never_cache
@member_area
def education(request: HttpRequest) -> HttpResponse:
    """金秋助学: campaigns open to me now, and my applications."""
    user = signed_in_user(request)
    member = current_membership(user)
    applications = services.my_applications(user).order_by("-created_at", "-id")
    page = Paginator(applications, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "campaigns": list(services.campaigns_open_to(member)),
        "member": member,
        "page_obj": page,
        "applications": page.object_list,
        "nav_section": "services",
    }
    return render(request, "assistance/portal_application_list.html", context)


@require_http_methods(["GET", "POST"])
@never_cache
@member_area
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    member = current_membership(user)
    campaign = next((c for c in services.campaigns_open_to(member) if c.pk == pk), None)
    if campaign is None:
        raise Http404
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            documents, problems = _read(form.cleaned_data["documents"])
            for problem in problems:
                form.add_error("documents", problem)
            if not problems:
                try:
                    application = services.apply_for_education_grant(
                        campaign,
                        actor=user,
                        data=services.ApplicationData(
                            child_name=form.cleaned_data["child_name"],
                            child_id_number=form.cleaned_data["child_id_number"],
                            school=form.cleaned_data["school"],
                            level=form.cleaned_data["level"],
                            admission_year=form.cleaned_data["admission_year"],
                            documents=documents,
                        ),
                    )
                except DomainError as exc:
                    show_domain_error(form, exc)
                else:
                    messages.success(request, sent_message())
                    return redirect("portal:assistance_application", pk=application.pk)
        status = 422
    else:
        form = ApplicationForm(initial={"admission_year": timezone.localdate().year})
    context = {
        "form": form,
        "campaign": campaign,
        "files_dropped": bool(request.FILES),
        "nav_section": "services",
    }
    return render(request, "assistance/portal_application_form.html", context, status=status)


@require_GET
@never_cache
@member_area
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = (
        services.my_applications(signed_in_user(request))
        .select_related("campaign__org")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    context = {
        "application": application,
        "documents": list(application.documents.all()),
        "nav_section": "services",
    }
    return render(request, "assistance/portal_application_detail.html", context)


urlpatterns: list[URLPattern] = [
    path("assistance/care/", my_care, name="assistance_care"),
    path("assistance/education/", education, name="assistance_education"),
    path("assistance/education/<int:pk>/apply/", apply, name="assistance_education_apply"),
    path("assistance/education/applications/<int:pk>/", application_detail, name="assistance_application"),
]
