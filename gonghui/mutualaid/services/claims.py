"""Mutual aid claims (理赔): submission, the check that computes the payout, approval with a
sampled second review, rejection (whole or per line), and the documents.

States and transitions: `AID_CLAIM_TRANSITIONS` in models.py (docs/mutualaid-rules.md):

    entered ──check──▶ checked ──approve──▶ approved ──(payments.py)──▶ in_payment ──▶ paid
       │                │  ▲ check / reject_lines                 ▲                      │
       │                │  └────────┘                             └── payment_failed ────┘
       │                └──send_to_review──▶ second_review ──confirm──▶ approved
       └──── reject (also from checked and second_review) ────▶ rejected

Who: a member submits for themselves (enrolled in an open plan, treated within the coverage
period); an officer holding MUTUALAID_HANDLE on the member's union submits for them. Checking,
approving, rejecting and the second review need MUTUALAID_HANDLE on the federation running the
plan. A second reviewer is never the officer who checked or approved the claim.

Duplicate invoices: each invoice number of a claim is a row of `AidInvoice(plan, number)` with a
unique index, so the same number in two claims of the plan is refused even when both are
submitted at the same moment: the database, not a read before the write, decides (a lock on the
plan row would do it too, but would make every submission of a two-million-member scheme wait
for every other). The rows of a rejected claim are deleted, so its numbers can be claimed again.

The year cap: a check sums the payouts of the person's other claims of the plan and claim type
that are checked, in second review, approved, in payment or paid (a check reserves its payout),
with the person's `Enrolment` row locked, so two checks of two claims of one person are
serialised and cannot both use the same room under the cap.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit, snapshot
from gonghui.core.documents import store_document, too_many_documents
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.text import normalize_name, normalize_text
from gonghui.members.models import Member, MemberStatus
from gonghui.mutualaid.models import (
    AID_CLAIM_TRANSITIONS,
    CAP_STATUSES,
    MAX_HOSPITAL,
    MAX_INVOICE_NUMBER,
    MAX_REASON,
    AidClaim,
    AidClaimAction,
    AidClaimAttachment,
    AidClaimHistory,
    AidClaimLine,
    AidClaimStatus,
    AidInvoice,
    AidPlan,
    AidPlanStatus,
    ClaimChannel,
    ClaimType,
    DiagnosisCategory,
    Enrolment,
    LineStatus,
)
from gonghui.mutualaid.payout import MAX_DESCRIPTION, InvoiceLine, compute_payout, terms_of
from gonghui.mutualaid.services.plans import _day, _is_day, _money, rule_in_force
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

MAX_LINES = 50
MAX_ATTACHMENTS = 20
CLAIM_FIELDS = (
    "plan",
    "member",
    "org",
    "claim_type",
    "hospital",
    "diagnosis_category",
    "admitted_on",
    "discharged_on",
    "treated_on",
    "bank_account_name",
    "bank_account_number",
    "channel",
    "status",
)
_INVOICE_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]*")
_ACCOUNT_NUMBER = re.compile(r"[0-9]{8,30}")
# Statuses in which the member may still add documents.
OPEN_FOR_DOCUMENTS = frozenset({AidClaimStatus.ENTERED, AidClaimStatus.CHECKED, AidClaimStatus.SECOND_REVIEW})


@dataclass(frozen=True)
class LineInput:
    invoice_number: str
    amount: Decimal | str
    excluded: Decimal | str = Decimal("0.00")
    description: str = ""


def normalise_invoice_number(raw: str) -> str:
    """ " ｆｐ２０２７-０１ " → "FP2027-01": full-width to half-width, no spaces, upper case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(text.split()).upper()


def normalise_account_number(raw: str) -> str:
    """Digits only: people type bank card numbers in groups of four."""
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"[\s-]", "", text)


# --- permission helpers ----------------------------------------------------------------------


def _locked_claim(claim: AidClaim | int) -> AidClaim:
    pk = claim.pk if isinstance(claim, AidClaim) else claim
    found = (
        AidClaim.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__org", "org")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("The claim was not found."))
    return found


def _require_handle(actor: Any, claim: AidClaim) -> None:
    """MUTUALAID_HANDLE on the plan's federation; NotFound when the actor cannot see the claim."""
    if has_perm_at(actor, Perm.MUTUALAID_HANDLE, claim.plan.org.path):
        return
    if has_perm_at(actor, Perm.MUTUALAID_HANDLE, claim.org.path) or has_perm_at(
        actor, Perm.MUTUALAID_VIEW, claim.org.path
    ):
        raise Forbidden(_("Only claim handlers of the federation running the plan may decide on claims."))
    raise NotFound(_("The claim was not found."))


def _is_own_claim(actor: Any, claim: AidClaim) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return Member.objects.filter(user=actor, id_number_index=claim.person_index).exists()


def _history(claim: AidClaim, action: str, before: str, actor: Any, comment: str = "") -> None:
    AidClaimHistory.objects.create(
        claim=claim,
        action=action,
        from_status=before,
        to_status=claim.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )


def _reason(errors: FieldErrors, field: str, raw: str | None, *, required: bool = True) -> str:
    text = normalize_text(raw or "")
    if required and not text:
        errors.add(field, _("Give a reason."))
    elif len(text) > MAX_REASON:
        errors.add(field, _("Enter at most %(limit)s characters.") % {"limit": MAX_REASON})
    return text


# --- submitting --------------------------------------------------------------------------------


def _plan(plan: AidPlan | int) -> AidPlan:
    pk = plan.pk if isinstance(plan, AidPlan) else plan
    found = AidPlan.objects.select_related("org").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("The mutual aid plan was not found."))
    return found


def _claimant(plan: AidPlan, actor: Any, member: Member | int | None) -> tuple[Member, str]:
    """The member the claim is for and the channel, after the permission check."""
    if member is None:
        own = (
            Member.objects.filter(user=actor, status=MemberStatus.ACTIVE).select_related("org").first()
            if getattr(actor, "is_authenticated", False)
            else None
        )
        if own is None:
            raise NotFound(_("There is no active union membership under your account."))
        if plan.status != AidPlanStatus.OPEN:
            raise Conflict(_("The plan is not in force: claims cannot be submitted online."))
        return own, ClaimChannel.MEMBER
    pk = member.pk if isinstance(member, Member) else member
    found = Member.objects.select_related("org").filter(pk=pk).first()
    if found is None or not has_perm_at(actor, Perm.MUTUALAID_HANDLE, found.org.path):
        raise NotFound(_("The member was not found."))
    if not found.org.path.startswith(plan.org.path):
        raise NotFound(_("The mutual aid plan was not found."))
    if plan.status == AidPlanStatus.DRAFT:
        raise Conflict(_("The plan is not in force yet: no claims can be made."))
    return found, ClaimChannel.OFFICER


@transaction.atomic
def submit_claim(
    plan: AidPlan | int,
    *,
    actor: Any,
    member: Member | int | None = None,
    claim_type: str,
    hospital: str,
    diagnosis_category: str,
    treated_on: date | None = None,
    admitted_on: date | None = None,
    discharged_on: date | None = None,
    lines: Sequence[LineInput],
    bank_account_name: str,
    bank_account_number: str,
) -> AidClaim:
    """A new claim, status `entered`. `member=None`: the signed-in member claims for themselves;
    otherwise an officer claims for `member`. A hospital stay (inpatient) gives the admission and
    discharge days and is treated on the admission day; the other types give `treated_on`."""
    found = _plan(plan)
    claimant, channel = _claimant(found, actor, member)
    enrolment = Enrolment.objects.filter(plan=found, person_index=claimant.id_number_index).first()
    if enrolment is None:
        raise Conflict(
            _("You are not enrolled in this plan: ask your union to enrol you first.")
            if channel == ClaimChannel.MEMBER
            else _("The member is not enrolled in this plan.")
        )
    errors = FieldErrors()
    if claim_type not in ClaimType.values:
        errors.add("claim_type", _("Choose one of the claim types."))
    if diagnosis_category not in DiagnosisCategory.values:
        errors.add("diagnosis_category", _("Choose one of the diagnosis categories."))
    hospital = normalize_text(hospital or "")
    if not hospital:
        errors.add("hospital", _("This field is required."))
    elif len(hospital) > MAX_HOSPITAL:
        errors.add("hospital", _("Enter at most %(limit)s characters.") % {"limit": MAX_HOSPITAL})
    day: date | None = None
    if claim_type == ClaimType.INPATIENT:
        for field, value in (("admitted_on", admitted_on), ("discharged_on", discharged_on)):
            if not _is_day(value):
                errors.add(field, _("Enter a valid date."))
        if _is_day(admitted_on) and _is_day(discharged_on):
            assert admitted_on is not None
            assert discharged_on is not None
            if discharged_on < admitted_on:
                errors.add("discharged_on", _("The discharge cannot be before the admission."))
            day = admitted_on
        day_field = "admitted_on"
    else:
        admitted_on = discharged_on = None
        if not _is_day(treated_on):
            errors.add("treated_on", _("Enter a valid date."))
        else:
            day = treated_on
        day_field = "treated_on"
    if day is not None:
        if not found.covers(day):
            errors.add(
                day_field,
                _("The date of treatment must lie in the plan's coverage period, %(start)s to %(end)s.")
                % {"start": _day(found.coverage_start), "end": _day(found.coverage_end)},
            )
        elif day > timezone.localdate():
            errors.add(day_field, _("The date of treatment cannot be in the future."))
    name = normalize_name(bank_account_name or "")
    if not name:
        errors.add("bank_account_name", _("This field is required."))
    elif len(name) > 60:
        errors.add("bank_account_name", _("Enter at most %(limit)s characters.") % {"limit": 60})
    account = normalise_account_number(bank_account_number)
    if not _ACCOUNT_NUMBER.fullmatch(account):
        errors.add("bank_account_number", _("Enter the bank account number: 8 to 30 digits."))
    parsed = _parse_lines(errors, lines)
    errors.raise_if_any(_("Some of the claim is not valid. See the fields."))
    assert day is not None

    numbers = sorted({line.invoice_number for line in parsed})
    _refuse_duplicates(found, numbers, parsed)
    claim = AidClaim.objects.create(
        plan=found,
        enrolment=enrolment,
        member=claimant,
        person_index=claimant.id_number_index,
        org=claimant.org,
        claim_type=claim_type,
        hospital=hospital,
        diagnosis_category=diagnosis_category,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        treated_on=day,
        bank_account_name=name,
        bank_account_number=account,
        channel=channel,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        status=AidClaimStatus.ENTERED,
    )
    AidClaimLine.objects.bulk_create(
        AidClaimLine(
            claim=claim,
            position=position,
            invoice_number=line.invoice_number,
            description=line.description,
            amount=line.amount,
            excluded=line.excluded,
        )
        for position, line in enumerate(parsed, start=1)
    )
    try:
        with transaction.atomic():
            AidInvoice.objects.bulk_create(
                AidInvoice(plan=found, number=number, claim=claim) for number in numbers
            )
    except IntegrityError:  # the same number claimed by a claim committed a moment ago
        _refuse_duplicates(found, numbers, parsed, exclude=claim.pk)
        raise Conflict(_("One of the invoice numbers was claimed at the same moment. Try again.")) from None
    _history(claim, AidClaimAction.SUBMIT, "", actor)
    after = snapshot(claim, CLAIM_FIELDS)
    after["lines"] = [[line.invoice_number, str(line.amount), str(line.excluded)] for line in parsed]
    record_audit(
        actor=actor,
        action="mutualaid.submit_claim",
        obj=claim,
        changes={key: [None, value] for key, value in after.items()},
    )
    return claim


@dataclass(frozen=True)
class _Line:
    invoice_number: str
    description: str
    amount: Decimal
    excluded: Decimal


def _parse_lines(errors: FieldErrors, lines: Sequence[LineInput]) -> list[_Line]:
    if not lines:
        errors.add("lines", _("Add at least one invoice line."))
        return []
    if len(lines) > MAX_LINES:
        errors.add("lines", _("A claim can have at most %(limit)s invoice lines.") % {"limit": MAX_LINES})
        return []
    parsed: list[_Line] = []
    for index, line in enumerate(lines):
        where = f"lines.{index}"
        number = normalise_invoice_number(line.invoice_number)
        if not number:
            errors.add(f"{where}.invoice_number", _("Enter the invoice number."))
        elif len(number) > MAX_INVOICE_NUMBER or not _INVOICE_NUMBER.fullmatch(number):
            errors.add(
                f"{where}.invoice_number",
                _("An invoice number has at most %(limit)s letters, digits and hyphens.")
                % {"limit": MAX_INVOICE_NUMBER},
            )
        description = normalize_text(line.description or "")
        if len(description) > MAX_DESCRIPTION:
            errors.add(
                f"{where}.description", _("Enter at most %(limit)s characters.") % {"limit": MAX_DESCRIPTION}
            )
        amount = _money(errors, f"{where}.amount", line.amount)
        excluded = _money(errors, f"{where}.excluded", line.excluded)
        if amount is not None and excluded is not None and excluded > amount:
            errors.add(
                f"{where}.excluded",
                _("The self-paid part cannot be more than the line's amount (%(amount)s yuan).")
                % {"amount": f"{amount:,.2f}"},
            )
        if amount is not None and excluded is not None:
            parsed.append(_Line(number, description, amount, excluded))
    return parsed


def _refuse_duplicates(
    plan: AidPlan, numbers: list[str], lines: list[_Line], exclude: int | None = None
) -> None:
    used = AidInvoice.objects.filter(plan=plan, number__in=numbers).select_related("claim", "claim__plan")
    if exclude is not None:
        used = used.exclude(claim_id=exclude)
    taken = {row.number: row.claim for row in used}
    if not taken:
        return
    errors = FieldErrors()
    for index, line in enumerate(lines):
        other = taken.get(line.invoice_number)
        if other is not None:
            errors.add(
                f"lines.{index}.invoice_number",
                _("Invoice %(number)s is already part of claim %(claim)s.")
                % {"number": line.invoice_number, "claim": other.reference},
            )
    first = next(iter(sorted(taken)))
    raise ValidationFailed(
        _("Invoice %(number)s is already part of claim %(claim)s: an invoice can be claimed once.")
        % {"number": first, "claim": taken[first].reference},
        code="duplicate_invoice",
        fields=errors.fields,
    )


# --- checking: the payout ------------------------------------------------------------------------


def paid_this_year(claim: AidClaim) -> Decimal:
    """What the person's other claims of the plan and type have reserved or been paid (the
    caller holds the enrolment row's lock)."""
    total = (
        AidClaim.objects.of_person(claim.plan, claim.person_index)
        .filter(claim_type=claim.claim_type, status__in=CAP_STATUSES)
        .exclude(pk=claim.pk)
        .aggregate(total=Sum("payout"))["total"]
    )
    return Decimal(total or 0).quantize(Decimal("0.01"))


def _compute(claim: AidClaim) -> None:
    """Lock the person's enrolment, pick the rule version in force on the treatment day and store
    the payout with its steps on `claim` (not saved)."""
    enrolment = Enrolment.objects.select_for_update().get(pk=claim.enrolment_id)
    try:
        rule = rule_in_force(claim.plan, claim.claim_type, claim.treated_on)
    except NotFound as exc:
        raise Conflict(exc.message) from None
    lines = [
        InvoiceLine(
            description=line.description or line.invoice_number,
            amount=line.amount,
            excluded=line.amount if line.line_status == LineStatus.REJECTED else line.excluded,
        )
        for line in claim.lines.all()
    ]
    result = compute_payout(
        terms_of(rule),
        lines,
        treated_on=claim.treated_on,
        enrolled_on=enrolment.enrolled_on,
        paid_this_year=paid_this_year(claim),
    )
    claim.rule = rule
    claim.payout = result.amount
    claim.payout_steps = [{"label": step.label, "amount": str(step.amount)} for step in result.steps]


def _move(claim: AidClaim, action: str, actor: Any, *, comment: str = "", fields: Sequence[str] = ()) -> None:
    transition = AID_CLAIM_TRANSITIONS.require(action, claim.status)
    before = claim.status
    claim.status = transition.target
    claim.save(update_fields=["status", "updated_at", *fields])
    _history(claim, action, before, actor, comment)


@transaction.atomic
def check_claim(claim: AidClaim | int, *, actor: Any) -> AidClaim:
    """Entered (or checked again) → checked: the payout computed with the rule version in force on
    the date of treatment, with what the person's other claims already use of the year cap."""
    found = _locked_claim(claim)
    _require_handle(actor, found)
    AID_CLAIM_TRANSITIONS.require(AidClaimAction.CHECK, found.status)
    before = {"payout": None if found.payout is None else str(found.payout), "rule": found.rule_id}
    _compute(found)
    found.checked_by = actor
    found.checked_at = timezone.now()
    _move(
        found,
        AidClaimAction.CHECK,
        actor,
        fields=["rule", "payout", "payout_steps", "checked_by", "checked_at"],
    )
    record_audit(
        actor=actor,
        action="mutualaid.check_claim",
        obj=found,
        changes={
            "status": ["", found.status],
            "payout": [before["payout"], str(found.payout)],
            "rule": [before["rule"], found.rule_id],
        },
    )
    return found


@transaction.atomic
def reject_lines(claim: AidClaim | int, *, actor: Any, reasons: Mapping[int, str]) -> AidClaim:
    """Reject some invoice lines of a checked claim (each with its reason) and recompute: a
    rejected line counts as entirely excluded. `reasons` maps line ids to reasons."""
    found = _locked_claim(claim)
    _require_handle(actor, found)
    AID_CLAIM_TRANSITIONS.require(AidClaimAction.REJECT_LINES, found.status)
    lines = {line.pk: line for line in found.lines.all()}
    errors = FieldErrors()
    if not reasons:
        errors.add("lines", _("Choose the lines to reject."))
    cleaned: dict[int, str] = {}
    for line_id, raw in reasons.items():
        line = lines.get(line_id)
        if line is None:
            errors.add("lines", _("Line %(id)s is not part of this claim.") % {"id": line_id})
            continue
        cleaned[line_id] = _reason(errors, f"lines.{line.position - 1}.reason", raw)
    errors.raise_if_any()
    for line_id, reason in cleaned.items():
        line = lines[line_id]
        line.line_status = LineStatus.REJECTED
        line.reject_reason = reason
        line.save(update_fields=["line_status", "reject_reason"])
    before = str(found.payout)
    _compute(found)
    comment = "; ".join(f"{lines[pk].invoice_number}: {reason}" for pk, reason in cleaned.items())
    _move(
        found, AidClaimAction.REJECT_LINES, actor, comment=comment, fields=["rule", "payout", "payout_steps"]
    )
    record_audit(
        actor=actor,
        action="mutualaid.reject_lines",
        obj=found,
        changes={"payout": [before, str(found.payout)], "rejected_lines": [None, sorted(cleaned)]},
        note=comment,
    )
    return found


def _sampled(rate: Decimal) -> bool:
    """Whether this approval goes to second review: with probability `rate` (4 decimal places),
    drawn by the operating system's generator so nobody can predict or steer it."""
    threshold = int((rate * 10000).to_integral_value())
    return secrets.randbelow(10000) < threshold


@transaction.atomic
def approve_claim(
    claim: AidClaim | int, *, actor: Any, draw: Callable[[Decimal], bool] | None = None
) -> AidClaim:
    """Checked → approved, or → second review for the plan's sampled share of approvals.
    `draw` replaces the secret draw where the outcome must be reproducible (the demo's seeded
    generator); pages and the API never pass one."""
    found = _locked_claim(claim)
    _require_handle(actor, found)
    AID_CLAIM_TRANSITIONS.require(AidClaimAction.APPROVE, found.status)
    if not found.payout:
        raise Conflict(_("The payout is 0.00 yuan: reject the claim with a reason instead of approving it."))
    sampled = (draw or _sampled)(found.plan.second_review_rate)
    found.approved_by = actor
    found.approved_at = timezone.now()
    found.second_review = sampled
    action = AidClaimAction.SEND_TO_REVIEW if sampled else AidClaimAction.APPROVE
    before = found.status
    _move(found, action, actor, fields=["approved_by", "approved_at", "second_review"])
    if not sampled:
        found.decided_at = found.approved_at
        found.save(update_fields=["decided_at"])
    record_audit(
        actor=actor,
        action=f"mutualaid.{action}_claim",
        obj=found,
        changes={"status": [before, found.status], "second_review": [False, sampled]},
    )
    return found


def _require_second_reviewer(actor: Any, claim: AidClaim) -> None:
    actor_id = getattr(actor, "pk", None)
    if actor_id is not None and actor_id in {claim.checked_by_id, claim.approved_by_id}:
        raise Forbidden(
            _(
                "A second review must be done by someone other than the officer who checked or approved "
                "the claim."
            )
        )


@transaction.atomic
def second_review_claim(claim: AidClaim | int, *, actor: Any, approve: bool, reason: str = "") -> AidClaim:
    """The second reviewer's decision: confirm (→ approved) or reject with a reason."""
    found = _locked_claim(claim)
    _require_handle(actor, found)
    if not approve:
        return _reject(found, actor, reason)
    AID_CLAIM_TRANSITIONS.require(AidClaimAction.CONFIRM, found.status)
    _require_second_reviewer(actor, found)
    errors = FieldErrors()
    note = _reason(errors, "reason", reason, required=False)
    errors.raise_if_any()
    found.reviewed_by = actor
    found.decided_at = timezone.now()
    _move(found, AidClaimAction.CONFIRM, actor, comment=note, fields=["reviewed_by", "decided_at"])
    record_audit(
        actor=actor,
        action="mutualaid.confirm_claim",
        obj=found,
        changes={"status": [AidClaimStatus.SECOND_REVIEW, found.status]},
        note=note,
    )
    return found


@transaction.atomic
def reject_claim(claim: AidClaim | int, *, actor: Any, reason: str) -> AidClaim:
    """Entered, checked or in second review → rejected, with the reason the member reads. The
    claim's invoice numbers become free to be claimed again."""
    found = _locked_claim(claim)
    _require_handle(actor, found)
    return _reject(found, actor, reason)


def _reject(found: AidClaim, actor: Any, reason: str) -> AidClaim:
    AID_CLAIM_TRANSITIONS.require(AidClaimAction.REJECT, found.status)
    if found.status == AidClaimStatus.SECOND_REVIEW:
        _require_second_reviewer(actor, found)
        found.reviewed_by = actor
    errors = FieldErrors()
    text = _reason(errors, "reason", reason)
    errors.raise_if_any()
    before = found.status
    found.decision_reason = text
    found.decided_at = timezone.now()
    _move(
        found,
        AidClaimAction.REJECT,
        actor,
        comment=text,
        fields=["decision_reason", "decided_at", "reviewed_by"],
    )
    AidInvoice.objects.filter(claim=found).delete()
    record_audit(
        actor=actor,
        action="mutualaid.reject_claim",
        obj=found,
        changes={"status": [before, found.status]},
        note=text,
    )
    return found


# --- documents -----------------------------------------------------------------------------------


@transaction.atomic
def add_claim_attachment(
    claim: AidClaim | int, *, actor: Any, name: str, content: bytes
) -> AidClaimAttachment:
    """A document for a claim not yet decided: by the member whose claim it is, or by a handler
    (MUTUALAID_HANDLE on the member's union or above). Stored under a random name."""
    found = _locked_claim(claim)
    if not _is_own_claim(actor, found) and not has_perm_at(actor, Perm.MUTUALAID_HANDLE, found.org.path):
        raise NotFound(_("The claim was not found."))
    if found.status not in OPEN_FOR_DOCUMENTS:
        raise Conflict(_("The claim has been decided: no more documents can be added."))
    if found.attachments.count() >= MAX_ATTACHMENTS:
        raise too_many_documents(MAX_ATTACHMENTS)
    attachment = AidClaimAttachment(claim=found)
    stored = store_document(attachment, actor=actor, name=name, content=content)
    record_audit(
        actor=actor,
        action="mutualaid.add_claim_attachment",
        obj=found,
        changes={"attachment": [None, stored]},
    )
    return attachment
