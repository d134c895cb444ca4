"""Reads of mutual aid claims and payment batches that the console, the API and the portal share.

Medical details — hospital, diagnosis, admission and discharge days, invoice lines, documents
and the payout explanation — are shown only to claim handlers (MUTUALAID_HANDLE on the claim's
union or above) and to the member whose claim it is. `can_see_medical` is the one place that
decides it; pages, API answers and exports ask it instead of checking a permission themselves.
Officers who only hold MUTUALAID_VIEW (finance officers, auditors) see the queue and the
payments: reference, member (masked), union, claim type, status, payout and dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from gonghui.members.models import Member
from gonghui.mutualaid.models import (
    AID_CLAIM_TRANSITIONS,
    AidClaim,
    AidClaimAction,
    AidClaimAttachment,
    AidClaimStatus,
    AidPlan,
    AidPlanStatus,
    Enrolment,
    PaymentBatch,
)
from gonghui.mutualaid.payout import yuan
from gonghui.mutualaid.services.claims import OPEN_FOR_DOCUMENTS
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, scope_paths, visible

ZERO = Decimal("0.00")
# The tabs of the queue, in the order a claim moves through them.
QUEUE_STATUSES: tuple[AidClaimStatus, ...] = (
    AidClaimStatus.ENTERED,
    AidClaimStatus.CHECKED,
    AidClaimStatus.SECOND_REVIEW,
    AidClaimStatus.APPROVED,
    AidClaimStatus.IN_PAYMENT,
    AidClaimStatus.PAID,
    AidClaimStatus.REJECTED,
)
# Statuses someone still has to act on: worked through oldest first.
WORK_STATUSES = frozenset(
    {AidClaimStatus.ENTERED, AidClaimStatus.CHECKED, AidClaimStatus.SECOND_REVIEW, AidClaimStatus.APPROVED}
)
# "2027-0000042" as `AidClaim.reference` writes it, or the bare number after the year.
_REFERENCE = re.compile(r"(?:(\d{4})-)?0*(\d{1,10})")


# --- who sees what ---------------------------------------------------------------------------


def is_own_claim(user: Any, claim: AidClaim) -> bool:
    """Whether `user` is the person the claim is for (through any of their memberships)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Member.objects.filter(user=user, id_number_index=claim.person_index).exists()


def can_see_medical(user: Any, claim: AidClaim) -> bool:
    """Claim handlers of the claim's union or above, and the member whose claim it is."""
    if has_perm_at(user, Perm.MUTUALAID_HANDLE, claim.org.path):
        return True
    return is_own_claim(user, claim)


def may_decide(user: Any, claim: AidClaim) -> bool:
    """Checking, approving, rejecting and the second review: handlers of the plan's federation."""
    return has_perm_at(user, Perm.MUTUALAID_HANDLE, claim.plan.org.path)


def permitted_actions(user: Any, claim: AidClaim) -> frozenset[str]:
    """The workflow actions a claim page may offer `user`: those the transition table allows from
    the claim's status, when the user decides on the plan's claims. Payments are not offered here
    (they are taken by payment batches). The services check everything again."""
    if not may_decide(user, claim):
        return frozenset()
    offered = {
        AidClaimAction.CHECK,
        AidClaimAction.REJECT_LINES,
        AidClaimAction.APPROVE,
        AidClaimAction.CONFIRM,
        AidClaimAction.REJECT,
    }
    return frozenset(action for action in offered if claim.status in AID_CLAIM_TRANSITIONS[action].sources)


def may_add_documents(user: Any, claim: AidClaim) -> bool:
    """A handler of the claim's union or above, while the claim is not yet decided."""
    return claim.status in OPEN_FOR_DOCUMENTS and has_perm_at(user, Perm.MUTUALAID_HANDLE, claim.org.path)


# --- claims ----------------------------------------------------------------------------------


def claims_for(user: Any, perm: Perm = Perm.MUTUALAID_VIEW) -> QuerySet[AidClaim]:
    """The claims of the unions in which `user` holds `perm`, with what a list row shows."""
    return visible(AidClaim, user, perm).select_related("plan", "plan__org", "org", "member")


def own_claims(user: Any) -> QuerySet[AidClaim]:
    """The signed-in member's own claims (any of their memberships), newest first."""
    if not getattr(user, "is_authenticated", False):
        return AidClaim.objects.none()
    persons = Member.objects.filter(user=user).values("id_number_index")
    return (
        AidClaim.objects.filter(person_index__in=persons)
        .select_related("plan", "plan__org", "org", "member", "rule")
        .order_by("-created_at", "-id")
    )


def visible_claim(user: Any, pk: int, perm: Perm = Perm.MUTUALAID_VIEW) -> AidClaim:
    """One claim in `user`'s scope, or Http404 (missing and out of scope alike)."""
    rows = AidClaim.objects.select_related("plan", "plan__org", "org", "member", "rule")
    return get_visible(rows, user, perm, pk=pk)


def parse_reference(text: str) -> tuple[int | None, int] | None:
    """(year or None, id) of a claim reference such as "2027-0000042" or "42"; None if it is not one."""
    match = _REFERENCE.fullmatch((text or "").strip())
    if match is None:
        return None
    year, number = match.groups()
    return (int(year) if year else None, int(number))


@dataclass(frozen=True)
class ClaimFilter:
    status: str = ""  # "" for every status
    claim_type: str = ""
    org: Org | None = None  # the union subtree
    submitted_from: date | None = None
    submitted_to: date | None = None
    reference: str = ""


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_claims(
    rows: QuerySet[AidClaim], filters: ClaimFilter, *, with_status: bool = True
) -> QuerySet[AidClaim]:
    """`rows` narrowed by every filter (the status only when `with_status`: the tab counts are
    taken over the other filters)."""
    if with_status and filters.status:
        rows = rows.filter(status=filters.status)
    if filters.claim_type:
        rows = rows.filter(claim_type=filters.claim_type)
    if filters.org is not None:
        rows = rows.filter(org__path__startswith=filters.org.path)
    if filters.submitted_from is not None:
        rows = rows.filter(created_at__gte=_day_start(filters.submitted_from))
    if filters.submitted_to is not None:
        rows = rows.filter(created_at__lt=_day_start(filters.submitted_to + timedelta(days=1)))
    if filters.reference:
        parsed = parse_reference(filters.reference)
        if parsed is None:
            return rows.none()
        year, pk = parsed
        rows = rows.filter(pk=pk)
        if year is not None:
            rows = rows.filter(plan__year=year)
    return rows


def queue_order(rows: QuerySet[AidClaim], status: str) -> QuerySet[AidClaim]:
    """Work states oldest first, as they are worked through; the others newest first."""
    if status in WORK_STATUSES:
        return rows.order_by("created_at", "id")
    return rows.order_by("-created_at", "-id")


def status_counts(rows: QuerySet[AidClaim]) -> dict[str, int]:
    """How many of `rows` are in each status (one GROUP BY query)."""
    counts = {status.value: 0 for status in QUEUE_STATUSES}
    for row in rows.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def claim_lines(claim: AidClaim) -> list[Any]:
    return list(claim.lines.order_by("position"))


def claim_attachments(claim: AidClaim) -> list[AidClaimAttachment]:
    return list(claim.attachments.order_by("created_at", "id"))


def claim_history(claim: AidClaim) -> list[Any]:
    return list(claim.history.select_related("actor").order_by("created_at", "id"))


def handled_attachment(user: Any, claim_pk: int, attachment_pk: int) -> AidClaimAttachment:
    """A document of a claim in a handler's scope (Http404 otherwise, also for finance officers
    and auditors: documents are medical details)."""
    claim = visible_claim(user, claim_pk, Perm.MUTUALAID_HANDLE)
    found = AidClaimAttachment.objects.filter(claim=claim, pk=attachment_pk).first()
    if found is None:
        raise Http404
    return found


# --- officer entry ---------------------------------------------------------------------------


def member_for_entry(user: Any, id_number_index: str) -> Member | None:
    """The active member with this ID number in a union where `user` handles claims."""
    return (
        visible(Member, user, Perm.MUTUALAID_HANDLE)
        .filter(id_number_index=id_number_index, status="active")
        .select_related("org")
        .first()
    )


def entry_plans(member: Member) -> QuerySet[AidPlan]:
    """The plans an officer may enter a claim under for `member`: those the person is enrolled in,
    in force or ended (late paper claims), newest first."""
    enrolled = Enrolment.objects.filter(person_index=member.id_number_index).values("plan_id")
    return (
        AidPlan.objects.filter(pk__in=enrolled)
        .exclude(status=AidPlanStatus.DRAFT)
        .select_related("org")
        .order_by("-year", "name", "id")
    )


# --- payment batches -------------------------------------------------------------------------


def batches_for(user: Any, perm: Perm = Perm.MUTUALAID_VIEW) -> QuerySet[PaymentBatch]:
    return visible(PaymentBatch, user, perm).select_related("plan", "plan__org", "created_by")


def visible_batch(user: Any, pk: int, perm: Perm = Perm.MUTUALAID_VIEW) -> PaymentBatch:
    rows = PaymentBatch.objects.select_related("plan", "plan__org", "created_by")
    return get_visible(rows, user, perm, pk=pk)


def batch_claims(batch: PaymentBatch) -> QuerySet[AidClaim]:
    """The claims of a batch: all of them until the bank's answer, then those paid (`mark_paid`
    detaches the failed ones, which go back to the queue and into a later batch)."""
    return AidClaim.objects.filter(payment_batch=batch).select_related("plan", "org", "member").order_by("pk")


def transfer_file_name(batch: PaymentBatch) -> str:
    return f"mutualaid-payment-{batch.plan.year}-{batch.pk}.csv"


@dataclass(frozen=True)
class Payable:
    """The approved claims of one plan waiting for a payment batch."""

    plan: AidPlan
    count: int
    total: Decimal

    @property
    def total_text(self) -> str:
        return yuan(self.total)


def payable_plans(user: Any) -> list[Payable]:
    """The plans whose claims `user` may pay (MUTUALAID_HANDLE on the federation), with how many
    approved claims wait and their total, from one grouped query."""
    plans = visible(AidPlan, user, Perm.MUTUALAID_HANDLE).select_related("org")
    rows = (
        AidClaim.objects.filter(plan__in=plans, status=AidClaimStatus.APPROVED)
        .order_by()
        .values("plan_id")
        .annotate(n=Count("id"), total=Sum("payout"))
    )
    waiting = {row["plan_id"]: row for row in rows}
    found = {plan.pk: plan for plan in plans.filter(pk__in=list(waiting)).order_by("-year", "name", "id")}
    return [
        Payable(plan=plan, count=waiting[pk]["n"], total=Decimal(waiting[pk]["total"] or ZERO).quantize(ZERO))
        for pk, plan in found.items()
    ]


def payable(user: Any, plan_pk: int) -> Payable:
    """What a new batch of the plan would pay (Http404 when the user cannot pay its claims)."""
    plan = get_visible(AidPlan.objects.select_related("org"), user, Perm.MUTUALAID_HANDLE, pk=plan_pk)
    figures = AidClaim.objects.filter(plan=plan, status=AidClaimStatus.APPROVED).aggregate(
        n=Count("id"), total=Sum("payout")
    )
    return Payable(plan=plan, count=figures["n"], total=Decimal(figures["total"] or ZERO).quantize(ZERO))


def may_pay(user: Any) -> bool:
    paths = scope_paths(user, Perm.MUTUALAID_HANDLE)
    return paths is None or bool(paths)
