"""Console pages of legal aid: the list with status tabs, filters and figures, an officer's entry
of an application, and one application with its eligibility check, documents, history, messages,
the steps the officer may take, giving it to another lawyer and correcting the facts its
eligibility rests on. Thin: parse, call one service, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.pages import org_on_form
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.legal.models import (
    LAWYER_OPEN_STATUSES,
    OPEN_AID_STATUSES,
    AidAction,
    AidStatus,
    LegalAid,
    LegalAidDocument,
    Outcome,
    Topic,
)
from gonghui.legal.selectors import contact_for, counts_by, in_period, may_handle, officer_aid
from gonghui.legal.services import aid as services
from gonghui.legal.services.eligibility import eligibility_reasons
from gonghui.legal.services.lawyers import lawyers_for
from gonghui.legal.views.forms import (
    AidFilterForm,
    AssignForm,
    ConcludeForm,
    DocumentForm,
    FactsForm,
    MessageForm,
    OfficerAidForm,
    ReassignForm,
    RejectForm,
    read_documents,
)
from gonghui.members.models import Member, id_number_index
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.workdays.deadlines import describe_rule

SECTION = "legal"
PAGE_SIZE = 50


@require_GET
@officer_required
def aid_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = AidFilterForm(request.GET or None)
    data = form.valid_data() if request.GET else {}
    today = timezone.localdate()
    rows = in_period(officer_aid(user), "submitted_on", data.get("start"), data.get("end"))
    if data.get("matter_type"):
        rows = rows.filter(matter_type=data["matter_type"])
    period = rows
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("overdue"):
        rows = rows.filter(status__in=OPEN_AID_STATUSES, review_due__lt=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "cases": [(aid, services.is_overdue(aid, today)) for aid in page.object_list],
        "status": data.get("status", ""),
        "by_status": counts_by(period, "status", AidStatus.choices),
        "by_outcome": counts_by(period, "outcome", Outcome.choices),
        "by_type": counts_by(period, "matter_type", Topic.choices),
        "total": period.count(),
        "rule": describe_rule(services.REVIEW_RULE),
        "console_section": SECTION,
        "tab": "aid",
    }
    return render(request, "legal/aid_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def aid_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = OfficerAidForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            documents, problems = read_documents(data.get("documents") or [])
            for problem in problems:
                form.add_error("documents", problem)
            org = org_on_form(form, user, Perm.RIGHTS_HANDLE)
            member = _member(user, form, data.get("member_id_number") or "")
            if not form.errors and org is not None:
                try:
                    aid = services.enter_application(
                        actor=user,
                        org_id=org.pk,
                        data=form.aid_input(applicant_name=data["applicant_name"]),
                        member_id=member.pk if member is not None else None,
                        documents=documents,
                    )
                except DomainError as exc:
                    show_domain_error(form, exc, {"file": "documents", "member": "member_id_number"})
                else:
                    messages.success(request, _("The application has been recorded."))
                    return redirect("console:legal:aid_detail", pk=aid.pk)
        status = 422
    return render(request, "legal/aid_form.html", {"form": form, "console_section": SECTION}, status=status)


def _member(user: User, form: Form, raw: str) -> Member | None:
    if not raw:
        return None
    try:
        number = parse_id_number(raw).value
    except InvalidIdNumber as exc:
        form.add_error("member_id_number", exc.message)
        return None
    member = (
        visible(Member, user, Perm.RIGHTS_HANDLE)
        .filter(id_number_index=id_number_index(number))
        .order_by("-joined_on")
        .first()
    )
    if member is None:
        form.add_error("member_id_number", _("There is no such member in your scope."))
    return member


def _aid(request: HttpRequest, pk: int) -> LegalAid:
    return get_visible(
        LegalAid.objects.select_related("org", "lawyer", "employer", "threshold_org"),
        signed_in_user(request),
        Perm.RIGHTS_VIEW,
        pk=pk,
    )


def reasons_of(aid: LegalAid) -> list[str]:
    return eligibility_reasons(
        is_eligible=aid.is_eligible,
        as_member=aid.eligible_as_member,
        by_hardship_file=aid.eligible_by_hardship_file,
        by_income=aid.eligible_by_income,
        per_capita_income=aid.per_capita_income,
        threshold=aid.threshold,
    )


def aid_context(user: User, aid: LegalAid, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the console's and the desk's pages of one application show."""
    forms = forms or {}
    steps = services.available_steps(user, aid)
    handler = may_handle(user, aid)
    return {
        "aid": aid,
        "contact": contact_for(user, aid),
        "reasons": reasons_of(aid),
        "history": list(aid.history.select_related("actor")),
        "thread": list(aid.messages.all()),
        "documents": list(aid.documents.all()),
        "overdue": services.is_overdue(aid),
        "steps": steps,
        "simple_steps": [
            AidAction(step)
            for step in steps
            if step in {AidAction.REVIEW, AidAction.APPROVE, AidAction.START, AidAction.CLOSE}
        ],
        "reject_form": forms.get("reject") or (RejectForm() if AidAction.REJECT in steps else None),
        "assign_form": forms.get("assign")
        or (AssignForm(lawyers=lawyers_for(aid.org)) if AidAction.ASSIGN in steps else None),
        "conclude_form": forms.get("conclude") or (ConcludeForm() if AidAction.CONCLUDE in steps else None),
        "message_form": forms.get("message") or MessageForm(),
        "document_form": forms.get("document") or DocumentForm(),
        "reassign_form": forms.get("reassign")
        or (_reassign_form(aid) if handler and aid.status in LAWYER_OPEN_STATUSES else None),
        "facts_form": forms.get("facts")
        or (_facts_form(aid) if handler and aid.status in OPEN_AID_STATUSES else None),
        "may_write": services.author_of(user, aid) is not None,
        "open_case": aid.status not in (AidStatus.CLOSED, AidStatus.REJECTED),
    }


def _reassign_form(aid: LegalAid, data: Any = None) -> ReassignForm:
    return ReassignForm(data, lawyers=lawyers_for(aid.org).exclude(pk=aid.lawyer_id))


def _facts_form(aid: LegalAid, data: Any = None) -> FactsForm:
    initial = {"household_size": aid.household_size, "household_monthly_income": aid.household_monthly_income}
    return FactsForm(data, initial=initial)


def _detail(
    request: HttpRequest, aid: LegalAid, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = aid_context(signed_in_user(request), aid, forms)
    context["console_section"] = SECTION
    return render(request, "legal/aid_detail.html", context, status=status)


@require_GET
@officer_required
def aid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _aid(request, pk))


def step_form(action: str, request: HttpRequest, aid: LegalAid) -> tuple[str, Any]:
    """The form of a step's inputs bound to the POST (None for steps without inputs)."""
    if action == AidAction.REJECT:
        return "reject", RejectForm(request.POST)
    if action == AidAction.ASSIGN:
        return "assign", AssignForm(request.POST, lawyers=lawyers_for(aid.org))
    if action == AidAction.CONCLUDE:
        return "conclude", ConcludeForm(request.POST)
    return "", None


def step_input(name: str, form: Any) -> services.StepInput:
    if form is None:
        return services.StepInput()
    data = form.cleaned_data
    if name == "reject":
        return services.StepInput(reason=data["reason"])
    if name == "assign":
        return services.StepInput(lawyer_id=data["lawyer"].pk)
    return services.StepInput(
        outcome=data["outcome"], amount_recovered=data["amount_recovered"], summary=data["summary"]
    )


def run_step(request: HttpRequest, aid: LegalAid) -> tuple[bool, dict[str, Any]]:
    """Take the POSTed step on `aid`; (done, the bound form by name when it has errors)."""
    action = request.POST.get("action", "")
    name, form = step_form(action, request, aid)
    if form is not None and not form.is_valid():
        return False, {name: form}
    try:
        services.take_step(aid.pk, action, actor=signed_in_user(request), data=step_input(name, form))
    except DomainError as exc:
        if form is None:
            messages.error(request, exc.message)
            return False, {}
        show_domain_error(form, exc)
        return False, {name: form}
    messages.success(
        request,
        _("Done: the application is now “%(status)s”.")
        % {"status": LegalAid.objects.get(pk=aid.pk).get_status_display()},
    )
    return True, {}


@require_POST
@officer_required
def aid_step(request: HttpRequest, pk: int) -> HttpResponse:
    aid = _aid(request, pk)
    done, forms = run_step(request, aid)
    if done or not forms:
        return redirect("console:legal:aid_detail", pk=aid.pk)
    return _detail(request, _aid(request, pk), forms, status=422)


@require_POST
@officer_required
def aid_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    aid = _aid(request, pk)
    form = _reassign_form(aid, request.POST)
    if form.is_valid():
        try:
            services.reassign_lawyer(
                aid.pk,
                actor=signed_in_user(request),
                lawyer_id=form.cleaned_data["lawyer"].pk,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            if exc.status in (403, 404, 409):
                messages.error(request, exc.message)
                return redirect("console:legal:aid_detail", pk=aid.pk)
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The case has been given to the new lawyer."))
            return redirect("console:legal:aid_detail", pk=aid.pk)
    return _detail(request, aid, {"reassign": form}, status=422)


@require_POST
@officer_required
def aid_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    aid = _aid(request, pk)
    user = signed_in_user(request)
    form = _facts_form(aid, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        member = _member(user, form, data.get("member_id_number") or "")
        if not form.errors:
            try:
                services.recheck_eligibility(
                    aid.pk,
                    actor=user,
                    data=services.FactsInput(
                        household_size=data.get("household_size"),
                        household_monthly_income=data.get("household_monthly_income") or "",
                        member_id=member.pk if member is not None else None,
                        comment=data.get("comment") or "",
                    ),
                )
            except DomainError as exc:
                if exc.status in (403, 404, 409):
                    messages.error(request, exc.message)
                    return redirect("console:legal:aid_detail", pk=aid.pk)
                show_domain_error(form, exc, {"member": "member_id_number"})
            else:
                messages.success(request, _("The facts have been saved and the eligibility checked again."))
                return redirect("console:legal:aid_detail", pk=aid.pk)
    return _detail(request, aid, {"facts": form}, status=422)


def post_message(request: HttpRequest, aid: LegalAid) -> tuple[bool, dict[str, Any]]:
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.post_message(aid.pk, actor=signed_in_user(request), text=form.cleaned_data["text"])
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The message has been sent."))
            return True, {}
    return False, {"message": form}


@require_POST
@officer_required
def aid_message(request: HttpRequest, pk: int) -> HttpResponse:
    aid = _aid(request, pk)
    done, forms = post_message(request, aid)
    if done:
        return redirect("console:legal:aid_detail", pk=aid.pk)
    return _detail(request, aid, forms, status=422)


def add_documents(request: HttpRequest, aid: LegalAid) -> tuple[bool, dict[str, Any]]:
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        documents, problems = read_documents(form.cleaned_data["documents"], aid.documents.count())
        for problem in problems:
            form.add_error("documents", problem)
        if not problems:
            try:
                services.add_documents(aid.pk, actor=signed_in_user(request), documents=documents)
            except DomainError as exc:
                show_domain_error(form, exc, {"file": "documents"})
            else:
                messages.success(request, _("The documents have been added."))
                return True, {}
    return False, {"document": form}


@require_POST
@officer_required
def aid_documents(request: HttpRequest, pk: int) -> HttpResponse:
    aid = _aid(request, pk)
    done, forms = add_documents(request, aid)
    if done:
        return redirect("console:legal:aid_detail", pk=aid.pk)
    return _detail(request, aid, forms, status=422)


def document_response(aid: LegalAid, document_pk: int) -> HttpResponse:
    """A document of `aid` as a download, never shown inline."""
    document = LegalAidDocument.objects.filter(aid=aid, pk=document_pk).first()
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
def aid_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Documents are for the officers who handle the case's union (viewers get 404)."""
    aid = get_visible(
        LegalAid.objects.select_related("org"), signed_in_user(request), Perm.RIGHTS_HANDLE, pk=pk
    )
    return document_response(aid, document_pk)


urlpatterns: list[URLPattern] = [
    path("aid/", aid_list, name="aid_list"),
    path("aid/new/", aid_new, name="aid_new"),
    path("aid/<int:pk>/", aid_detail, name="aid_detail"),
    path("aid/<int:pk>/step/", aid_step, name="aid_step"),
    path("aid/<int:pk>/messages/", aid_message, name="aid_message"),
    path("aid/<int:pk>/reassign/", aid_reassign, name="aid_reassign"),
    path("aid/<int:pk>/eligibility/", aid_recheck, name="aid_recheck"),
    path("aid/<int:pk>/documents/", aid_documents, name="aid_documents"),
    path("aid/<int:pk>/documents/<int:document_pk>/", aid_document, name="aid_document"),
]
