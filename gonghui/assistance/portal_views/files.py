"""Member portal pages of hardship assistance (困难帮扶): the landing page with my file, the
application, my file with its history in plain words, and its documents.

An application is submitted with its documents in one POST, all or nothing (the service stores
them in its transaction). The form is the console's (views/files.py): the member's own name and
ID number come from the membership and are not typed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.models import (
    ACTIVE_FILE_STATUSES,
    Channel,
    HardshipFile,
    HardshipFileAction,
    HardshipFileHistory,
    HardshipFileStatus,
)
from gonghui.assistance.services import files as services
from gonghui.assistance.views.files import (
    ApplicationForm,
    ApplicationInput,
    DocumentForm,
    application_initial,
    bind_application,
    check_application,
    document_response,
    empty_household,
    grown_household,
    person_rows,
    read_documents,
    submit_application,
)
from gonghui.core.errors import DomainError, NotFound, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.core.idnumbers import mask_id_number

NAV = "services"

STATUS_WORDS: dict[str, Promise] = {
    HardshipFileStatus.APPLIED: gettext_lazy("Your application is with your union, which will review it."),
    HardshipFileStatus.ON_FILE: gettext_lazy(
        "Your household is on record as in hardship: your union can help you with grants and care."
    ),
    HardshipFileStatus.REJECTED: gettext_lazy("Your application was not accepted."),
    HardshipFileStatus.EXITED: gettext_lazy("Your household has left the hardship record."),
}

# What to have ready before applying (shown on the landing page and the form).
DOCUMENTS_TO_PREPARE = (
    gettext_lazy("The ID cards and household register (户口本) of everyone in the household"),
    gettext_lazy("Proof of income: wage slips, pension or unemployment benefit statements"),
    gettext_lazy("For illness or disability: diagnosis, hospital bills or the disability certificate"),
    gettext_lazy("For a child in school: the admission letter or a certificate from the school"),
    gettext_lazy("Any subsistence allowance (低保) or hardship certificate the household already has"),
)


@dataclass(frozen=True)
class Step:
    at: datetime
    words: str
    note: str


def member_history(hardship_file: HardshipFile, entries: list[HardshipFileHistory]) -> list[Step]:
    """The file's steps as a member reads them."""
    steps = []
    for entry in entries:
        note = entry.comment
        if entry.action == HardshipFileAction.APPLY:
            words = (
                _("You applied")
                if hardship_file.channel == Channel.MEMBER
                else _("Your union applied for you")
            )
        elif entry.action == HardshipFileAction.APPROVE:
            words = _("Accepted: your household is on record")
        elif entry.action == HardshipFileAction.REJECT:
            words = _("Not accepted")
        elif entry.action == HardshipFileAction.RECHECK:
            words = _("Yearly re-check done")
        else:
            words = _("Left the record")
        steps.append(Step(entry.created_at, words, note))
    return steps


def _my_file(user: User, pk: int) -> HardshipFile:
    try:
        return services.get_my_file(user, pk)
    except NotFound:
        raise Http404 from None


@require_GET
@never_cache
@member_area
def hardship_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    membership = services.own_membership(user)
    files = list(services.my_files(user).order_by("-created_at", "-id")[:10])
    current = next((item for item in files if item.status in ACTIVE_FILE_STATUSES), None)
    context = {
        "membership": membership,
        "current": current,
        "current_words": STATUS_WORDS[current.status] if current is not None else "",
        "earlier": [item for item in files if item is not current],
        "to_prepare": DOCUMENTS_TO_PREPARE,
        "may_apply": membership is not None and current is None,
        "nav_section": NAV,
    }
    return render(request, "assistance/portal_file_home.html", context)


def _render_apply(
    request: HttpRequest, user: User, data: ApplicationInput, status: int = 200
) -> HttpResponse:
    membership = services.own_membership(user)
    assert membership is not None
    context = {
        "form": data.form,
        "household": data.household,
        "member_name": membership.name,
        "member_id_masked": mask_id_number(membership.id_number),
        "files_dropped": bool(request.FILES),
        "to_prepare": DOCUMENTS_TO_PREPARE,
        "nav_section": NAV,
    }
    return render(request, "assistance/portal_file_apply.html", context, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
@member_area
def hardship_apply(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if services.own_membership(user) is None:
        return redirect("portal:hardship")
    current = services.my_files(user).filter(status__in=ACTIVE_FILE_STATUSES).first()
    if current is not None:
        messages.info(request, _("Your household already has a file. Here it is."))
        return redirect("portal:hardship_file", pk=current.pk)
    if request.method == "GET":
        return _render_apply(request, user, ApplicationInput(ApplicationForm(), empty_household(), [], []))
    data, add_person = bind_application(request)
    if add_person:
        grown = ApplicationInput(
            ApplicationForm(initial=application_initial(request)), grown_household(request), [], []
        )
        return _render_apply(request, user, grown)
    if check_application(data):
        created = submit_application(user, None, data)
        if created is not None:
            messages.success(
                request,
                _("Your application %(reference)s has been sent to your union. You can follow it here.")
                % {"reference": created.reference},
            )
            return redirect("portal:hardship_file", pk=created.pk)
    return _render_apply(request, user, data, status=422)


def _detail_context(hardship_file: HardshipFile, document_form: DocumentForm) -> dict[str, Any]:
    return {
        "file": hardship_file,
        "words": STATUS_WORDS[hardship_file.status],
        "steps": member_history(hardship_file, list(hardship_file.history.order_by("created_at", "id"))),
        "people": person_rows(list(hardship_file.household.order_by("position"))),
        "documents": list(hardship_file.documents.all()),
        "may_add_documents": hardship_file.status in services.OPEN_FOR_DOCUMENTS,
        "document_form": document_form,
        "nav_section": NAV,
    }


@require_GET
@never_cache
@member_area
def hardship_file(request: HttpRequest, pk: int) -> HttpResponse:
    found = _my_file(signed_in_user(request), pk)
    return render(
        request, "assistance/portal_file_detail.html", _detail_context(found, DocumentForm(prefix="document"))
    )


@require_POST
@never_cache
@member_area
def hardship_documents(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = _my_file(user, pk)
    form = DocumentForm(request.POST, request.FILES, prefix="document")
    if form.is_valid():
        documents, problems = read_documents(form.cleaned_data["documents"], found.documents.count())
        for problem in problems:
            form.add_error("documents", problem)
        if not problems:
            try:
                services.add_hardship_documents(found, actor=user, documents=documents)
            except ValidationFailed as error:
                show_domain_error(form, error, {"file": "documents"})
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The documents have been added to your file."))
                return redirect("portal:hardship_file", pk=found.pk)
    return render(
        request, "assistance/portal_file_detail.html", _detail_context(_my_file(user, pk), form), status=422
    )


@require_GET
@never_cache
@member_area
def hardship_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """One of the documents of the member's own file (under MEDIA_ROOT, never served publicly)."""
    found = _my_file(signed_in_user(request), pk)
    document = found.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    return document_response(document)


urlpatterns: list[URLPattern] = [
    path("hardship/", hardship_home, name="hardship"),
    path("hardship/apply/", hardship_apply, name="hardship_apply"),
    path("hardship/files/<int:pk>/", hardship_file, name="hardship_file"),
    path("hardship/files/<int:pk>/documents/", hardship_documents, name="hardship_documents"),
    path("hardship/files/<int:pk>/documents/<int:document_pk>/", hardship_document, name="hardship_document"),
]
