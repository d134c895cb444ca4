"""Member portal pages of mutual aid: submit a claim, my claims, one claim and its documents.

A claim is submitted with its documents in one POST, all or nothing: the claim and every
document are written in one transaction, so one refused photo leaves no claim behind (and the
files already stored for it are removed), and the message names the file and the reason. The
documents are checked before anything is written, so that their problems are shown together
with those of the other fields.

A double tap arrives as two submissions of the same invoice numbers; the second is refused by
the invoice-number uniqueness. When the claim holding those numbers is the member's own, the page
takes them to it instead of showing an error about their own claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import formset_factory
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.accounts.models import User
from gonghui.core.documents import MAX_DOCUMENT_BYTES, check_document, too_many_documents
from gonghui.core.errors import DomainError, NotFound, ValidationFailed
from gonghui.core.forms import DocumentsField, MultipleFileInput, show_domain_error
from gonghui.core.images import FileTooLarge, read_upload
from gonghui.core.inputs import CleanCharField
from gonghui.core.money import InvalidAmount, parse_money
from gonghui.mutualaid.models import (
    MAX_HOSPITAL,
    MAX_INVOICE_NUMBER,
    AidClaim,
    AidClaimAction,
    AidClaimAttachment,
    AidClaimLine,
    AidClaimStatus,
    AidInvoice,
    BenefitRule,
    ClaimChannel,
    ClaimType,
    DiagnosisCategory,
    Enrolment,
)
from gonghui.mutualaid.payout import MAX_DESCRIPTION, yuan
from gonghui.mutualaid.portal_views.coverage import (
    get_my_claim,
    my_claims,
    open_enrolments,
)
from gonghui.mutualaid.services import claims as claim_services

CLAIMS_PER_PAGE = 20
MAX_ACCOUNT_NAME = 60
LINE_PREFIX = "lines"

# What each status means to the member, and what happens next.
STATUS_WORDS: dict[str, str | Promise] = {
    AidClaimStatus.ENTERED: gettext_lazy("Submitted, waiting to be checked"),
    AidClaimStatus.CHECKED: gettext_lazy("Checked, waiting for approval"),
    AidClaimStatus.SECOND_REVIEW: gettext_lazy("In a second review"),
    AidClaimStatus.APPROVED: gettext_lazy("Approved, payment on the way"),
    AidClaimStatus.REJECTED: gettext_lazy("Not approved"),
    AidClaimStatus.IN_PAYMENT: gettext_lazy("Being paid to your bank account"),
    AidClaimStatus.PAID: gettext_lazy("Paid"),
}
NEXT_STEPS: dict[str, str | Promise] = {
    AidClaimStatus.ENTERED: gettext_lazy(
        "The claim handlers of the federation check your invoices and documents and work out the "
        "payout. If something is missing, they contact you. You can still add documents here."
    ),
    AidClaimStatus.CHECKED: gettext_lazy(
        "The payout has been worked out as shown below. It is final once the claim is approved."
    ),
    AidClaimStatus.SECOND_REVIEW: gettext_lazy(
        "A share of approved claims, drawn at random, is looked at again by a second officer. "
        "Yours was drawn; this is no sign of a problem."
    ),
    AidClaimStatus.APPROVED: gettext_lazy(
        "The payout is transferred to your bank account with the next payment batch."
    ),
    AidClaimStatus.REJECTED: gettext_lazy(
        "The claim was not approved for the reason given. The invoices can be claimed again in a "
        "new claim, for example with the missing documents. Ask your union if anything is unclear."
    ),
    AidClaimStatus.IN_PAYMENT: gettext_lazy(
        "The transfer has been sent to the bank. It usually arrives within a few working days."
    ),
    AidClaimStatus.PAID: gettext_lazy("The payout has been paid to your bank account."),
}
# The history in member-friendly words; comments are shown only for the reasons of refusals
# (the others are notes between officers).
HISTORY_WORDS: dict[str, str | Promise] = {
    AidClaimAction.SUBMIT: gettext_lazy("Claim submitted"),
    AidClaimAction.CHECK: gettext_lazy("Checked and the payout worked out"),
    AidClaimAction.REJECT_LINES: gettext_lazy("Some invoice lines were not accepted"),
    AidClaimAction.APPROVE: gettext_lazy("Approved"),
    AidClaimAction.SEND_TO_REVIEW: gettext_lazy("Drawn for a second review"),
    AidClaimAction.CONFIRM: gettext_lazy("Confirmed in the second review"),
    AidClaimAction.REJECT: gettext_lazy("Not approved"),
    AidClaimAction.ADD_TO_PAYMENT: gettext_lazy("Added to a bank transfer"),
    AidClaimAction.MARK_PAID: gettext_lazy("Paid to your bank account"),
    AidClaimAction.PAYMENT_FAILED: gettext_lazy("The bank transfer failed: it will be sent again"),
}
REASON_ACTIONS = frozenset({AidClaimAction.REJECT, AidClaimAction.REJECT_LINES})
# Before approval the payout can still change (a line may be refused).
FINAL_PAYOUT = frozenset({AidClaimStatus.APPROVED, AidClaimStatus.IN_PAYMENT, AidClaimStatus.PAID})
OPEN_FOR_DOCUMENTS = frozenset({AidClaimStatus.ENTERED, AidClaimStatus.CHECKED, AidClaimStatus.SECOND_REVIEW})


@dataclass(frozen=True)
class HistoryStep:
    at: Any
    words: str
    reason: str


def member_history(claim: AidClaim) -> list[HistoryStep]:
    steps: list[HistoryStep] = []
    for entry in claim.history.all():
        words = str(HISTORY_WORDS.get(entry.action, entry.get_action_display()))
        if entry.action == AidClaimAction.SUBMIT and claim.channel == ClaimChannel.OFFICER:
            words = _("Claim entered by your union")
        reason = entry.comment if entry.action in REASON_ACTIONS else ""
        steps.append(HistoryStep(entry.created_at, words, reason))
    return steps


# --- the form --------------------------------------------------------------------------------------


class ClaimForm(forms.Form):
    plan = forms.TypedChoiceField(label=gettext_lazy("Plan"), coerce=int)
    claim_type = forms.ChoiceField(label=gettext_lazy("What are you claiming for?"), widget=forms.RadioSelect)
    hospital = CleanCharField(
        label=gettext_lazy("Hospital"),
        max_length=MAX_HOSPITAL,
        help_text=gettext_lazy("As printed on the invoice, e.g. 示范市第一人民医院."),
    )
    diagnosis_category = forms.ChoiceField(label=gettext_lazy("Illness or injury"))
    admitted_on = forms.DateField(
        label=gettext_lazy("Admitted on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    discharged_on = forms.DateField(
        label=gettext_lazy("Discharged on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    treated_on = forms.DateField(
        label=gettext_lazy("Date of treatment"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("For an outpatient visit or an accident: the day on the invoice."),
    )
    bank_account_name = CleanCharField(
        label=gettext_lazy("Account holder"),
        max_length=MAX_ACCOUNT_NAME,
        help_text=gettext_lazy("The payout is paid to your own account: the name must be yours."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    bank_account_number = CleanCharField(
        label=gettext_lazy("Bank card or account number"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    documents = DocumentsField(
        label=gettext_lazy("Photos of the documents"),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "multiple": True}),
    )

    def __init__(
        self, enrolments: Sequence[Enrolment], claim_types: Sequence[str], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.TypedChoiceField)
        plan_field.choices = [(e.plan_id, str(e.plan)) for e in enrolments]
        if len(enrolments) == 1:
            plan_field.widget = forms.HiddenInput()
            plan_field.initial = enrolments[0].plan_id
        type_field = self.fields["claim_type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [(value, ClaimType(value).label) for value in claim_types]
        diagnosis = self.fields["diagnosis_category"]
        assert isinstance(diagnosis, forms.ChoiceField)
        diagnosis.choices = [("", _("Choose…")), *DiagnosisCategory.choices]
        self.fields["documents"].help_text = _(
            "Invoices, the expense list and the discharge summary or diagnosis: photos or PDF files, "
            "up to %(limit)s files of at most %(size)s MB each."
        ) % {"limit": claim_services.MAX_ATTACHMENTS, "size": MAX_DOCUMENT_BYTES // 2**20}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("claim_type") == ClaimType.INPATIENT:
            for name in ("admitted_on", "discharged_on"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Enter the date of the hospital stay."))
        elif data.get("claim_type") and not data.get("treated_on") and "treated_on" not in self.errors:
            self.add_error("treated_on", _("Enter the date of treatment."))
        return data


class LineForm(forms.Form):
    """One invoice line. A row left wholly empty is skipped (a spare row from "add a line")."""

    invoice_number = CleanCharField(
        label=gettext_lazy("Invoice number"), max_length=MAX_INVOICE_NUMBER + 20, required=False
    )
    amount = CleanCharField(
        label=gettext_lazy("Invoice amount (yuan)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    excluded = CleanCharField(
        label=gettext_lazy("Of which self-paid (yuan)"),
        max_length=30,
        required=False,
        help_text=gettext_lazy("The 自费 part printed on the invoice; 0 if none."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    description = CleanCharField(
        label=gettext_lazy("What for (optional)"), max_length=MAX_DESCRIPTION, required=False
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank():
            return data
        if not data.get("invoice_number"):
            self.add_error("invoice_number", _("Enter the invoice number."))
        for name in ("amount", "excluded"):
            text = data.get(name) or ""
            if not text:
                if name == "amount":
                    self.add_error(name, _("Enter the amount."))
                continue
            try:
                parse_money(text)
            except InvalidAmount as exc:
                self.add_error(name, exc.message)
        return data


LineFormSet = formset_factory(
    LineForm,
    extra=0,
    min_num=1,
    max_num=claim_services.MAX_LINES,
    absolute_max=claim_services.MAX_LINES,
    validate_max=True,
)


def _claim_types(enrolments: Sequence[Enrolment]) -> list[str]:
    """The claim types the member's plans have a rule for, in the usual order."""
    used = set(
        BenefitRule.objects.filter(plan_id__in=[e.plan_id for e in enrolments]).values_list(
            "claim_type", flat=True
        )
    )
    return [value for value in ClaimType.values if value in used]


# --- documents -------------------------------------------------------------------------------------


def too_large_message() -> str:
    """The document check's own words, for a file refused before it is read whole."""
    return _("A document may be at most %(size)s MB. Make it smaller and upload it again.") % {
        "size": MAX_DOCUMENT_BYTES // 2**20
    }


def read_documents(files: Sequence[UploadedFile]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The documents' names and bytes, and one message per refused file naming it (the service's
    own check, run before anything is written)."""
    documents: list[tuple[str, bytes]] = []
    problems: list[str] = []
    if len(files) > claim_services.MAX_ATTACHMENTS:
        return [], [too_many_documents(claim_services.MAX_ATTACHMENTS).message]
    for upload in files:
        name = upload.name or _("(no name)")
        try:
            content = read_upload(upload, max_bytes=MAX_DOCUMENT_BYTES)
            check_document(content)
        except FileTooLarge:
            problems.append(_("%(file)s: %(reason)s") % {"file": name, "reason": too_large_message()})
            continue
        except ValidationFailed as error:
            problems.append(_("%(file)s: %(reason)s") % {"file": name, "reason": error.message})
            continue
        documents.append((name, content))
    return documents, problems


def attach_documents(
    claim: AidClaim, user: User, documents: Sequence[tuple[str, bytes]]
) -> list[AidClaimAttachment]:
    """Add the documents inside the caller's transaction. When one is refused the stored files of
    the others are removed (the rollback removes their rows) and the refusal names the file."""
    saved: list[AidClaimAttachment] = []
    try:
        for name, content in documents:
            try:
                saved.append(
                    claim_services.add_claim_attachment(claim, actor=user, name=name, content=content)
                )
            except ValidationFailed as error:  # about the file itself; other refusals stand as they are
                message = _("%(file)s: %(reason)s") % {"file": name, "reason": error.message}
                raise ValidationFailed(message, code=error.code, fields={"documents": [message]}) from None
    except BaseException:
        for attachment in saved:
            attachment.file.delete(save=False)
        raise
    return saved


def _submit(
    user: User, form: ClaimForm, lines: list[claim_services.LineInput], documents: list[tuple[str, bytes]]
) -> AidClaim:
    data = form.cleaned_data
    inpatient = data["claim_type"] == ClaimType.INPATIENT
    with transaction.atomic():
        claim = claim_services.submit_claim(
            data["plan"],
            actor=user,
            claim_type=data["claim_type"],
            hospital=data["hospital"],
            diagnosis_category=data["diagnosis_category"],
            treated_on=None if inpatient else data.get("treated_on"),
            admitted_on=data.get("admitted_on") if inpatient else None,
            discharged_on=data.get("discharged_on") if inpatient else None,
            lines=lines,
            bank_account_name=data["bank_account_name"],
            bank_account_number=data["bank_account_number"],
        )
        attach_documents(claim, user, documents)
    return claim


def own_duplicate(user: User, plan_id: int, lines: Sequence[claim_services.LineInput]) -> AidClaim | None:
    """The member's own claim that already holds every one of these invoice numbers (a double
    tap, or the back button after submitting), or None."""
    numbers = {claim_services.normalise_invoice_number(line.invoice_number) for line in lines}
    used = AidInvoice.objects.filter(plan_id=plan_id, number__in=numbers)
    rows = list(used.values_list("claim_id", flat=True))
    if len(rows) != len(numbers) or len(set(rows)) != 1:
        return None
    return my_claims(user).filter(pk=rows[0]).first()


def _show_line_errors(
    formset: Any, rows: list[int], error: DomainError, lines_errors: list[str]
) -> dict[str, list[str]]:
    """Put the service's "lines.N.field" errors on row N's form (N counts the non-blank rows)
    and its "lines" errors in `lines_errors`; the other errors are returned for the claim form."""
    rest: dict[str, list[str]] = {}
    for key, texts in error.fields.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(rows):
            line_form = formset.forms[rows[int(parts[1])]]
            for text in texts:
                line_form.add_error(parts[2] if parts[2] in line_form.fields else None, text)
        elif key == "lines":
            lines_errors.extend(texts)
        else:
            rest[key] = texts
    return rest


@require_http_methods(["GET", "POST"])
@never_cache
@member_area
def claim_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    enrolments = open_enrolments(user)
    if not enrolments:
        return render(request, "mutualaid/portal_claim_unavailable.html", {"nav_section": "services"})
    claim_types = _claim_types(enrolments)
    lines_errors: list[str] = []
    if request.method == "POST":
        form = ClaimForm(enrolments, claim_types, request.POST, request.FILES)
        formset = LineFormSet(request.POST, prefix=LINE_PREFIX)
        done = _post(request, user, form, formset, lines_errors)
        if done is not None:
            return done
    else:
        form = ClaimForm(enrolments, claim_types, initial=_initial(user))
        formset = LineFormSet(prefix=LINE_PREFIX)
    context = {
        "form": form,
        "formset": formset,
        "lines_errors": [*(formset.non_form_errors() if formset.is_bound else []), *lines_errors],
        # A browser never keeps chosen files when the page comes back with errors.
        "files_dropped": bool(request.FILES),
        "max_lines": claim_services.MAX_LINES,
        "nav_section": "services",
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "mutualaid/portal_claim_form.html", context, status=status)


def _post(
    request: HttpRequest, user: User, form: ClaimForm, formset: Any, lines_errors: list[str]
) -> HttpResponse | None:
    """Submit the claim with its documents: the redirect to it, or None with every problem on
    the forms (and in `lines_errors`)."""
    form_ok = form.is_valid()
    lines_ok = formset.is_valid()
    documents, problems = read_documents(form.cleaned_data.get("documents") or [])
    for problem in problems:
        form.add_error("documents", problem)
    rows = [index for index, line_form in enumerate(formset.forms) if not line_form.is_blank()]
    if lines_ok and not rows:
        lines_errors.append(_("Add at least one invoice line."))
        lines_ok = False
    if not (form_ok and lines_ok) or problems:
        return None
    lines = [
        claim_services.LineInput(
            invoice_number=data["invoice_number"],
            amount=data["amount"],
            excluded=data["excluded"] or "0",
            description=data["description"],
        )
        for data in (formset.forms[index].cleaned_data for index in rows)
    ]
    try:
        claim = _submit(user, form, lines, documents)
    except DomainError as error:
        if error.code == "duplicate_invoice":
            earlier = own_duplicate(user, form.cleaned_data["plan"], lines)
            if earlier is not None:
                messages.info(request, _("You have already submitted this claim. Here it is."))
                return redirect("portal:mutualaid_claim", pk=earlier.pk)
        rest = _show_line_errors(formset, rows, error, lines_errors)
        show_domain_error(form, DomainError(error.message, code=error.code, fields=rest))
        return None
    messages.success(
        request,
        _("Your claim %(reference)s has been submitted. We will let you know here how it goes.")
        % {"reference": claim.reference},
    )
    return redirect("portal:mutualaid_claim", pk=claim.pk)


def _initial(user: User) -> dict[str, Any]:
    """The account holder's name from the latest claim: most members claim to the same card."""
    last = my_claims(user).select_related(None).only("bank_account_name").first()
    return {"bank_account_name": last.bank_account_name} if last is not None else {}


# --- my claims -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimCard:
    claim: AidClaim
    status_words: str
    payout_final: bool

    @property
    def payout_yuan(self) -> str:
        """ "5,700.00", as the payout explanation writes amounts."""
        return "" if self.claim.payout is None else yuan(self.claim.payout)


@dataclass(frozen=True)
class LineRow:
    line: AidClaimLine
    amount: str
    excluded: str


def claim_card(claim: AidClaim) -> ClaimCard:
    return ClaimCard(claim, str(STATUS_WORDS[claim.status]), claim.status in FINAL_PAYOUT)


@require_GET
@never_cache
@member_area
def claim_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(my_claims(signed_in_user(request)), CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "cards": [claim_card(claim) for claim in page.object_list],
        "page_obj": page,
        "can_claim": bool(open_enrolments(signed_in_user(request))),
        "nav_section": "services",
    }
    return render(request, "mutualaid/portal_claim_list.html", context)


class DocumentForm(forms.Form):
    documents = DocumentsField(
        label=gettext_lazy("Add documents"),
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "multiple": True}),
    )


def _claim_or_404(user: User, pk: int) -> AidClaim:
    try:
        return get_my_claim(user, pk)
    except NotFound:
        raise Http404 from None


def _detail_context(claim: AidClaim, document_form: DocumentForm) -> dict[str, Any]:
    return {
        "claim": claim,
        "card": claim_card(claim),
        "next_step": NEXT_STEPS[claim.status],
        "history": member_history(claim),
        "lines": [LineRow(line, yuan(line.amount), yuan(line.excluded)) for line in claim.lines.all()],
        "attachments": list(claim.attachments.all()),
        "can_add_documents": claim.status in OPEN_FOR_DOCUMENTS,
        "document_form": document_form,
        "nav_section": "services",
    }


@require_GET
@never_cache
@member_area
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(signed_in_user(request), pk)
    return render(request, "mutualaid/portal_claim_detail.html", _detail_context(claim, DocumentForm()))


@require_POST
@never_cache
@member_area
def claim_add_documents(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    claim = _claim_or_404(user, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        documents, problems = read_documents(form.cleaned_data["documents"])
        for problem in problems:
            form.add_error("documents", problem)
        if not problems:
            try:
                with transaction.atomic():
                    attach_documents(claim, user, documents)
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _("The documents have been added to your claim."))
                return redirect("portal:mutualaid_claim", pk=claim.pk)
    claim = _claim_or_404(user, pk)  # what is stored now, not the attempt
    return render(request, "mutualaid/portal_claim_detail.html", _detail_context(claim, form), status=422)


@require_GET
@never_cache
@member_area
def claim_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """One of the documents of the member's own claim (under MEDIA_ROOT, never served publicly)."""
    claim = _claim_or_404(signed_in_user(request), pk)
    document = claim.attachments.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    return document_response(document)


def document_response(document: AidClaimAttachment) -> HttpResponse:
    """The file as a download (a FileResponse streams it; it is not an HttpResponse subclass,
    which the decorators' types expect, hence the cast)."""
    try:
        stream = document.file.open("rb")
    except FileNotFoundError:  # the row outlived its file (a restore without the media folder)
        raise Http404 from None
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return cast("HttpResponse", response)


urlpatterns: list[URLPattern] = [
    path("mutualaid/claims/", claim_list, name="mutualaid_claims"),
    path("mutualaid/claims/new/", claim_new, name="mutualaid_claim_new"),
    path("mutualaid/claims/<int:pk>/", claim_detail, name="mutualaid_claim"),
    path("mutualaid/claims/<int:pk>/documents/", claim_add_documents, name="mutualaid_claim_documents"),
    path(
        "mutualaid/claims/<int:pk>/documents/<int:document_pk>/",
        claim_document,
        name="mutualaid_claim_document",
    ),
]
