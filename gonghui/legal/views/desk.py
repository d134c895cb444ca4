"""The volunteer lawyer's desk (console pages for lawyer accounts only): the consultations and
aid cases assigned to me, answering a consultation, and one aid case with its messages,
documents and the steps a lawyer takes (start the work, record the outcome). Any other account
finds nothing here (404), and a lawyer finds nothing anywhere else: their sign-in holds no role."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.legal.models import ConsultationStatus, Lawyer, LegalAid, LegalConsultation
from gonghui.legal.selectors import aid_of_lawyer, consultations_of_lawyer, lawyer_of
from gonghui.legal.services import consultations as consultation_services
from gonghui.legal.views.aid import add_documents, aid_context, document_response, post_message, run_step
from gonghui.legal.views.consultations import consultation_context
from gonghui.legal.views.forms import AnswerForm

SECTION = "legal_desk"
LIMIT = 200


def _me(request: HttpRequest) -> Lawyer:
    lawyer = lawyer_of(signed_in_user(request))
    if lawyer is None:
        raise Http404
    return lawyer


@require_GET
@officer_required
def desk(request: HttpRequest) -> HttpResponse:
    lawyer = _me(request)
    consultations = list(consultations_of_lawyer(lawyer).order_by("status", "answer_due", "-id")[:LIMIT])
    context = {
        "lawyer": lawyer,
        "awaiting": [c for c in consultations if c.status == ConsultationStatus.AWAITING],
        "answered": [c for c in consultations if c.status != ConsultationStatus.AWAITING],
        "cases": list(aid_of_lawyer(lawyer).order_by("-submitted_on", "-id")[:LIMIT]),
        "console_section": SECTION,
    }
    return render(request, "legal/desk.html", context)


def _consultation(request: HttpRequest, pk: int) -> LegalConsultation:
    found = consultations_of_lawyer(_me(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@officer_required
def desk_consultation(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    user = signed_in_user(request)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                consultation_services.answer_consultation(
                    consultation.pk, actor=user, text=form.cleaned_data["text"]
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("The answer has been sent. The worker reads it in the portal."))
                return redirect("console:legal:desk_consultation", pk=consultation.pk)
        status = 422
    context = consultation_context(user, consultation, form, None)
    context["console_section"] = SECTION
    context["on_desk"] = True
    return render(request, "legal/consultation_detail.html", context, status=status)


def _aid(request: HttpRequest, pk: int) -> LegalAid:
    found = aid_of_lawyer(_me(request)).select_related("threshold_org").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _render_aid(
    request: HttpRequest, aid: LegalAid, forms: dict[str, object] | None = None, status: int = 200
) -> HttpResponse:
    context = aid_context(signed_in_user(request), aid, forms)
    context["console_section"] = SECTION
    context["on_desk"] = True
    return render(request, "legal/aid_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def desk_aid(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my cases; its POST buttons: a step (start, record the outcome), a message, documents."""
    aid = _aid(request, pk)
    if request.method == "GET":
        return _render_aid(request, aid)
    kind = request.POST.get("form", "")
    if kind == "message":
        done, forms = post_message(request, aid)
    elif kind == "documents":
        done, forms = add_documents(request, aid)
    else:
        done, forms = run_step(request, aid)
    if done or not forms:
        return redirect("console:legal:desk_aid", pk=aid.pk)
    return _render_aid(request, _aid(request, pk), forms, status=422)


@require_GET
@officer_required
def desk_aid_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    return document_response(_aid(request, pk), document_pk)


urlpatterns: list[URLPattern] = [
    path("desk/", desk, name="desk"),
    path("desk/consultations/<int:pk>/", desk_consultation, name="desk_consultation"),
    path("desk/aid/<int:pk>/", desk_aid, name="desk_aid"),
    path("desk/aid/<int:pk>/documents/<int:document_pk>/", desk_aid_document, name="desk_aid_document"),
]
