"""Console pages of mutual aid claims: the queue (status tabs with counts, filters, paged), one
claim with the actions its handler may take, the officer's entry of a claim for a member, and
the private document download.

Reads go through `selectors` (scoped by `visible()`): the queue and the claim page need
MUTUALAID_VIEW, so finance officers and auditors follow the claims too, but the medical details
(hospital, diagnosis, dates, invoice lines, documents, payout explanation) are shown only when
`selectors.can_see_medical` says so. Every action is one service call, which checks again; its
refusal (a conflict, a second reviewer who also checked, a missing reason) is shown as a message
on the claim page. Thin: parse, call one service, render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import holding, require_somewhere
from gonghui.console.pages import table_or_page
from gonghui.core.documents import MAX_DOCUMENT_BYTES, check_document
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.images import FileTooLarge, read_upload
from gonghui.core.inputs import CleanCharField
from gonghui.core.money import MAX_AMOUNT
from gonghui.members.models import Member, id_number_index
from gonghui.mutualaid import selectors
from gonghui.mutualaid.models import (
    MAX_HOSPITAL,
    MAX_INVOICE_NUMBER,
    MAX_REASON,
    AidClaim,
    AidClaimAction,
    AidClaimLine,
    AidClaimStatus,
    ClaimType,
    DiagnosisCategory,
    LineStatus,
)
from gonghui.mutualaid.payout import MAX_DESCRIPTION, yuan
from gonghui.mutualaid.services import claims as services
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

PAGE_SIZE = 50
ZERO = Decimal("0.00")
SECTION = "mutualaid"
TAB = "claims"
# History steps whose comment is about the payment, not the illness: shown to everyone who may
# see the claim. Other comments (line rejections, reasons) can name medical facts.
PAYMENT_ACTIONS = frozenset(
    {AidClaimAction.ADD_TO_PAYMENT, AidClaimAction.MARK_PAID, AidClaimAction.PAYMENT_FAILED}
)


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QueueFilterForm(forms.Form):
    claim_type = forms.ChoiceField(
        label=gettext_lazy("Claim type"),
        required=False,
        choices=[("", gettext_lazy("All claim types")), *ClaimType.choices],
    )
    org = CleanCharField(
        label=gettext_lazy("Union (code)"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("Claims of members of this union and everything under it"),
    )
    submitted_from = forms.DateField(
        label=gettext_lazy("Submitted from"), required=False, widget=DATE_WIDGET, input_formats=["%Y-%m-%d"]
    )
    submitted_to = forms.DateField(
        label=gettext_lazy("Submitted until"), required=False, widget=DATE_WIDGET, input_formats=["%Y-%m-%d"]
    )
    reference = CleanCharField(
        label=gettext_lazy("Claim reference"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("For example 2027-0000042"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and end < start:
            self.add_error("submitted_to", _("The end of the period cannot be before its start."))
        reference = data.get("reference")
        if reference and selectors.parse_reference(reference) is None:
            self.add_error("reference", _("A claim reference looks like 2027-0000042."))
        return data


class FindMemberForm(forms.Form):
    id_number = CleanCharField(
        label=gettext_lazy("ID number of the member"),
        max_length=24,
        error_messages={"required": gettext_lazy("Enter the member's ID number.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.member: Member | None = None

    def clean_id_number(self) -> str:
        text = self.cleaned_data["id_number"]
        try:
            number = parse_id_number(text)
        except InvalidIdNumber as exc:
            raise forms.ValidationError(exc.message) from exc
        self.member = selectors.member_for_entry(self.user, id_number_index(number.value))
        if self.member is None:
            raise forms.ValidationError(
                _("No active member with this ID number belongs to a union where you handle claims.")
            )
        return number.masked


class ClaimEntryForm(forms.Form):
    plan = forms.TypedChoiceField(label=gettext_lazy("Plan"), coerce=int)
    claim_type = forms.ChoiceField(label=gettext_lazy("Claim type"), choices=ClaimType.choices)
    hospital = CleanCharField(label=gettext_lazy("Hospital"), max_length=MAX_HOSPITAL)
    diagnosis_category = forms.ChoiceField(label=gettext_lazy("Diagnosis"), choices=DiagnosisCategory.choices)
    admitted_on = forms.DateField(
        label=gettext_lazy("Admitted on"),
        required=False,
        widget=DATE_WIDGET,
        input_formats=["%Y-%m-%d"],
        help_text=gettext_lazy("Inpatient claims: the days of the hospital stay."),
    )
    discharged_on = forms.DateField(
        label=gettext_lazy("Discharged on"), required=False, widget=DATE_WIDGET, input_formats=["%Y-%m-%d"]
    )
    treated_on = forms.DateField(
        label=gettext_lazy("Date of treatment"),
        required=False,
        widget=DATE_WIDGET,
        input_formats=["%Y-%m-%d"],
        help_text=gettext_lazy("The other claim types: the day of the treatment or the diagnosis."),
    )
    bank_account_name = CleanCharField(label=gettext_lazy("Account holder"), max_length=60)
    bank_account_number = CleanCharField(
        label=gettext_lazy("Bank account number"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.TypedChoiceField)
        plan_field.choices = [(plan.pk, str(plan)) for plan in selectors.entry_plans(member)]


class LineForm(forms.Form):
    invoice_number = CleanCharField(label=gettext_lazy("Invoice number"), max_length=MAX_INVOICE_NUMBER)
    description = CleanCharField(
        label=gettext_lazy("Description"), max_length=MAX_DESCRIPTION, required=False
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=MAX_AMOUNT,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    excluded = forms.DecimalField(
        label=gettext_lazy("Self-paid or not covered (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=MAX_AMOUNT,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The lines are rows of a table: its column headers are what the eye reads, and each
        # input carries the same words for assistive technology.
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = str(field.label)


class BaseLineFormSet(forms.BaseFormSet[LineForm]):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": gettext_lazy("A claim can have at most %(num)d invoice lines."),
    }

    # The lines are never rows that exist already: a row typed before "add a line" (given as
    # `initial`) is as optional as the new one, and a client's INITIAL_FORMS is not trusted.
    def initial_form_count(self) -> int:
        return 0

    def total_form_count(self) -> int:
        if self.is_bound:
            return super().total_form_count()
        return min(len(self.initial or ()) + self.extra, self.max_num)


# Every row may be left empty and is then not submitted (that is how a line is removed without
# JavaScript); a claim without any line is refused by the service, which says so.
LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=1, max_num=services.MAX_LINES, validate_max=True
)


class RejectForm(forms.Form):
    reason = CleanCharField(
        label=gettext_lazy("Reason for rejection"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The member reads this reason."),
        error_messages={
            "required": gettext_lazy("Give the reason for the rejection: the member is told it.")
        },
    )


class ConfirmForm(forms.Form):
    reason = CleanCharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Add a document"),
        help_text=gettext_lazy("A photo (JPEG, PNG or WebP) or a PDF file, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
    )


# --------------------------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------------------------


QUEUE_COLUMNS = [
    {"key": "reference", "label": gettext_lazy("Reference"), "class": "nowrap"},
    {"key": "member", "label": pgettext_lazy("person", "Name")},
    {"key": "union", "label": gettext_lazy("Union")},
    {"key": "claim_type", "label": gettext_lazy("Claim type")},
    {"key": "submitted", "label": gettext_lazy("Submitted on"), "class": "nowrap"},
    {"key": "payout", "label": gettext_lazy("Payout (yuan)"), "class": "nowrap"},
    {"key": "status", "label": gettext_lazy("Status"), "class": "nowrap"},
]


def _queue_rows(claims: list[AidClaim]) -> list[dict[str, Any]]:
    return [
        {
            "pk": claim.pk,
            "url": reverse("console:mutualaid:claim_detail", args=[claim.pk]),
            "reference": claim.reference,
            "member": claim.member.masked_name,
            "union": claim.org.name,
            "claim_type": claim.get_claim_type_display(),
            "submitted": claim.created_at.date(),
            "payout": "—" if claim.payout is None else yuan(claim.payout),
            "status": claim.get_status_display(),
        }
        for claim in claims
    ]


def _filters(form: QueueFilterForm, user: User, status: str) -> selectors.ClaimFilter | None:
    """The filters of a valid form; None (and an error on the form) when the union code names no
    union in the user's scope."""
    data = form.cleaned_data
    org: Org | None = None
    if code := data.get("org"):
        org = visible(Org, user, Perm.MUTUALAID_VIEW).filter(code=code).first()
        if org is None:
            form.add_error("org", _("There is no union with this code in your scope."))
            return None
    return selectors.ClaimFilter(
        status=status,
        claim_type=data.get("claim_type") or "",
        org=org,
        submitted_from=data.get("submitted_from"),
        submitted_to=data.get("submitted_to"),
        reference=data.get("reference") or "",
    )


@require_GET
@officer_required
def claim_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.MUTUALAID_VIEW)
    status = request.GET.get("status") or AidClaimStatus.ENTERED
    if status not in AidClaimStatus.values:
        status = AidClaimStatus.ENTERED
    form = QueueFilterForm(request.GET)
    scoped = selectors.claims_for(user)
    filters = _filters(form, user, status) if form.is_valid() else None
    if filters is None:
        rows, counts = scoped.none(), selectors.status_counts(scoped.none())
    else:
        counts = selectors.status_counts(selectors.filtered_claims(scoped, filters, with_status=False))
        rows = selectors.queue_order(selectors.filtered_claims(scoped, filters), status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(AidClaimStatus.choices)
    context = {
        "form": form,
        "status": status,
        "status_tabs": [
            {"status": value, "label": labels[value], "count": counts[value], "current": value == status}
            for value in selectors.QUEUE_STATUSES
        ],
        "table_id": "claim-table",
        "caption": _("%(status)s: %(count)s claims")
        % {"status": labels[status], "count": page.paginator.count},
        "columns": QUEUE_COLUMNS,
        "rows": _queue_rows(list(page.object_list)),
        "row_id": "pk",
        "row_link": "url",
        "page_obj": page,
        "empty_message": _("No claim matches these filters."),
        "may_enter": holding(Perm.MUTUALAID_HANDLE)(user),
        "tab": TAB,
        "console_section": SECTION,
    }
    return table_or_page(request, "mutualaid/claim_list.html", context)


# --------------------------------------------------------------------------------------------
# One claim
# --------------------------------------------------------------------------------------------


@dataclass
class ActionForms:
    """The forms of the claim page, bound when they were just submitted with errors."""

    reject: RejectForm
    confirm: ConfirmForm
    document: DocumentForm
    # Reject lines: the chosen line ids, the reasons typed and the errors, by line id.
    chosen_lines: frozenset[int] = frozenset()
    line_reasons: dict[int, str] | None = None
    line_errors: dict[int, list[str]] | None = None
    lines_error: str = ""


def _plan_url(claim: AidClaim) -> str | None:
    """The plan's console page (its rules), when the plans pages are installed."""
    try:
        return reverse("console:mutualaid:plan_detail", args=[claim.plan_id])
    except NoReverseMatch:
        return None


def _history(claim: AidClaim, medical: bool) -> list[Any]:
    entries = selectors.claim_history(claim)
    if not medical:
        for entry in entries:
            if entry.action not in PAYMENT_ACTIONS:
                entry.comment = ""  # in memory only: the row is never saved from here
    return entries


def _eligible(line: AidClaimLine) -> Decimal:
    """What the line brings to the payout: nothing once rejected (the engine's rule)."""
    return ZERO if line.line_status == LineStatus.REJECTED else line.amount - line.excluded


def _detail(
    request: HttpRequest, user: User, claim: AidClaim, forms_: ActionForms | None = None, status: int = 200
) -> HttpResponse:
    medical = selectors.can_see_medical(user, claim)
    actions = selectors.permitted_actions(user, claim)
    lines = selectors.claim_lines(claim) if medical else []
    forms_ = forms_ or ActionForms(reject=RejectForm(), confirm=ConfirmForm(), document=DocumentForm())
    reasons = forms_.line_reasons or {}
    errors = forms_.line_errors or {}
    context = {
        "claim": claim,
        "payout": None if claim.payout is None else yuan(claim.payout),
        "medical": medical,
        "lines": [
            {
                "line": line,
                "amount": yuan(line.amount),
                "excluded": yuan(line.excluded),
                "eligible": yuan(
                    ZERO if line.line_status == LineStatus.REJECTED else line.amount - line.excluded
                ),
                "chosen": line.pk in forms_.chosen_lines,
                "reason": reasons.get(line.pk, ""),
                "errors": errors.get(line.pk, []),
            }
            for line in lines
        ],
        "attachments": selectors.claim_attachments(claim) if medical else [],
        "history": _history(claim, medical),
        "plan_url": _plan_url(claim),
        "actions": actions,
        "may_check": AidClaimAction.CHECK in actions,
        "may_reject_lines": AidClaimAction.REJECT_LINES in actions and bool(lines),
        "may_approve": AidClaimAction.APPROVE in actions,
        "may_confirm": AidClaimAction.CONFIRM in actions,
        "may_reject": AidClaimAction.REJECT in actions,
        "may_add_documents": selectors.may_add_documents(user, claim),
        "forms": forms_,
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "mutualaid/claim_detail.html", context, status=status)


@require_GET
@officer_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _detail(request, user, selectors.visible_claim(user, pk))


def _act(request: HttpRequest, claim: AidClaim, action: Any, done: str) -> HttpResponse:
    """Run a service call without a form of its own; its refusal is shown on the claim page."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("console:mutualaid:claim_detail", pk=claim.pk)


@require_POST
@officer_required
def claim_check(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = selectors.visible_claim(user, pk)
    return _act(
        request,
        claim,
        lambda: services.check_claim(claim, actor=user),
        _("The claim has been checked and its payout computed."),
    )


@require_POST
@officer_required
def claim_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = selectors.visible_claim(user, pk)
    try:
        approved = services.approve_claim(claim, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if approved.status == AidClaimStatus.SECOND_REVIEW:
            messages.info(
                request,
                _("The claim was drawn for a second review: another handler confirms or rejects it."),
            )
        else:
            messages.success(request, _("The claim has been approved and waits for payment."))
    return redirect("console:mutualaid:claim_detail", pk=claim.pk)


@require_POST
@officer_required
def claim_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = selectors.visible_claim(user, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        forms_ = ActionForms(reject=RejectForm(), confirm=form, document=DocumentForm())
        return _detail(request, user, claim, forms_, status=422)
    return _act(
        request,
        claim,
        lambda: services.second_review_claim(
            claim, actor=user, approve=True, reason=form.cleaned_data["reason"]
        ),
        _("The second review has confirmed the claim: it waits for payment."),
    )


@require_POST
@officer_required
def claim_reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = selectors.visible_claim(user, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.reject_claim(claim, actor=user, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("console:mutualaid:claim_detail", pk=claim.pk)
        else:
            messages.success(request, _("The claim has been rejected. The member is shown the reason."))
            return redirect("console:mutualaid:claim_detail", pk=claim.pk)
    forms_ = ActionForms(reject=form, confirm=ConfirmForm(), document=DocumentForm())
    return _detail(request, user, claim, forms_, status=422)


def _line_ids(raw: list[str], known: set[int]) -> list[int] | None:
    """The chosen line ids, or None when one is not a line of the claim (a stale or forged form)."""
    ids: list[int] = []
    for text in raw:
        if not text.isdigit() or int(text) not in known:
            return None
        ids.append(int(text))
    return ids


@require_POST
@officer_required
def claim_reject_lines(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = selectors.visible_claim(user, pk)
    lines = {line.pk: line for line in selectors.claim_lines(claim)}
    chosen = _line_ids(request.POST.getlist("line"), set(lines))
    if chosen is None:
        messages.error(request, _("The lines shown have changed. Look at them again and choose."))
        return redirect("console:mutualaid:claim_detail", pk=claim.pk)
    reasons = {line_id: request.POST.get(f"reason_{line_id}", "") for line_id in chosen}
    try:
        services.reject_lines(claim, actor=user, reasons=reasons)
    except ValidationFailed as exc:
        by_position = {line.position - 1: line.pk for line in lines.values()}
        line_errors: dict[int, list[str]] = {}
        general: list[str] = []
        for field, field_messages in exc.fields.items():
            parts = field.split(".")
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) in by_position:
                line_errors.setdefault(by_position[int(parts[1])], []).extend(field_messages)
            else:
                general.extend(field_messages)
        forms_ = ActionForms(
            reject=RejectForm(),
            confirm=ConfirmForm(),
            document=DocumentForm(),
            chosen_lines=frozenset(chosen),
            line_reasons={line_id: str(text) for line_id, text in reasons.items()},
            line_errors=line_errors,
            lines_error=" ".join(general) or (exc.message if not line_errors else ""),
        )
        return _detail(request, user, claim, forms_, status=422)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The lines have been rejected and the payout computed again."))
    return redirect("console:mutualaid:claim_detail", pk=claim.pk)


def _content(upload: UploadedFile) -> bytes:
    """The upload's bytes; a file larger than a document may be is refused before it is read."""
    try:
        return read_upload(upload, max_bytes=MAX_DOCUMENT_BYTES)
    except FileTooLarge:
        message = _("A document may be at most %(size)s MB. Make it smaller and upload it again.") % {
            "size": MAX_DOCUMENT_BYTES // 2**20
        }
        raise ValidationFailed(message, fields={"file": [message]}) from None


@require_POST
@officer_required
def claim_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = selectors.visible_claim(user, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_claim_attachment(claim, actor=user, name=upload.name or "", content=_content(upload))
        except ValidationFailed as exc:
            show_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("console:mutualaid:claim_detail", pk=claim.pk)
        else:
            messages.success(request, _("The document has been added to the claim."))
            return redirect("console:mutualaid:claim_detail", pk=claim.pk)
    forms_ = ActionForms(reject=RejectForm(), confirm=ConfirmForm(), document=form)
    return _detail(request, user, claim, forms_, status=422)


@require_GET
@officer_required
def claim_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A claim document, for claim handlers only (finance officers and auditors get 404)."""
    attachment = selectors.handled_attachment(signed_in_user(request), pk, document_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # A FileResponse streams the file; it is not the HttpResponse officer_required's type names.
    return cast("HttpResponse", response)


# --------------------------------------------------------------------------------------------
# Entering a claim for a member
# --------------------------------------------------------------------------------------------


def _render_entry(
    request: HttpRequest,
    find: FindMemberForm,
    member: Member | None,
    form: ClaimEntryForm | None,
    lines: Any,
    documents_error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "find": find,
        "member": member,
        "form": form,
        "lines": lines,
        "documents_error": documents_error,
        "max_lines": services.MAX_LINES,
        "no_plans": form is not None and not form.fields["plan"].choices,  # type: ignore[attr-defined]
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "mutualaid/claim_form.html", context, status=status)


def _grown(data: Any) -> list[dict[str, str]]:
    """The invoice lines typed so far, as the initial rows of the page the "add a line" button
    asks for (the formset adds the empty row): what was typed comes back, without errors."""
    total = data.get("lines-TOTAL_FORMS", "1")
    count = min(int(total), services.MAX_LINES) if total.isdigit() else 1
    return [
        {name: data.get(f"lines-{index}-{name}", "") for name in LineForm.base_fields}
        for index in range(count)
    ]


def _entry_member(request: HttpRequest, user: User) -> Member | None:
    raw = request.POST.get("member", "")
    if not raw.isdigit():
        return None
    return visible(Member, user, Perm.MUTUALAID_HANDLE).select_related("org").filter(pk=int(raw)).first()


def _line_inputs(lines: Any) -> list[services.LineInput]:
    return [
        services.LineInput(
            invoice_number=data["invoice_number"],
            amount=data["amount"],
            excluded=data.get("excluded") or "0.00",
            description=data.get("description") or "",
        )
        for data in lines.cleaned_data
        if data
    ]


def _documents(request: HttpRequest) -> tuple[list[tuple[str, bytes]], str]:
    """The uploaded documents, each checked as the service checks it, so that a refused file is
    named before anything is written; (documents, the first refusal)."""
    uploads = request.FILES.getlist("documents")
    if len(uploads) > services.MAX_ATTACHMENTS:
        return [], _("A claim can have at most %(limit)s documents.") % {"limit": services.MAX_ATTACHMENTS}
    documents: list[tuple[str, bytes]] = []
    for upload in uploads:
        try:
            content = _content(upload)
            check_document(content)
        except ValidationFailed as exc:
            return [], _("%(file)s: %(problem)s") % {"file": upload.name, "problem": exc.message}
        documents.append((upload.name or "", content))
    return documents, ""


def _date_fields(data: dict[str, Any]) -> dict[str, date | None]:
    if data["claim_type"] == ClaimType.INPATIENT:
        return {"admitted_on": data.get("admitted_on"), "discharged_on": data.get("discharged_on")}
    return {"treated_on": data.get("treated_on")}


@require_http_methods(["GET", "POST"])
@officer_required
def claim_new(request: HttpRequest) -> HttpResponse:
    """Step 1 (GET with ?id_number=): find the member in a union where the officer handles claims.
    Step 2 (POST): the claim with its invoice lines, bank account and documents."""
    user = signed_in_user(request)
    require_somewhere(user, Perm.MUTUALAID_HANDLE)
    if request.method == "GET":
        find = FindMemberForm(request.GET if "id_number" in request.GET else None, user=user)
        if not find.is_bound or not find.is_valid() or find.member is None:
            # A search, like the queue's filters: a miss is an answer, not a failed submission.
            return _render_entry(request, find, None, None, None)
        member = find.member
        form = ClaimEntryForm(member=member, initial={"claim_type": ClaimType.INPATIENT})
        return _render_entry(request, find, member, form, LineFormSet(prefix="lines"))
    find = FindMemberForm(user=user)
    found = _entry_member(request, user)
    if found is None:
        raise Http404
    member = found
    if "add_line" in request.POST:
        form = ClaimEntryForm(initial=request.POST.dict(), member=member)
        return _render_entry(
            request, find, member, form, LineFormSet(prefix="lines", initial=_grown(request.POST))
        )
    form = ClaimEntryForm(request.POST, member=member)
    lines = LineFormSet(request.POST, prefix="lines")
    documents, documents_error = _documents(request)
    if not (form.is_valid() and lines.is_valid()) or documents_error:
        return _render_entry(request, find, member, form, lines, documents_error, status=422)
    data = form.cleaned_data
    try:
        with transaction.atomic():  # the claim and its documents, or nothing
            claim = services.submit_claim(
                data["plan"],
                actor=user,
                member=member,
                claim_type=data["claim_type"],
                hospital=data["hospital"],
                diagnosis_category=data["diagnosis_category"],
                lines=_line_inputs(lines),
                bank_account_name=data["bank_account_name"],
                bank_account_number=data["bank_account_number"],
                **_date_fields(data),
            )
            for name, content in documents:
                services.add_claim_attachment(claim, actor=user, name=name, content=content)
    except DomainError as exc:
        _show_entry_error(form, lines, exc)
        return _render_entry(request, find, member, form, lines, status=422)
    messages.success(
        request,
        _("Claim %(reference)s has been entered. Check it to compute the payout.")
        % {"reference": claim.reference},
    )
    return redirect("console:mutualaid:claim_detail", pk=claim.pk)


def _show_entry_error(form: ClaimEntryForm, lines: Any, error: DomainError) -> None:
    """The service's field errors next to their fields: `lines.N.field` on the N-th shown line."""
    kept = [line_form for line_form in lines.forms if line_form.cleaned_data]
    rest: dict[str, list[str]] = {}
    for field, field_messages in error.fields.items():
        parts = field.split(".")
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(kept):
            for message in field_messages:
                kept[int(parts[1])].add_error(parts[2] if parts[2] in LineForm.base_fields else None, message)
        else:
            rest[field] = field_messages
    show_domain_error(form, DomainError(error.message, fields=rest))


urlpatterns: list[URLPattern] = [
    path("claims/", claim_list, name="claim_list"),
    path("claims/new/", claim_new, name="claim_new"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/check/", claim_check, name="claim_check"),
    path("claims/<int:pk>/reject-lines/", claim_reject_lines, name="claim_reject_lines"),
    path("claims/<int:pk>/approve/", claim_approve, name="claim_approve"),
    path("claims/<int:pk>/confirm/", claim_confirm, name="claim_confirm"),
    path("claims/<int:pk>/reject/", claim_reject, name="claim_reject"),
    path("claims/<int:pk>/documents/", claim_document_upload, name="claim_document_upload"),
    path("claims/<int:pk>/documents/<int:document_pk>/", claim_document, name="claim_document"),
]
