"""Console pages of disputes: the list (landing page, with the collective-dispute alerts on top),
the overdue list, intake, one dispute with its parties, claims, documents, messages, history and
the steps the viewer may take, the settlement PDF and document downloads. The dispute's own
mediator reaches the dispute pages too (from their desk), and nothing else. Thin: parse, call
one service, render."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import holding, require_somewhere
from gonghui.console.pages import org_on_form
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.forms import show_domain_error
from gonghui.orgs.models import Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible
from gonghui.rights.documents import render_settlement_pdf, settlement_filename
from gonghui.rights.models import (
    DISPUTE_TRANSITIONS,
    OPEN_STATUSES,
    Dispute,
    DisputeAction,
    DisputeDocument,
    DisputeStatus,
    MediationCentre,
    Mediator,
)
from gonghui.rights.selectors import (
    DisputeFilters,
    dispute_detail_rows,
    dispute_for,
    dispute_rows,
    filtered_disputes,
    is_own_mediator,
    may_handle,
    may_see_contacts,
    pending_alerts,
    thread,
)
from gonghui.rights.services import disputes as services
from gonghui.rights.uploads import read_documents
from gonghui.rights.views.forms import (
    AssignForm,
    ClaimFormSet,
    CloseForm,
    DisputeFilterForm,
    DocumentForm,
    ExtensionForm,
    IntakeForm,
    MessageForm,
    PartyForm,
    PartyFormSet,
    ReasonForm,
    ReassignForm,
    ReferForm,
    SettleForm,
    WorkersForm,
    filled,
)

SECTION = "rights"
PAGE_SIZE = 50


def _centres(user: User) -> QuerySet[MediationCentre]:
    return visible(MediationCentre.objects.active(), user, Perm.RIGHTS_HANDLE).order_by("name", "id")


def _mediators(user: User) -> QuerySet[Mediator]:
    rows = Mediator.objects.active().select_related("centre")
    return visible(rows, user, Perm.RIGHTS_HANDLE).order_by("name", "id")


def _filters(data: dict[str, Any]) -> DisputeFilters:
    centre = data.get("centre")
    return DisputeFilters(
        status=data.get("status") or "",
        channel=data.get("channel") or "",
        claim_type=data.get("claim_type") or "",
        centre=centre.pk if centre is not None else None,
        overdue=bool(data.get("overdue")),
        collective=bool(data.get("collective")),
        query=data.get("q") or "",
    )


@require_GET
@officer_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_VIEW)
    today = timezone.localdate()
    centres = visible(MediationCentre, user, Perm.RIGHTS_VIEW).order_by("name", "id")
    form = DisputeFilterForm(request.GET or None, centres=centres)
    data = form.valid_data() if request.GET else {}
    rows = filtered_disputes(visible(dispute_rows(), user, Perm.RIGHTS_VIEW), _filters(data), today)
    page = Paginator(rows.order_by("-received_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "disputes": page.object_list,
        "alerts": list(pending_alerts(user)[:20]),
        "today": today,
        "may_intake": holding(Perm.RIGHTS_HANDLE)(user),
        "console_section": SECTION,
    }
    return render(request, "rights/dispute_list.html", context)


@require_GET
@officer_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Open disputes past their mediation deadline, in the viewer's subtree (a district sees its
    unions' overdue disputes)."""
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_VIEW)
    today = timezone.localdate()
    rows = visible(dispute_rows().overdue(today), user, Perm.RIGHTS_VIEW).order_by("mediation_deadline", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "disputes": page.object_list, "today": today, "console_section": SECTION}
    return render(request, "rights/overdue.html", context)


@require_POST
@officer_required
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.acknowledge_alert(pk, actor=signed_in_user(request))
    except NotFound as exc:
        raise Http404 from exc
    messages.success(request, _("The alert has been acknowledged."))
    return redirect("console:rights:dispute_list")


# --------------------------------------------------------------------------------------------
# Intake


def _render_new(
    request: HttpRequest, form: IntakeForm, parties: Any, claims: Any, status: int = 200
) -> HttpResponse:
    context = {"form": form, "parties": parties, "claims": claims, "console_section": SECTION}
    return render(request, "rights/dispute_new.html", context, status=status)


def _intake_input(
    form: IntakeForm, parties: Any, claims: Any, workplace: Workplace | None
) -> services.DisputeInput:
    data = form.cleaned_data
    return services.DisputeInput(
        channel=data["channel"],
        received_on=data["received_on"],
        workplace_id=workplace.pk if workplace else None,
        employer_name=data["employer_name"] or "",
        summary=data["summary"],
        description=data["description"] or "",
        workers_count=data["workers_count"],
        parties=[party.data_for_service() for party in filled(parties)],
        claims=[
            services.ClaimInput(
                type=claim.cleaned_data["type"], amount_claimed=claim.cleaned_data["amount_claimed"]
            )
            for claim in filled(claims)
        ],
        centre_id=data["centre"].pk if data.get("centre") else None,
        mediator_id=data["mediator"].pk if data.get("mediator") else None,
    )


def _formset_errors(formset: Any, error: DomainError, prefix: str) -> None:
    rows = filled(formset)
    for location, problems in error.fields.items():
        parts = location.split(".")
        if parts[0] != prefix:
            continue
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
            form = rows[int(parts[1])]
            for problem in problems:
                form.add_error(parts[2] if parts[2] in form.fields else None, problem)
        else:
            formset.non_form_errors().extend(problems)


@require_http_methods(["GET", "POST"])
@officer_required
def dispute_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_HANDLE)
    post = request.POST if request.method == "POST" else None
    form = IntakeForm(
        post,
        centres=_centres(user),
        mediators=_mediators(user),
        initial={"received_on": timezone.localdate()},
    )
    parties, claims = PartyFormSet(post, prefix="parties"), ClaimFormSet(post, prefix="claims")
    if request.method == "GET":
        return _render_new(request, form, parties, claims)
    if form.is_valid() and parties.is_valid() and claims.is_valid():
        data = form.cleaned_data
        org = org_on_form(form, user, Perm.RIGHTS_HANDLE)
        workplace = None
        if data["credit_code"]:
            workplace = Workplace.objects.filter(credit_code=data["credit_code"].upper()).first()
            if workplace is None:
                form.add_error("credit_code", _("No workplace in the registry has this code."))
        if org is not None and not form.errors:
            try:
                dispute = services.intake_dispute(
                    actor=user, org_id=org.pk, data=_intake_input(form, parties, claims, workplace)
                )
            except DomainError as exc:
                show_domain_error(form, exc, aliases={"workplace": "credit_code"})
                _formset_errors(parties, exc, "parties")
                _formset_errors(claims, exc, "claims")
            else:
                messages.success(
                    request, _("Dispute %(number)s has been received.") % {"number": dispute.number}
                )
                return redirect("console:rights:dispute_detail", pk=dispute.pk)
    return _render_new(request, form, parties, claims, status=422)


# --------------------------------------------------------------------------------------------
# One dispute


@dataclass(frozen=True)
class PartyRow:
    name: str
    id_number: str
    mobile: str
    member: bool


def _dispute(request: HttpRequest, pk: int, *, detail: bool = False) -> Dispute:
    try:
        return dispute_for(signed_in_user(request), pk, rows=dispute_detail_rows() if detail else None)
    except NotFound as exc:
        raise Http404 from exc


def may_mediate(dispute: Dispute, user: User) -> bool:
    return may_handle(dispute, user) or is_own_mediator(dispute, user)


def blank_forms(user: User, dispute: Dispute) -> dict[str, Any]:
    claims = list(dispute.claims.all())
    return {
        "accept": AssignForm(centres=_centres(user), mediators=_mediators(user), prefix="accept"),
        "assign": AssignForm(centres=_centres(user), mediators=_mediators(user), prefix="assign"),
        "reassign": ReassignForm(mediators=_mediators(user), prefix="reassign"),
        "decline": ReasonForm(prefix="decline"),
        "fail": ReasonForm(prefix="fail"),
        "settle": SettleForm(claims=claims, prefix="settle", initial={"signed_on": timezone.localdate()}),
        "refer": ReferForm(prefix="refer", initial={"referred_on": timezone.localdate()}),
        "close": CloseForm(
            claims=claims if dispute.status == DisputeStatus.SETTLED else [],
            prefix="close",
            initial={"followup_on": timezone.localdate()},
        ),
        "extend": ExtensionForm(prefix="extend"),
        "party": PartyForm(prefix="party"),
        "workers": WorkersForm(prefix="workers", initial={"workers_count": dispute.workers_count}),
        "message": MessageForm(prefix="message"),
        "documents": DocumentForm(prefix="documents"),
    }


def _detail(
    request: HttpRequest, dispute: Dispute, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    handle = may_handle(dispute, user)
    mediate = handle or is_own_mediator(dispute, user)
    contacts = may_see_contacts(dispute, user)
    today = timezone.localdate()
    available = [
        transition.action
        for transition in DISPUTE_TRANSITIONS.available(dispute.status)
        if handle or (mediate and transition.held_on == "mediation")
    ]
    claims = list(dispute.claims.all())
    parties = [
        PartyRow(
            name=party.name if contacts else str(party),
            id_number=(party.id_number if contacts else party.masked_id_number) or "—",
            mobile=(party.mobile if contacts else party.masked_mobile) or "—",
            member=party.member_id is not None,
        )
        for party in dispute.parties.all()
    ]
    context = {
        "dispute": dispute,
        "parties": parties,
        "claims": claims,
        "total_claimed": sum((claim.amount_claimed for claim in claims), Decimal("0.00")),
        "total_agreed": sum((claim.amount_agreed or Decimal("0.00") for claim in claims), Decimal("0.00")),
        "total_recovered": sum((claim.amount_recovered for claim in claims), Decimal("0.00")),
        "settlement": getattr(dispute, "settlement", None),
        "extensions": list(dispute.extensions.all()),
        "documents": list(dispute.documents.all()),
        "history": list(dispute.history.select_related("actor")),
        "thread": list(thread(dispute)),
        "available": available,
        "may_handle": handle,
        "may_mediate": mediate,
        "is_open": dispute.status in OPEN_STATUSES,
        "overdue": dispute.is_overdue(today),
        "show_contacts": contacts,
        "forms": forms or blank_forms(user, dispute),
        "console_section": "rights_desk" if not handle and mediate else SECTION,
    }
    return render(request, "rights/dispute_detail.html", context, status=status)


@require_GET
@officer_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _dispute(request, pk, detail=True))


def _act(
    user: User, dispute: Dispute, action: str, forms: dict[str, Any], post: Any, files: Any
) -> str | None:
    """Run `action` from its form; the success message, or None when the form shows errors."""
    form: Any
    claims = list(dispute.claims.all())
    pk = dispute.pk
    if action == DisputeAction.ACCEPT:
        form = forms["accept"] = AssignForm(
            post, centres=_centres(user), mediators=_mediators(user), prefix="accept"
        )
        if form.is_valid():
            data = form.cleaned_data
            services.accept_dispute(
                pk,
                actor=user,
                centre_id=data["centre"].pk if data["centre"] else None,
                mediator_id=data["mediator"].pk if data["mediator"] else None,
                comment=data["comment"] or "",
            )
            return _("The dispute has been accepted.")
    elif action == "assign":
        form = forms["assign"] = AssignForm(
            post, centres=_centres(user), mediators=_mediators(user), prefix="assign"
        )
        if form.is_valid():
            data = form.cleaned_data
            services.assign_dispute(
                pk,
                actor=user,
                centre_id=data["centre"].pk if data["centre"] else None,
                mediator_id=data["mediator"].pk if data["mediator"] else None,
            )
            return _("The dispute has been assigned.")
    elif action == DisputeAction.REASSIGN:
        form = forms["reassign"] = ReassignForm(post, mediators=_mediators(user), prefix="reassign")
        if form.is_valid():
            data = form.cleaned_data
            services.reassign_dispute(pk, actor=user, mediator_id=data["mediator"].pk, reason=data["reason"])
            return _("The dispute has been handed over.")
    elif action in (DisputeAction.DECLINE, DisputeAction.FAIL):
        form = forms[action] = ReasonForm(post, prefix=action)
        if form.is_valid():
            if action == DisputeAction.DECLINE:
                services.decline_dispute(pk, actor=user, reason=form.cleaned_data["reason"])
                return _("The dispute has been declined.")
            services.fail_mediation(pk, actor=user, reason=form.cleaned_data["reason"])
            return _("It has been recorded that mediation failed.")
    elif action == DisputeAction.START_MEDIATION:
        services.start_mediation(pk, actor=user)
        return _("Mediation has started.")
    elif action == DisputeAction.SETTLE:
        form = forms["settle"] = SettleForm(post, claims=claims, prefix="settle")
        if form.is_valid():
            data = form.cleaned_data
            services.settle_dispute(
                pk,
                actor=user,
                terms=data["terms"],
                signed_on=data["signed_on"],
                payment_due=data["payment_due"],
                amounts=form.amounts(),
            )
            return _("The settlement has been recorded. Print the agreement for signature.")
    elif action == DisputeAction.REFER:
        form = forms["refer"] = ReferForm(post, prefix="refer")
        if form.is_valid():
            data = form.cleaned_data
            services.refer_dispute(
                pk,
                actor=user,
                referred_to=data["referred_to"],
                body=data["body"],
                referred_on=data["referred_on"],
            )
            return _("The dispute has been referred.")
    elif action == DisputeAction.CLOSE:
        settled = claims if dispute.status == DisputeStatus.SETTLED else []
        form = forms["close"] = CloseForm(post, claims=settled, prefix="close")
        if form.is_valid():
            data = form.cleaned_data
            services.close_dispute(
                pk, actor=user, followup_on=data["followup_on"], note=data["note"], amounts=form.amounts()
            )
            return _("The dispute has been closed.")
    elif action == DisputeAction.ARCHIVE:
        services.archive_dispute(pk, actor=user)
        return _("The dispute has been archived.")
    elif action == "extend":
        form = forms["extend"] = ExtensionForm(post, prefix="extend")
        if form.is_valid():
            data = form.cleaned_data
            services.record_extension(
                pk,
                actor=user,
                new_deadline=data["new_deadline"],
                agreed_by=data["agreed_by"],
                note=data["note"] or "",
            )
            return _("The extension agreed by the parties has been recorded.")
    elif action == "party":
        form = forms["party"] = PartyForm(post, prefix="party")
        if form.is_valid():
            services.add_party(pk, actor=user, party=form.data_for_service())
            return _("The worker has been added.")
    elif action == "workers":
        form = forms["workers"] = WorkersForm(post, prefix="workers")
        if form.is_valid():
            services.set_workers_count(pk, actor=user, workers_count=form.cleaned_data["workers_count"])
            return _("The number of workers has been changed.")
    elif action == "message":
        form = forms["message"] = MessageForm(post, prefix="message")
        if form.is_valid():
            services.post_message(pk, actor=user, text=form.cleaned_data["text"])
            return _("Your message has been sent to the worker.")
    elif action == "documents":
        form = forms["documents"] = DocumentForm(post, files, prefix="documents")
        if form.is_valid():
            documents, problems = read_documents(form.cleaned_data["attachments"])
            for problem in problems:
                form.add_error("attachments", problem)
            if not problems:
                services.add_documents(pk, actor=user, documents=documents)
                return _("The documents have been added.")
    else:
        raise Http404
    return None


FORM_OF: dict[str, str] = {
    DisputeAction.ACCEPT: "accept",
    DisputeAction.DECLINE: "decline",
    DisputeAction.FAIL: "fail",
    DisputeAction.SETTLE: "settle",
    DisputeAction.REFER: "refer",
    DisputeAction.CLOSE: "close",
}


@require_POST
@officer_required
def dispute_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One POST for every step on a dispute: the workflow's actions and assign / extend / party /
    workers / message / documents. A refusal shows the page again with the form's errors."""
    user = signed_in_user(request)
    dispute = _dispute(request, pk)
    forms = blank_forms(user, dispute)
    try:
        done = _act(user, dispute, action, forms, request.POST, request.FILES)
    except DomainError as exc:
        target = forms.get(FORM_OF.get(action, action))
        if target is None:
            messages.error(request, exc.message)
            return redirect("console:rights:dispute_detail", pk=pk)
        claims = list(dispute.claims.all())
        show_domain_error(target, exc, aliases=SettleForm.aliases(claims))
        done = None
    if done is not None:
        messages.success(request, done)
        return redirect("console:rights:dispute_detail", pk=pk)
    return _detail(request, _dispute(request, pk, detail=True), forms, status=422)


def document_response(document: DisputeDocument) -> HttpResponse:
    """The file as a download, never shown inline."""
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


def settlement_response(dispute: Dispute) -> HttpResponse:
    if getattr(dispute, "settlement", None) is None:
        raise Http404
    response = HttpResponse(render_settlement_pdf(dispute), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{settlement_filename(dispute)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@officer_required
def dispute_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A document of a dispute, for those who handle it (its handlers and its mediator)."""
    user = signed_in_user(request)
    dispute = _dispute(request, pk)
    if not may_mediate(dispute, user):
        raise Http404
    document = DisputeDocument.objects.filter(dispute=dispute, pk=document_pk).first()
    if document is None:
        raise Http404
    return document_response(document)


@require_GET
@officer_required
def dispute_settlement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The mediation agreement for signature: it names the parties in full, so only for those
    who may see their contact details."""
    user = signed_in_user(request)
    dispute = _dispute(request, pk)
    if not may_see_contacts(dispute, user):
        raise Http404
    return settlement_response(dispute)


urlpatterns: list[URLPattern] = [
    path("", dispute_list, name="dispute_list"),
    path("overdue/", overdue, name="overdue"),
    path("new/", dispute_new, name="dispute_new"),
    path("alerts/<int:pk>/acknowledge/", alert_acknowledge, name="alert_acknowledge"),
    path("<int:pk>/", dispute_detail, name="dispute_detail"),
    path("<int:pk>/act/<slug:action>/", dispute_act, name="dispute_act"),
    path("<int:pk>/documents/<int:document_pk>/", dispute_document, name="dispute_document"),
    path("<int:pk>/settlement.pdf", dispute_settlement_pdf, name="dispute_settlement_pdf"),
]
