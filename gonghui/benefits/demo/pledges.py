"""The demo city federation's annual pledges (十件实事): ten promised deliverables for a year, each
with a target, a responsible union (the districts take turns) and a few progress reports spread
over the part of the year that has passed, all published.

With an `officer` (who must hold BENEFITS_CHANGE on the city) everything goes through the
services and is audited as that officer; without one the rows are written directly, as the rest
of the demo is (the demo loader is the system itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.models import Pledge, PledgeUpdate
from gonghui.benefits.services import pledges as services
from gonghui.orgs.models import Org, OrgKind, OrgStatus


@dataclass(frozen=True)
class DemoPledge:
    title: str
    target: str
    unit: str
    description: str
    # Cumulative share of the target reached at each report (the last may pass 1: exceeded).
    shares: tuple[str, ...]
    owner_is_city: bool = False


PLEDGES: tuple[DemoPledge, ...] = (
    DemoPledge(
        "新建户外劳动者服务站点",
        "120",
        "个",
        "在商圈、交通枢纽和物流园区新建“工会户外劳动者服务站点”，提供歇脚、饮水、热饭、充电、如厕等服务。",
        ("0.2", "0.45", "0.7"),
    ),
    DemoPledge(
        "组织职工疗休养",
        "20000",
        "人次",
        "组织一线职工、劳动模范和新就业形态劳动者疗休养，向基层一线倾斜。",
        ("0.15", "0.4", "0.65"),
        owner_is_city=True,
    ),
    DemoPledge(
        "开展女职工“两癌”免费筛查",
        "30000",
        "人",
        "为在职女职工提供宫颈癌、乳腺癌免费筛查，重点覆盖中小企业和新就业形态女职工。",
        ("0.3", "0.55", "0.8"),
    ),
    DemoPledge(
        "发放困难职工帮扶资金",
        "1500",
        "万元",
        "做好困难职工生活救助、医疗救助和子女助学，确保帮扶资金及时足额发放。",
        ("0.25", "0.5", "0.72"),
        owner_is_city=True,
    ),
    DemoPledge(
        "推动新就业形态劳动者入会",
        "50000",
        "人",
        "聚焦快递员、网约配送员、网约车司机、货车司机等群体，集中开展入会行动。",
        ("0.3", "0.6", "0.95", "1.04"),
    ),
    DemoPledge(
        "开展职工技能培训",
        "10000",
        "人次",
        "围绕先进制造业和现代服务业开展职业技能培训和岗位练兵，提升职工技能水平。",
        ("0.2", "0.5"),
    ),
    DemoPledge(
        "开办职工子女爱心托管班",
        "60",
        "个",
        "暑期为双职工家庭子女提供托管服务，开设安全教育、课业辅导和兴趣课程。",
        ("0.5", "0.9"),
    ),
    DemoPledge(
        "提供职工法律援助服务",
        "2000",
        "件",
        "依托职工法律援助中心和基层工作站，为职工提供法律咨询、调解和代理服务。",
        ("0.2", "0.42", "0.61"),
        owner_is_city=True,
    ),
    DemoPledge(
        "建设爱心母婴室",
        "100",
        "个",
        "在用人单位和职工服务阵地建设规范化爱心母婴室，关爱哺乳期女职工。",
        ("0.3", "0.55"),
    ),
    DemoPledge(
        "开展“金秋助学”",
        "1000",
        "名",
        "资助困难职工家庭考入大学的子女，每人一次性发放助学金。",
        ("0.6",),
    ),
)

NOTES = (
    "完成年度计划的分解下达，各区已报送首批实施清单。",
    "集中推进实施，开展专项督查，进度符合时序要求。",
    "持续推进，已组织现场验收并向社会公布进展。",
    "超额完成年度目标，转入常态化运行。",
)


def _owners(city: Org) -> list[Org]:
    """The city's active federations directly under it (the districts), or the city alone."""
    children = list(
        Org.objects.filter(
            path__startswith=city.path,
            depth=city.depth + 1,
            kind=OrgKind.FEDERATION,
            status=OrgStatus.ACTIVE,
        ).order_by("path")[:12]
    )
    return children or [city]


def _report_dates(year: int, count: int, today: date) -> list[date]:
    """`count` dates spread over the part of `year` that has passed (none for a future year)."""
    start = date(year, 1, 1)
    end = min(today, date(year, 12, 31))
    if end < start + timedelta(days=14):
        return []
    span = (end - start).days
    return [start + timedelta(days=span * (index + 1) // (count + 1)) for index in range(count)]


def _amount(target: Decimal, share: str) -> Decimal:
    return (target * Decimal(share)).quantize(Decimal("1"))


@transaction.atomic
def make_demo_pledges(city: Org, year: int, officer: User | None) -> list[Pledge]:
    """The city's ten pledges for `year` (published, with progress reports). A year that has
    them already is left as it is and its pledges returned."""
    existing = list(Pledge.objects.filter(org=city, year=year).order_by("number"))
    if existing:
        return existing
    owners = _owners(city)
    today = timezone.localdate()
    made: list[Pledge] = []
    for number, demo in enumerate(PLEDGES, start=1):
        owner = city if demo.owner_is_city else owners[(number - 1) % len(owners)]
        target = Decimal(demo.target)
        dates = _report_dates(year, len(demo.shares), today)
        reports = [
            (reported_on, _amount(target, share), NOTES[min(index, len(NOTES) - 1)])
            for index, (reported_on, share) in enumerate(zip(dates, demo.shares, strict=False))
        ]
        if officer is not None:
            pledge = services.create_pledge(
                actor=officer,
                org=city,
                data=services.PledgeData(
                    year=year,
                    number=number,
                    title=demo.title,
                    target_value=target,
                    unit=demo.unit,
                    owner_org=owner,
                    description=demo.description,
                ),
            )
            for reported_on, value, note in reports:
                services.add_pledge_update(
                    pledge, actor=officer, reported_on=reported_on, value=value, note=note
                )
            services.publish_pledge(pledge, actor=officer)
        else:
            pledge = Pledge.objects.create(
                org=city,
                year=year,
                number=number,
                title=demo.title,
                description=demo.description,
                owner_org=owner,
                target_value=target,
                unit=demo.unit,
                progress_value=reports[-1][1] if reports else Decimal("0"),
                is_published=True,
            )
            PledgeUpdate.objects.bulk_create(
                PledgeUpdate(pledge=pledge, reported_on=reported_on, value=value, note=note)
                for reported_on, value, note in reports
            )
        pledge.refresh_from_db()
        made.append(pledge)
    return made
