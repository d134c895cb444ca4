"""Builders for the mutual aid tests: plans and rule versions as real rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from gonghui.mutualaid.models import AidPlan, AidPlanStatus, BenefitRule, ClaimType
from gonghui.orgs.models import Org

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
