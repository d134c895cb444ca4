"""Collective contracts and bargaining topics for tests, written as rows (the service tests
check the services)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.tests.factories import make_member_with_account
from gonghui.contracts.models import (
    BargainingTopic,
    Clause,
    CollectiveContract,
    ContractCoverage,
    ContractHistory,
    ContractKind,
    ContractScope,
    ContractStatus,
    TopicCategory,
)
from gonghui.contracts.services.contracts import ClauseInput, ContractInput
from gonghui.members.models import Member
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.tests.factories import make_workplace

__all__ = ["contract_input", "make_contract", "make_member_with_account", "make_topic", "make_workplace"]

_serial = count(1)


def today() -> date:
    return timezone.localdate()


def make_contract(
    org: Org,
    workplaces: list[Workplace] | None = None,
    *,
    kind: str = ContractKind.GENERAL,
    scope: str = ContractScope.WORKPLACE,
    status: str = ContractStatus.IN_FORCE,
    start: date | None = None,
    end: date | None = None,
    **fields: Any,
) -> CollectiveContract:
    """A contract of `org` covering `workplaces` (a new workplace of `org` when not given)."""
    start = start or today() - timedelta(days=100)
    end = end or start + timedelta(days=3 * 365 - 10)
    if workplaces is None:
        workplaces = [make_workplace(None, org, name=f"合同单位{next(_serial)}")]
    values: dict[str, Any] = {
        "title": f"集体合同{next(_serial)}",
        "signed_on": start - timedelta(days=5),
        "workers_covered": 80,
        "employer_representative": "张总经理",
        "union_representative": "李主席",
        "reminder_due_on": end - timedelta(days=90),
        "area_description": "" if scope == ContractScope.WORKPLACE else "东湖街道辖区内中小企业",
        "wage_increase": Decimal("5.50") if kind == ContractKind.WAGE else None,
        **fields,
    }
    contract = CollectiveContract.objects.create(
        org=org, kind=kind, scope=scope, status=status, term_start=start, term_end=end, **values
    )
    ContractCoverage.objects.bulk_create(
        [ContractCoverage(contract=contract, workplace=w) for w in workplaces]
    )
    Clause.objects.create(
        contract=contract, position=1, topic=TopicCategory.WAGES, text="职工工资每年增长不低于5%"
    )
    ContractHistory.objects.create(contract=contract, from_status="", to_status=status)
    return contract


def contract_input(workplaces: list[Workplace], **fields: Any) -> ContractInput:
    start = fields.pop("term_start", today() + timedelta(days=1))
    values: dict[str, Any] = {
        "title": "东区甲公司集体合同（2027—2029）",
        "signed_on": today(),
        "term_start": start,
        "term_end": start + timedelta(days=3 * 365 - 10),
        "workers_covered": 120,
        "employer_representative": "张总经理",
        "union_representative": "李主席",
        "workplace_codes": [workplace.credit_code for workplace in workplaces],
        "clauses": (ClauseInput(TopicCategory.HOURS, "每日工作不超过8小时"),),
        **fields,
    }
    return ContractInput(**values)


def make_topic(
    member: Member, user: User, *, category: str = TopicCategory.WAGES, text: str = "希望明年工资涨幅不低于6%"
) -> BargainingTopic:
    return BargainingTopic.objects.create(
        org=member.org, member=member, user=user, category=category, text=text
    )
