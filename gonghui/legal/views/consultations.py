"""Console pages of legal consultations: the list with its queue (waiting / overdue) and figures
by topic and channel, logging a consultation, and one consultation with its thread, the answer
form and the referral to a lawyer. Thin: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
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
from gonghui.legal.models import Channel, ConsultationStatus, Lawyer, LegalConsultation, Topic
from gonghui.legal.selectors import (
    contact_for,
    counts_by,
    in_period,
    may_handle,
    officer_consultations,
)
from gonghui.legal.services import consultations as services
from gonghui.legal.services.lawyers import lawyers_for
from gonghui.legal.views.forms import AnswerForm, ConsultationFilterForm, ConsultationLogForm, ReferForm
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.workdays.deadlines import describe_rule

SECTION = "legal"
PAGE_SIZE = 50


@require_GET
@officer_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ConsultationFilterForm(request.GET or None)
    data = form.valid_data() if request.GET else {}
    today = timezone.localdate()
    rows = in_period(officer_consultations(user), "asked_on", data.get("start"), data.get("end"))
    if data.get("topic"):
        rows = rows.filter(topic=data["topic"])
    if data.get("channel"):
        rows = rows.filter(channel=data["channel"])
    period = rows
    if data.get("queue") == "awaiting":
        rows = rows.filter(status=ConsultationStatus.AWAITING).order_by("answer_due", "id")
    elif data.get("queue") == "overdue":
        rows = rows.filter(status=ConsultationStatus.AWAITING, answer_due__lt=today).order_by(
            "answer_due", "id"
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "consultations": page.object_list,
        "today": today,
        "by_topic": counts_by(period, "topic", Topic.choices),
        "by_channel": counts_by(period, "channel", Channel.choices),
        "total": period.count(),
        "awaiting": officer_consultations(user).filter(status=ConsultationStatus.AWAITING).count(),
        "overdue": officer_consultations(user)
        .filter(status=ConsultationStatus.AWAITING, answer_due__lt=today)
        .count(),
        "rule": describe_rule(services.ANSWER_RULE),
        "console_section": SECTION,
        "tab": "consultations",
    }
    return render(request, "legal/consultation_list.html", context)


def _handled_lawyers(user: User) -> Any:
    return visible(
        Lawyer.objects.active().select_related("org").order_by("name", "id"), user, Perm.RIGHTS_HANDLE
    )


@require_http_methods(["GET", "POST"])
@officer_required
def consultation_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    initial = {"asked_on": timezone.localdate()}
    form = ConsultationLogForm(
        request.POST if request.method == "POST" else None, initial=initial, lawyers=_handled_lawyers(user)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            org = org_on_form(form, user, Perm.RIGHTS_HANDLE)
            if org is not None:
                try:
                    consultation = services.log_consultation(
                        actor=user,
                        data=services.LogInput(
                            org_id=org.pk,
                            channel=data["channel"],
                            topic=data["topic"],
                            question=data["question"],
                            asker_name=data["asker_name"] or "",
                            asker_mobile=data["asker_mobile"] or "",
                            answer=data["answer"] or "",
                            asked_on=data["asked_on"],
                            lawyer_id=data["lawyer"].pk if data["lawyer"] else None,
                        ),
                    )
                except DomainError as exc:
                    show_domain_error(form, exc)
                else:
                    messages.success(request, _("The consultation has been recorded."))
                    return redirect("console:legal:consultation_detail", pk=consultation.pk)
        status = 422
    context = {"form": form, "console_section": SECTION}
    return render(request, "legal/consultation_form.html", context, status=status)


def _consultation(request: HttpRequest, pk: int) -> LegalConsultation:
    return get_visible(
        LegalConsultation.objects.select_related("org", "lawyer", "member"),
        signed_in_user(request),
        Perm.RIGHTS_VIEW,
        pk=pk,
    )


def consultation_context(
    user: User, consultation: LegalConsultation, answer_form: AnswerForm, refer_form: ReferForm | None
) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "thread": list(consultation.messages.select_related("lawyer")),
        "contact": contact_for(user, consultation),
        "may_answer": services.may_answer(user, consultation),
        "answer_form": answer_form,
        "refer_form": refer_form,
        "overdue": consultation.status == ConsultationStatus.AWAITING
        and consultation.answer_due < timezone.localdate(),
    }


def _detail(
    request: HttpRequest,
    consultation: LegalConsultation,
    answer_form: AnswerForm | None = None,
    refer_form: ReferForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    if refer_form is None and may_handle(user, consultation):
        refer_form = ReferForm(
            initial={"lawyer": consultation.lawyer_id}, lawyers=lawyers_for(consultation.org)
        )
    context = consultation_context(user, consultation, answer_form or AnswerForm(), refer_form)
    context["console_section"] = SECTION
    return render(request, "legal/consultation_detail.html", context, status=status)


@require_GET
@officer_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _consultation(request, pk))


@require_POST
@officer_required
def consultation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_consultation(
                consultation.pk, actor=signed_in_user(request), text=form.cleaned_data["text"]
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                messages.error(request, exc.message)
                return redirect("console:legal:consultation_detail", pk=consultation.pk)
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The answer has been sent. The worker reads it in the portal."))
            return redirect("console:legal:consultation_detail", pk=consultation.pk)
    return _detail(request, consultation, answer_form=form, status=422)


@require_POST
@officer_required
def consultation_refer(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(request, pk)
    user = signed_in_user(request)
    if not may_handle(user, consultation):
        messages.error(request, _("Only officers who handle rights cases for this union may do this."))
        return redirect("console:legal:consultation_detail", pk=consultation.pk)
    form = ReferForm(request.POST, lawyers=lawyers_for(consultation.org))
    if form.is_valid():
        lawyer = form.cleaned_data["lawyer"]
        try:
            services.refer_to_lawyer(consultation.pk, actor=user, lawyer_id=lawyer.pk if lawyer else None)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The referral has been saved."))
            return redirect("console:legal:consultation_detail", pk=consultation.pk)
    return _detail(request, consultation, refer_form=form, status=422)


urlpatterns: list[URLPattern] = [
    path("", consultation_list, name="consultation_list"),
    path("consultations/new/", consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/answer/", consultation_answer, name="consultation_answer"),
    path("consultations/<int:pk>/refer/", consultation_refer, name="consultation_refer"),
]
