"""Builders for the report tests: enrolment batches and claims in given states, written directly
as the services leave them (a batch's count and total agree with its enrolments; a claim past
its check carries a payout; a paid batch records the exact total)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gonghui.members.models import Member
from gonghui.members.tests.factories import member_row
from gonghui.mutualaid.models import (
    AidClaim,
    AidClaimLine,
    AidClaimStatus,
    AidPlan,
    AidPlanStatus,
    ClaimChannel,
    ClaimType,
    Enrolment,
    EnrolmentBatch,
)
from gonghui.mutualaid.tests.factories import make_plan
from gonghui.orgs.models import Org


def enrol_batch(plan: AidPlan, org: Org, n: int, *, paid: bool = False) -> list[Enrolment]:
    """`n` new members of `org` enrolled in one batch, its payment recorded when `paid`."""
    members = Member.objects.bulk_create(member_row(org) for _ in range(n))
    total = plan.contribution_per_member * n
    batch = EnrolmentBatch.objects.create(
        plan=plan,
        org=org,
        count=n,
        total_contribution=total,
        paid_on=date(2027, 2, 1) if paid else None,
        payment_reference="HK20270201" if paid else "",
        amount_paid=total if paid else None,
        payment_recorded_at=timezone.now() if paid else None,
    )
    return Enrolment.objects.bulk_create(
        Enrolment(
            plan=plan,
            member=member,
            person_index=member.id_number_index,
            org=org,
            enrolled_on=plan.coverage_start,
            contribution=plan.contribution_per_member,
            batch=batch,
        )
        for member in members
    )


def report_claim(
    enrolment: Enrolment,
    *,
    claim_type: str = ClaimType.INPATIENT,
    status: str = AidClaimStatus.PAID,
    payout: str | None = None,
    invoices: tuple[str, ...] = ("1000.00",),
) -> AidClaim:
    """A claim of the enrolled person with one invoice line per amount in `invoices`."""
    claim: AidClaim = AidClaim.objects.create(
        plan=enrolment.plan,
        enrolment=enrolment,
        member=enrolment.member,
        person_index=enrolment.person_index,
        org=enrolment.org,
        claim_type=claim_type,
        hospital="示范市第一人民医院",
        diagnosis_category="other",
        treated_on=date(2027, 6, 1),
        bank_account_name=enrolment.member.name,
        bank_account_number="6222021234567890",
        channel=ClaimChannel.OFFICER,
        status=status,
        payout=Decimal(payout) if payout is not None else None,
        paid_at=timezone.now() if status == AidClaimStatus.PAID else None,
    )
    AidClaimLine.objects.bulk_create(
        AidClaimLine(claim=claim, position=n, invoice_number=f"FP{claim.pk}-{n}", amount=Decimal(amount))
        for n, amount in enumerate(invoices, start=1)
    )
    return claim


def reported_plan(org: Org, **fields: Any) -> AidPlan:
    """For the scoping base: a plan run by `org`'s parent with one paid claim of a member of
    `org` (insured 1, paid total ¥800.00)."""
    parent = Org.objects.get_parent(org)
    assert parent is not None
    plan = make_plan(parent, status=AidPlanStatus.OPEN, **fields)
    (enrolment,) = enrol_batch(plan, org, 1, paid=True)
    report_claim(enrolment, payout="800.00", invoices=("2000.00",))
    return plan
