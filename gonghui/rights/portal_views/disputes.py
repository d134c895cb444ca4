"""Portal pages of disputes: a worker (any signed-in portal account, member or not) reports a
labour dispute online, follows it (status in plain words, deadline, messages, documents,
settlement) and rates the handling at the end. A worker finds only the disputes they reported;
any other is a missing page (404). Thin: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.forms import documents_field, show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.core.text import normalize_text
from gonghui.orgs.models import Workplace
from gonghui.rights.models import (
    MAX_NAME,
    MAX_SUMMARY,
    MAX_TEXT,
    RATEABLE_STATUSES,
    Dispute,
    DisputeDocument,
    DisputeStatus,
)
from gonghui.rights.selectors import thread, worker_dispute
from gonghui.rights.services import disputes as services
from gonghui.rights.uploads import read_documents
from gonghui.rights.views.disputes import document_response, settlement_response
from gonghui.rights.views.forms import (
    ClaimForm,
    DocumentForm,
    MessageForm,
    RatingForm,
    filled,
)

NAV = "help"
SEARCH_LIMIT = 8
SEARCH_MIN = 2

# What each status means for the worker, in plain words.
PLAIN_STATUS = {
    DisputeStatus.RECEIVED: gettext_lazy("We have received your dispute. The union will look at it soon."),
    DisputeStatus.ACCEPTED: gettext_lazy("The union has taken on your dispute and will arrange mediation."),
    DisputeStatus.DECLINED: gettext_lazy("The union cannot take on this dispute. The reason is below."),
    DisputeStatus.IN_MEDIATION: gettext_lazy("A mediator is working with you and your employer."),
    DisputeStatus.SETTLED: gettext_lazy("You and your employer reached an agreement."),
    DisputeStatus.FAILED: gettext_lazy(
        "Mediation did not lead to an agreement. You may apply for labour arbitration."
    ),
    DisputeStatus.REFERRED: gettext_lazy("The dispute has been handed over to arbitration or a court."),
    DisputeStatus.CLOSED: gettext_lazy("The union has visited you after the dispute and closed it."),
    DisputeStatus.ARCHIVED: gettext_lazy("The dispute is closed and archived."),
}


class ReportForm(forms.Form):
    name = CleanCharField(label=gettext_lazy("Your name"), max_length=services.PARTY_NAME_MAX)
    id_number = CleanCharField(
        label=gettext_lazy("Your ID number (optional)"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Only the union officers handling your dispute see it."),
    )
    employer_search = CleanCharField(
        label=gettext_lazy("Your employer"),
        max_length=MAX_NAME,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Type the name; pick the company if it is listed, or keep the name you typed."
        ),
    )
    # Rendered by the search results (_portal_workplaces.html) as radio buttons.
    workplace = forms.IntegerField(required=False, min_value=1)
    summary = CleanCharField(
        label=gettext_lazy("What is the problem, in one sentence?"),
        max_length=MAX_SUMMARY,
        help_text=gettext_lazy("For example: my wages for March and April have not been paid."),
    )
    description = forms.CharField(
        label=gettext_lazy("Tell us more (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    workers_count = forms.IntegerField(
        label=gettext_lazy("How many workers have the same problem?"),
        min_value=1,
        max_value=100_000,
        initial=1,
    )
    photos = documents_field(required=False)


ClaimSet = forms.formset_factory(ClaimForm, extra=2, max_num=services.MAX_CLAIMS)


def _render_new(request: HttpRequest, form: ReportForm, claims: Any, status: int = 200) -> HttpResponse:
    form.fields["employer_search"].widget.attrs.update(
        {
            "hx-get": reverse("portal:dispute_workplaces"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#workplace-results",
        }
    )
    return render(
        request,
        "rights/portal_new.html",
        {"form": form, "claims": claims, "nav_section": NAV},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@member_area
@never_cache
def dispute_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "GET":
        form = ReportForm(initial={"name": user.display_name})
        return _render_new(request, form, ClaimSet(prefix="claims", initial=[{"type": "wage_arrears"}]))
    form = ReportForm(request.POST, request.FILES)
    claims = ClaimSet(request.POST, prefix="claims")
    if form.is_valid() and claims.is_valid():
        data = form.cleaned_data
        documents, problems = read_documents(data["photos"])
        for problem in problems:
            form.add_error("photos", problem)
        workplace_id = data["workplace"]
        if workplace_id is not None and not Workplace.objects.filter(pk=workplace_id).exists():
            workplace_id = None
        if not problems:
            report = services.DisputeInput(
                employer_name=data["employer_search"],
                workplace_id=workplace_id,
                summary=data["summary"],
                description=data["description"] or "",
                workers_count=data["workers_count"],
                parties=[services.PartyInput(name=data["name"], id_number=data["id_number"] or "")],
                claims=[
                    services.ClaimInput(
                        type=row.cleaned_data["type"], amount_claimed=row.cleaned_data["amount_claimed"]
                    )
                    for row in filled(claims)
                ],
            )
            try:
                dispute = services.report_dispute(actor=user, data=report, documents=documents)
            except DomainError as exc:
                show_domain_error(
                    form,
                    exc,
                    aliases={
                        "parties.0.name": "name",
                        "parties.0.id_number": "id_number",
                        "parties.0.mobile": "name",
                        "employer_name": "employer_search",
                        "workplace": "employer_search",
                        "documents": "photos",
                    },
                )
                rows = filled(claims)
                for location, problems_at in exc.fields.items():
                    parts = location.split(".")
                    if parts[0] == "claims" and len(parts) == 3 and int(parts[1]) < len(rows):
                        for problem in problems_at:
                            rows[int(parts[1])].add_error(parts[2], problem)
            else:
                messages.success(
                    request,
                    _("Your dispute %(number)s has been received. We will reply here.")
                    % {"number": dispute.number},
                )
                return redirect("portal:dispute_detail", pk=dispute.pk)
    return _render_new(request, form, claims, status=422)


@require_GET
@member_area
def workplace_search(request: HttpRequest) -> HttpResponse:
    """Up to a few workplaces whose name contains what the worker typed (an htmx fragment)."""
    text = normalize_text(request.GET.get("employer_search", ""))[:MAX_NAME]
    rows: list[Workplace] = []
    if len(text) >= SEARCH_MIN:
        rows = list(
            Workplace.objects.filter(Q(name__icontains=text) | Q(credit_code=text.upper()))
            .only("pk", "name", "address")
            .order_by("name", "id")[:SEARCH_LIMIT]
        )
    return render(request, "rights/_portal_workplaces.html", {"workplaces": rows, "text": text})


def _dispute(request: HttpRequest, pk: int) -> Dispute:
    try:
        return worker_dispute(signed_in_user(request), pk)
    except NotFound as exc:
        raise Http404 from exc


def _render_detail(
    request: HttpRequest,
    dispute: Dispute,
    *,
    message_form: MessageForm | None = None,
    rating_form: RatingForm | None = None,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    claims = list(dispute.claims.order_by("position"))
    context = {
        "dispute": dispute,
        "plain_status": PLAIN_STATUS[DisputeStatus(dispute.status)],
        "claims": claims,
        "settlement": getattr(dispute, "settlement", None),
        "documents": list(dispute.documents.filter(from_worker=True)),
        "thread": list(thread(dispute)),
        "overdue": dispute.is_overdue(timezone.localdate()),
        "may_rate": dispute.status in RATEABLE_STATUSES and dispute.rating is None,
        "may_write": dispute.status != DisputeStatus.ARCHIVED,
        "message_form": message_form or MessageForm(prefix="message"),
        "rating_form": rating_form or RatingForm(prefix="rating"),
        "document_form": document_form or DocumentForm(prefix="documents"),
        "nav_section": NAV,
    }
    return render(request, "rights/portal_detail.html", context, status=status)


@require_GET
@member_area
@never_cache
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _dispute(request, pk))


@require_POST
@member_area
def dispute_message(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(request, pk)
    form = MessageForm(request.POST, prefix="message")
    if form.is_valid():
        try:
            services.post_worker_message(
                dispute.pk, actor=signed_in_user(request), text=form.cleaned_data["text"]
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect("portal:dispute_detail", pk=dispute.pk)
    return _render_detail(request, dispute, message_form=form, status=422)


@require_POST
@member_area
def dispute_rate(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(request, pk)
    form = RatingForm(request.POST, prefix="rating")
    if form.is_valid():
        try:
            services.rate_dispute(
                dispute.pk,
                actor=signed_in_user(request),
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"] or "",
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("portal:dispute_detail", pk=dispute.pk)
    return _render_detail(request, _dispute(request, pk), rating_form=form, status=422)


@require_POST
@member_area
def dispute_documents(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(request, pk)
    form = DocumentForm(request.POST, request.FILES, prefix="documents")
    if form.is_valid():
        documents, problems = read_documents(form.cleaned_data["attachments"])
        for problem in problems:
            form.add_error("attachments", problem)
        if not problems:
            try:
                services.add_worker_documents(dispute.pk, actor=signed_in_user(request), documents=documents)
            except DomainError as exc:
                show_domain_error(form, exc, aliases={"file": "attachments"})
            else:
                messages.success(request, _("The documents have been added."))
                return redirect("portal:dispute_detail", pk=dispute.pk)
    return _render_detail(request, dispute, document_form=form, status=422)


@require_GET
@member_area
def dispute_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """One of the worker's own uploads."""
    dispute = _dispute(request, pk)
    document = DisputeDocument.objects.filter(dispute=dispute, pk=document_pk, from_worker=True).first()
    if document is None:
        raise Http404
    return document_response(document)


@require_GET
@member_area
def dispute_settlement(request: HttpRequest, pk: int) -> HttpResponse:
    return settlement_response(_dispute(request, pk))


urlpatterns: list[URLPattern] = [
    path("help/disputes/new/", dispute_new, name="dispute_new"),
    path("help/disputes/workplaces/", workplace_search, name="dispute_workplaces"),
    path("help/disputes/<int:pk>/", dispute_detail, name="dispute_detail"),
    path("help/disputes/<int:pk>/messages/", dispute_message, name="dispute_message"),
    path("help/disputes/<int:pk>/rating/", dispute_rate, name="dispute_rate"),
    path("help/disputes/<int:pk>/documents/", dispute_documents, name="dispute_documents"),
    path("help/disputes/<int:pk>/documents/<int:document_pk>/", dispute_document, name="dispute_document"),
    path("help/disputes/<int:pk>/settlement.pdf", dispute_settlement, name="dispute_settlement_pdf"),
]
