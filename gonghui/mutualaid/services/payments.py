"""Payments (赔付): approved claims are paid in batches by a bank transfer file.

`create_payment_batch` takes every approved claim of the plan (approved → in_payment);
`export_payment_batch` writes the transfer file (`bank_transfer_file`) and marks the batch
exported; `mark_paid` closes it when the bank has answered: the claims it names as failed go back
to approved (the payment queue) with the bank's reason in their history, all others are paid.
All of it needs MUTUALAID_HANDLE on the federation running the plan.

The transfer file is CSV, UTF-8 with a byte order mark (so Excel and WPS open it as UTF-8),
columns 序号, 户名, 账号, 金额, 用途; amounts are the exact payouts with two decimals; no cell
can start a formula (`gonghui.core.spreadsheets.neutralise_formula`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound
from gonghui.core.spreadsheets import neutralise_formula
from gonghui.mutualaid.models import (
    AID_CLAIM_TRANSITIONS,
    AidClaim,
    AidClaimAction,
    AidClaimHistory,
    AidClaimStatus,
    AidPlan,
    PaymentBatch,
    PaymentBatchStatus,
)
from gonghui.mutualaid.services.claims import _reason
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

ZERO = Decimal("0.00")
TRANSFER_COLUMNS = ("序号", "户名", "账号", "金额", "用途")


def _require_handle(actor: Any, plan: AidPlan) -> None:
    if has_perm_at(actor, Perm.MUTUALAID_HANDLE, plan.org.path):
        return
    if has_perm_at(actor, Perm.MUTUALAID_VIEW, plan.org.path):
        raise Forbidden(_("Only claim handlers of the federation running the plan may pay claims."))
    raise NotFound(_("The mutual aid plan was not found."))


def _locked_batch(batch: PaymentBatch | int, actor: Any) -> PaymentBatch:
    pk = batch.pk if isinstance(batch, PaymentBatch) else batch
    found = (
        PaymentBatch.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__org")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("The payment batch was not found."))
    _require_handle(actor, found.plan)
    return found


def _history_rows(
    claims: Iterable[AidClaim],
    action: str,
    before: str,
    after: str,
    actor: Any,
    comments: Mapping[int, str] | None = None,
) -> None:
    AidClaimHistory.objects.bulk_create(
        AidClaimHistory(
            claim=claim,
            action=action,
            from_status=before,
            to_status=after,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            comment=(comments or {}).get(claim.pk, ""),
        )
        for claim in claims
    )


@transaction.atomic
def create_payment_batch(plan: AidPlan | int, *, actor: Any) -> PaymentBatch:
    """A batch of every approved claim of the plan (each approved → in_payment)."""
    pk = plan.pk if isinstance(plan, AidPlan) else plan
    found = AidPlan.objects.select_related("org").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("The mutual aid plan was not found."))
    _require_handle(actor, found)
    transition = AID_CLAIM_TRANSITIONS[AidClaimAction.ADD_TO_PAYMENT]
    claims = list(
        AidClaim.objects.select_for_update().filter(plan=found, status__in=transition.sources).order_by("pk")
    )
    if not claims:
        raise Conflict(_("There are no approved claims waiting for payment."))
    batch = PaymentBatch.objects.create(
        plan=found,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        count=len(claims),
        total=sum((claim.payout or ZERO for claim in claims), start=ZERO),
    )
    AidClaim.objects.filter(pk__in=[claim.pk for claim in claims]).update(
        status=transition.target, payment_batch=batch, updated_at=timezone.now()
    )
    _history_rows(claims, AidClaimAction.ADD_TO_PAYMENT, AidClaimStatus.APPROVED, transition.target, actor)
    record_audit(
        actor=actor,
        action="mutualaid.create_payment_batch",
        obj=batch,
        org=found.org,
        changes={
            "count": [None, batch.count],
            "total": [None, str(batch.total)],
            "claims": [None, [c.pk for c in claims]],
        },
    )
    return batch


def bank_transfer_file(batch: PaymentBatch) -> bytes:
    """The bank transfer file of the batch's claims (see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TRANSFER_COLUMNS)
    claims = AidClaim.objects.filter(payment_batch=batch).select_related("plan").order_by("pk")
    for number, claim in enumerate(claims, start=1):
        purpose = _("Mutual aid payout, claim %(claim)s") % {"claim": claim.reference}
        writer.writerow(
            [
                str(number),
                neutralise_formula(claim.bank_account_name),
                neutralise_formula(claim.bank_account_number),
                f"{claim.payout:.2f}",
                neutralise_formula(purpose),
            ]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


@transaction.atomic
def export_payment_batch(batch: PaymentBatch | int, *, actor: Any) -> bytes:
    """The transfer file; the batch becomes `exported` (exporting again gives the same file)."""
    found = _locked_batch(batch, actor)
    if found.status == PaymentBatchStatus.CLOSED:
        raise Conflict(_("The payment batch is closed."))
    content = bank_transfer_file(found)
    before = found.status
    found.status = PaymentBatchStatus.EXPORTED
    found.exported_at = timezone.now()
    found.save(update_fields=["status", "exported_at", "updated_at"])
    record_audit(
        actor=actor,
        action="mutualaid.export_payment_batch",
        obj=found,
        org=found.plan.org,
        changes={"status": [before, found.status]},
    )
    return content


@transaction.atomic
def mark_paid(
    batch: PaymentBatch | int,
    *,
    actor: Any,
    failed_claim_ids: Iterable[int] = (),
    reasons: Mapping[int, str] | None = None,
) -> PaymentBatch:
    """The bank's answer: the failed claims (each with a reason) return to approved, the others
    are paid; the batch is closed."""
    found = _locked_batch(batch, actor)
    if found.status != PaymentBatchStatus.EXPORTED:
        raise Conflict(_("Export the transfer file before recording the bank's answer."))
    claims = {claim.pk: claim for claim in AidClaim.objects.select_for_update().filter(payment_batch=found)}
    failed = sorted(set(failed_claim_ids))
    reasons = reasons or {}
    errors = FieldErrors()
    cleaned: dict[int, str] = {}
    for claim_id in failed:
        if claim_id not in claims:
            errors.add(
                "failed_claim_ids", _("Claim %(id)s is not part of this payment batch.") % {"id": claim_id}
            )
            continue
        cleaned[claim_id] = _reason(errors, f"reasons.{claim_id}", reasons.get(claim_id))
    errors.raise_if_any()
    now = timezone.now()
    failing = [claims[pk] for pk in failed]
    paying = [claim for pk, claim in claims.items() if pk not in cleaned]
    paid = AID_CLAIM_TRANSITIONS[AidClaimAction.MARK_PAID]
    back = AID_CLAIM_TRANSITIONS[AidClaimAction.PAYMENT_FAILED]
    AidClaim.objects.filter(pk__in=[c.pk for c in paying]).update(
        status=paid.target, paid_at=now, updated_at=now
    )
    AidClaim.objects.filter(pk__in=failed).update(status=back.target, payment_batch=None, updated_at=now)
    _history_rows(paying, AidClaimAction.MARK_PAID, AidClaimStatus.IN_PAYMENT, paid.target, actor)
    _history_rows(
        failing, AidClaimAction.PAYMENT_FAILED, AidClaimStatus.IN_PAYMENT, back.target, actor, cleaned
    )
    found.status = PaymentBatchStatus.CLOSED
    found.closed_at = now
    found.save(update_fields=["status", "closed_at", "updated_at"])
    record_audit(
        actor=actor,
        action="mutualaid.mark_paid",
        obj=found,
        org=found.plan.org,
        changes={
            "status": [PaymentBatchStatus.EXPORTED, found.status],
            "paid": [None, sorted(c.pk for c in paying)],
            "failed": [None, {str(pk): reason for pk, reason in cleaned.items()}],
        },
    )
    return found
