"""Portal pages of legal consultation and aid for any signed-in worker (members or not): asking a
question and reading its thread with the follow-up form; applying for legal aid and following the
application with its messages, documents and, once concluded, the rating. A worker reaches their
own questions and applications only (others answer 404). Thin: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.legal.models import AidStatus, LegalAid, LegalConsultation
from gonghui.legal.selectors import aid_of_applicant, consultations_of_asker
from gonghui.legal.services import aid as aid_services
from gonghui.legal.services import consultations as consultation_services
from gonghui.legal.services.eligibility import eligibility_reasons
from gonghui.legal.views.forms import AidForm, AskForm, FollowUpForm, MessageForm, RatingForm, read_documents
from gonghui.members.services.selfservice import current_membership
from gonghui.workdays.deadlines import describe_rule

NAV = "services"


@require_http_methods(["GET", "POST"])
@member_area
@never_cache
def consultation_new(request: HttpRequest) -> HttpResponse:
    form = AskForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                consultation = consultation_services.ask_online(
                    actor=signed_in_user(request),
                    topic=form.cleaned_data["topic"],
                    question=form.cleaned_data["question"],
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("Your question has been sent. You will find the answer here."))
                return redirect("portal:consultation_detail", pk=consultation.pk)
        status = 422
    context = {
        "form": form,
        "rule": describe_rule(consultation_services.ANSWER_RULE),
        "mine": list(consultations_of_asker(signed_in_user(request))[:20]),
        "nav_section": NAV,
    }
    return render(request, "legal/portal_consultation_new.html", context, status=status)


def _my_consultation(request: HttpRequest, pk: int) -> LegalConsultation:
    found = consultations_of_asker(signed_in_user(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@member_area
@never_cache
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _my_consultation(request, pk)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                consultation_services.follow_up(
                    consultation.pk, actor=signed_in_user(request), text=form.cleaned_data["text"]
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("Your follow-up question has been sent."))
                return redirect("portal:consultation_detail", pk=consultation.pk)
        status = 422
    context = {
        "consultation": consultation,
        "thread": list(consultation.messages.select_related("lawyer")),
        "form": form,
        "nav_section": NAV,
    }
    return render(request, "legal/portal_consultation_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_area
@never_cache
def legal_aid_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = AidForm(request.POST or None, request.FILES or None, initial={"applicant_mobile": user.mobile})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            documents, problems = read_documents(form.cleaned_data.get("documents") or [])
            for problem in problems:
                form.add_error("documents", problem)
            if not problems:
                try:
                    aid = aid_services.apply_online(actor=user, data=form.aid_input(), documents=documents)
                except DomainError as exc:
                    show_domain_error(form, exc, {"file": "documents"})
                else:
                    messages.success(
                        request, _("Your application has been received. The union will review it.")
                    )
                    return redirect("portal:legal_aid_detail", pk=aid.pk)
        status = 422
    context = {
        "form": form,
        "is_member": current_membership(user) is not None,
        "rule": describe_rule(aid_services.REVIEW_RULE),
        "nav_section": NAV,
    }
    return render(request, "legal/portal_aid_new.html", context, status=status)


def _my_aid(request: HttpRequest, pk: int) -> LegalAid:
    found = aid_of_applicant(signed_in_user(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _aid_page(request: HttpRequest, aid: LegalAid, forms: dict[str, Any], status: int = 200) -> HttpResponse:
    context = {
        "aid": aid,
        "reasons": eligibility_reasons(
            is_eligible=aid.is_eligible,
            as_member=aid.eligible_as_member,
            by_hardship_file=aid.eligible_by_hardship_file,
            by_income=aid.eligible_by_income,
            per_capita_income=aid.per_capita_income,
            threshold=aid.threshold,
        ),
        "thread": list(aid.messages.all()),
        "history": list(aid.history.all()),
        "message_form": forms.get("message") or MessageForm(),
        "rating_form": forms.get("rating") or RatingForm(),
        "may_rate": aid.status == AidStatus.CONCLUDED,
        "may_write": aid.status != AidStatus.CLOSED,
        "nav_section": NAV,
    }
    return render(request, "legal/portal_aid_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_area
@never_cache
def legal_aid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """My application; its POST forms: a message to the handlers, the rating of a concluded case."""
    aid = _my_aid(request, pk)
    if request.method == "GET":
        return _aid_page(request, aid, {})
    user = signed_in_user(request)
    if request.POST.get("form") == "rating":
        rating_form = RatingForm(request.POST)
        if rating_form.is_valid():
            try:
                aid_services.rate_aid(
                    aid.pk,
                    actor=user,
                    rating=rating_form.cleaned_data["rating"],
                    comment=rating_form.cleaned_data["comment"] or "",
                )
            except DomainError as exc:
                show_domain_error(rating_form, exc)
            else:
                messages.success(request, _("Thank you for your rating. The case is closed."))
                return redirect("portal:legal_aid_detail", pk=aid.pk)
        return _aid_page(request, aid, {"rating": rating_form}, status=422)
    message_form = MessageForm(request.POST)
    if message_form.is_valid():
        try:
            aid_services.post_message(aid.pk, actor=user, text=message_form.cleaned_data["text"])
        except DomainError as exc:
            show_domain_error(message_form, exc)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect("portal:legal_aid_detail", pk=aid.pk)
    return _aid_page(request, aid, {"message": message_form}, status=422)


@require_GET
@member_area
@never_cache
def legal_mine(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "consultations": list(consultations_of_asker(user)[:50]),
        "cases": list(aid_of_applicant(user)[:50]),
        "nav_section": NAV,
    }
    return render(request, "legal/portal_mine.html", context)


urlpatterns: list[URLPattern] = [
    path("legal/", legal_mine, name="legal_mine"),
    path("legal/ask/", consultation_new, name="consultation_new"),
    path("legal/questions/<int:pk>/", consultation_detail, name="consultation_detail"),
    path("legal/aid/apply/", legal_aid_new, name="legal_aid_new"),
    path("legal/aid/<int:pk>/", legal_aid_detail, name="legal_aid_detail"),
]
