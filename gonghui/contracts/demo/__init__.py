"""Collective contracts of the demo city (gonghui.orgs.demo.loader seeds and resets them):
workplace contracts of each kind in a district, some expiring within the reminder period, one
renewed, one terminated, a draft; a regional wage agreement of a township and an industry
contract of the district covering many workplaces; and bargaining topics of the members who
have portal accounts, some answered. Written directly (the loader is the system itself), dated
from the day the demo is loaded; choices come from the city's seed."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from gonghui.contracts.models import (
    BargainingTopic,
    Clause,
    CollectiveContract,
    ContractCoverage,
    ContractHistory,
    ContractKind,
    ContractScope,
    ContractStatus,
    ReviewResult,
    TopicCategory,
    TopicStatus,
)
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org, OrgKind, Workplace
from gonghui.workdays.deadlines import due_date

CLAUSES = {
    ContractKind.GENERAL: [
        (
            TopicCategory.HOURS,
            "实行标准工时制度，每日工作不超过8小时，每周不超过40小时；安排加班须与工会协商。",
        ),
        (TopicCategory.LEAVE, "职工连续工作满12个月的，享受带薪年休假5至15天。"),
        (TopicCategory.SAFETY, "每年组织一次职业健康检查，费用由企业承担。"),
    ],
    ContractKind.WAGE: [
        (TopicCategory.WAGES, "职工月平均工资比上年增长不低于约定幅度，于每年4月起执行。"),
        (TopicCategory.WAGES, "企业最低工资标准不低于本市最低工资标准的110%。"),
    ],
    ContractKind.FEMALE_WORKERS: [
        (
            TopicCategory.FEMALE_WORKERS,
            "女职工在孕期、产期、哺乳期内，企业不得降低其基本工资或解除劳动合同。",
        ),
        (TopicCategory.FEMALE_WORKERS, "每年组织女职工进行一次妇科病、乳腺病筛查。"),
    ],
}
TOPICS = [
    (TopicCategory.WAGES, "希望明年工资增长幅度不低于6%，并把高温津贴纳入集体合同。"),
    (TopicCategory.HOURS, "旺季连续加班太多，建议约定每月加班不超过36小时。"),
    (TopicCategory.WELFARE, "建议增加职工子女暑期托管补贴。"),
    (TopicCategory.FEMALE_WORKERS, "希望设立母婴室，并延长哺乳时间。"),
]
DAY = timedelta(days=1)


def _contract(
    org: Org,
    workplaces: list[Workplace],
    *,
    kind: str,
    scope: str,
    title: str,
    start: date,
    years: int = 3,
    status: str = ContractStatus.IN_FORCE,
    area: str = "",
    industry: str = "",
    previous: CollectiveContract | None = None,
    number: str = "",
    rng: random.Random,
) -> CollectiveContract:
    end = date(start.year + years, start.month, min(start.day, 28)) - DAY
    contract = CollectiveContract.objects.create(
        org=org,
        scope=scope,
        kind=kind,
        title=title,
        number=number,
        signed_on=start - timedelta(days=rng.randint(5, 20)),
        term_start=start,
        term_end=end,
        workers_covered=sum(w.employee_count for w in workplaces) or len(workplaces) * 20,
        wage_increase=Decimal(rng.choice(["4.50", "5.00", "6.00", "6.50"]))
        if kind == ContractKind.WAGE
        else None,
        minimum_wage=Decimal("2490.00") if kind == ContractKind.WAGE else None,
        area_description=area,
        industry=industry,
        employer_representative=rng.choice(["张建华（总经理）", "陈立新（董事长）", "区企业联合会"]),
        union_representative=rng.choice(["李红梅（工会主席）", "王志强（工会主席）", "区总工会"]),
        filed_on=start - DAY if status != ContractStatus.DRAFT else None,
        review_result=ReviewResult.ACCEPTED if status != ContractStatus.DRAFT else ReviewResult.NONE,
        status=status,
        previous=previous,
        reminder_due_on=due_date("contracts.expiry_reminder", end),
        ended_on=end if status == ContractStatus.EXPIRED else None,
    )
    ContractCoverage.objects.bulk_create(
        [ContractCoverage(contract=contract, workplace=w) for w in workplaces]
    )
    Clause.objects.bulk_create(
        [
            Clause(contract=contract, position=position, topic=topic, text=text)
            for position, (topic, text) in enumerate(CLAUSES[ContractKind(kind)], start=1)
        ]
    )
    ContractHistory.objects.create(contract=contract, from_status="", to_status=ContractStatus.DRAFT)
    if status != ContractStatus.DRAFT:
        ContractHistory.objects.create(
            contract=contract, from_status=ContractStatus.DRAFT, to_status=ContractStatus.IN_FORCE
        )
    if status in (ContractStatus.EXPIRED, ContractStatus.TERMINATED):
        ContractHistory.objects.create(
            contract=contract, from_status=ContractStatus.IN_FORCE, to_status=status
        )
    return contract


def _placed_in(org: Org) -> Q:
    return Q(union__path__startswith=org.path) | Q(
        union__isnull=True, jurisdiction__path__startswith=org.path
    )


def seed_demo_contracts(root: Org, *, district: Org, seed: int) -> None:
    """The demo contracts and topics described above, in `district` and its townships."""
    rng = random.Random(f"{seed}:contracts")  # noqa: S311 - invented data
    today = timezone.localdate()
    unionised = list(
        Workplace.objects.filter(union__path__startswith=district.path, union__kind=OrgKind.GRASSROOTS)
        .select_related("union")
        .order_by("pk")[:40]
    )
    rng.shuffle(unionised)
    # The unions of the members with portal accounts first, so the demo member's union has one.
    account_unions = set(
        Member.objects.filter(
            org__path__startswith=root.path, user__isnull=False, status=MemberStatus.ACTIVE
        ).values_list("org_id", flat=True)
    )
    unionised.sort(key=lambda w: w.union_id not in account_unions)
    chosen = unionised[:18]
    # The last two: a draft and one terminated early (after the renewal at 3 and the expiring ones).
    draft_at, terminated_at = len(chosen) - 1, len(chosen) - 2
    for number, workplace in enumerate(chosen):
        assert workplace.union is not None
        union = workplace.union
        kind = (ContractKind.GENERAL, ContractKind.WAGE, ContractKind.FEMALE_WORKERS)[number % 3]
        label = {ContractKind.GENERAL: "集体合同", ContractKind.WAGE: "工资专项集体协议"}.get(
            kind, "女职工权益保护专项集体合同"
        )
        if number < 3:  # in force, ending within the reminder period
            start = date(today.year - 3, today.month, min(today.day, 28)) + timedelta(days=30 + number * 20)
        else:
            start = today - timedelta(days=rng.randint(30, 600))
        status = ContractStatus.DRAFT if number == draft_at else ContractStatus.IN_FORCE
        if number == 3:  # an earlier contract, expired and renewed by the one in force
            old = _contract(
                union,
                [workplace],
                kind=kind,
                scope=ContractScope.WORKPLACE,
                title=f"{workplace.name}{label}（上期）",
                start=date(start.year - 3, start.month, min(start.day, 28)),
                status=ContractStatus.EXPIRED,
                rng=rng,
            )
            start = old.term_end + DAY
            _contract(
                union,
                [workplace],
                kind=kind,
                scope=ContractScope.WORKPLACE,
                title=f"{workplace.name}{label}",
                start=start,
                previous=old,
                rng=rng,
                number=f"劳备〔{start.year}〕{100 + number}号",
            )
            continue
        contract = _contract(
            union,
            [workplace],
            kind=kind,
            scope=ContractScope.WORKPLACE,
            title=f"{workplace.name}{label}",
            start=start,
            status=status,
            rng=rng,
            number=f"劳备〔{start.year}〕{100 + number}号",
        )
        if number == terminated_at:
            CollectiveContract.objects.filter(pk=contract.pk).update(
                status=ContractStatus.TERMINATED, ended_on=today - timedelta(days=10), end_reason="企业注销"
            )
            ContractHistory.objects.create(
                contract=contract,
                from_status=ContractStatus.IN_FORCE,
                to_status=ContractStatus.TERMINATED,
                comment="企业注销",
            )
    township = (
        Org.objects.filter(path__startswith=district.path, depth=district.depth + 1).order_by("path").first()
    )
    if township is not None:
        area = list(Workplace.objects.filter(_placed_in(township)).order_by("pk")[:12])
        if area:
            _contract(
                township,
                area,
                kind=ContractKind.WAGE,
                scope=ContractScope.REGION,
                title=f"{township.name}区域性工资专项集体协议",
                area=f"{township.name}辖区内中小企业",
                start=today - timedelta(days=200),
                rng=rng,
            )
    catering = list(Workplace.objects.filter(_placed_in(district), industry="H").order_by("pk")[:10])
    if catering:
        _contract(
            district,
            catering,
            kind=ContractKind.GENERAL,
            scope=ContractScope.INDUSTRY,
            title=f"{district.name}餐饮行业集体合同",
            area=f"{district.name}餐饮行业",
            industry="H",
            start=today - timedelta(days=400),
            rng=rng,
        )
    members = Member.objects.filter(
        org__path__startswith=root.path, user__isnull=False, status=MemberStatus.ACTIVE
    ).order_by("pk")[:4]
    for index, member in enumerate(members):
        for offset, (category, text) in enumerate(TOPICS[index % 2 :: 2]):
            answered = offset == 0 and index % 2 == 0
            assert member.user_id is not None
            BargainingTopic.objects.create(
                org=member.org,
                member=member,
                user_id=member.user_id,
                category=category,
                text=text,
                status=TopicStatus.ADOPTED if answered else TopicStatus.OPEN,
                reply="已列入下一轮工资集体协商议题，协商结果将在厂务公开栏公布。" if answered else "",
                replied_at=timezone.now() if answered else None,
            )


def reset_demo_contracts(root: Org) -> None:
    """Remove the demo tree's contracts (renewals before what they renew) and topics."""
    BargainingTopic.objects.filter(org__path__startswith=root.path).delete()
    contracts = CollectiveContract.objects.filter(
        Q(org__path__startswith=root.path)
        | Q(coverage__workplace__in=Workplace.objects.filter(_placed_in(root)))
    ).distinct()
    ids = list(contracts.values_list("pk", flat=True))
    CollectiveContract.objects.filter(pk__in=ids, previous__isnull=False).delete()
    CollectiveContract.objects.filter(pk__in=ids).delete()
