"""Builders for the mutual aid tests: plans and rule versions as real rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from gonghui.accounts.models import User
from gonghui.members.models import Member
from gonghui.members.tests.factories import member_row
from gonghui.mutualaid.models import AidPlan, AidPlanStatus, BenefitRule, ClaimType, Enrolment, EnrolmentBatch
from gonghui.mutualaid.services.claims import LineInput
from gonghui.orgs.models import Org

_serial = count()

# The bands of the worked example in docs/mutualaid-rules.md.
TWO_BANDS: list[dict[str, Any]] = [{"up_to": "10000.00", "rate": "0.50"}, {"up_to": None, "rate": "0.70"}]


def make_plan(
    org: Org, *, year: int = 2027, name: str = "2027年度职工住院医疗互助", **fields: Any
) -> AidPlan:
    values: dict[str, Any] = {
        "coverage_start": date(year, 1, 1),
        "coverage_end": date(year, 12, 31),
        "contribution_per_member": Decimal("60.00"),
        "status": AidPlanStatus.DRAFT,
        **fields,
    }
    plan: AidPlan = AidPlan.objects.create(org=org, year=year, name=name, **values)
    return plan


def make_rule(
    plan: AidPlan, *, version: int = 1, claim_type: str = ClaimType.INPATIENT, **fields: Any
) -> BenefitRule:
    values: dict[str, Any] = {
        "effective_from": plan.coverage_start,
        "deductible": Decimal("1000.00"),
        "per_claim_cap": Decimal("50000.00"),
        "per_year_cap": Decimal("100000.00"),
        "waiting_days": 90,
        "bands": TWO_BANDS,
        **fields,
    }
    rule: BenefitRule = BenefitRule.objects.create(
        plan=plan, claim_type=claim_type, version=version, **values
    )
    return rule


def rule_input(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for `add_rule_version` that are valid for a 2027 plan."""
    return {
        "claim_type": ClaimType.INPATIENT,
        "effective_from": date(2027, 1, 1),
        "deductible": Decimal("1000.00"),
        "per_claim_cap": Decimal("50000.00"),
        "per_year_cap": Decimal("100000.00"),
        "waiting_days": 90,
        "bands": TWO_BANDS,
        **overrides,
    }


# --- enrolment and claims ----------------------------------------------------------------------

# The day the claims tests run on (the services' `timezone.localdate()` is patched to it).
TODAY = date(2027, 12, 1)


def make_member_with_account(org: Org, **fields: Any) -> tuple[Member, User]:
    """An active member of `org` with a portal account linked to the membership."""
    mobile = f"139{next(_serial):08d}"
    user = User.objects.create_member(mobile=mobile, password="Member-pass-2027", display_name="会员")
    member = member_row(org, mobile=mobile)
    for field, value in fields.items():
        setattr(member, field, value)
    member.user = user
    member.save()
    return member, user


def make_enrolment(plan: AidPlan, member: Member, *, enrolled_on: date | None = None) -> Enrolment:
    """An enrolment written directly (its own one-person batch), as `enrol_members` writes it."""
    batch = EnrolmentBatch.objects.create(
        plan=plan, org=member.org, count=1, total_contribution=plan.contribution_per_member
    )
    enrolment: Enrolment = Enrolment.objects.create(
        plan=plan,
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        enrolled_on=enrolled_on or plan.coverage_start,
        contribution=plan.contribution_per_member,
        batch=batch,
    )
    return enrolment


def line(number: str, amount: str, excluded: str = "0.00", description: str = "住院费用") -> LineInput:
    return LineInput(
        invoice_number=number, amount=Decimal(amount), excluded=Decimal(excluded), description=description
    )


def claim_input(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for `submit_claim`: a hospital stay in June 2027 (example 1 of the docs)."""
    return {
        "claim_type": ClaimType.INPATIENT,
        "hospital": "示范市第一人民医院",
        "diagnosis_category": "cardiovascular",
        "admitted_on": date(2027, 6, 1),
        "discharged_on": date(2027, 6, 10),
        "lines": [line("FP0001", "13500.00", "1500.00")],
        "bank_account_name": "王小明",
        "bank_account_number": "6222 0212 3456 7890",
        **overrides,
    }
