"""Events of the demo city, relative to the moment the demo is loaded so that there is always
something to sign up for now, something opening soon, a lottery, and events with age and sex
rules: a recuperation-trip lottery, a city health check, women's cancer screening, summer
childcare, a singles mixer and a district sports day. Written directly (the demo loader is the
system itself); lottery seeds come from the city's seed. Called by the demo loader once the city
is loaded and undone by its reset (sign-ups hold their events and members with PROTECT)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from gonghui.events.models import (
    Allocation,
    Event,
    EventHistory,
    EventKind,
    EventStatus,
    Feedback,
    SignUp,
)
from gonghui.members.categories import MemberCategory
from gonghui.orgs.models import Org


@dataclass(frozen=True)
class DemoEvent:
    kind: str
    title: str
    description: str
    address: str
    signup_opens_in: timedelta
    signup_lasts: timedelta
    starts_after_signup: timedelta
    lasts: timedelta
    places: int
    allocation: str = Allocation.FIRST_COME
    fee: str = "0.00"
    by_district: bool = False
    categories: tuple[str, ...] = ()
    sex: str = ""
    min_age: int | None = None
    max_age: int | None = None
    position: tuple[str, str] | None = None


DAY = timedelta(days=1)
EVENTS: tuple[DemoEvent, ...] = (
    DemoEvent(
        EventKind.RECUPERATION_TRIP,
        "劳模和一线职工疗休养：千岛湖五日",
        "含往返交通、住宿和餐饮，个人只需承担 200 元。每位会员每年可参加一次疗休养，报名截止后公开摇号。",
        "杭州市淳安县千岛湖镇职工疗休养基地",
        -DAY,
        7 * DAY,
        14 * DAY,
        4 * DAY,
        40,
        allocation=Allocation.LOTTERY,
        fee="200.00",
        position=("29.605300", "119.042100"),
    ),
    DemoEvent(
        EventKind.HEALTH_CHECK,
        "2026年职工免费健康体检",
        "空腹前往，携带电子会员卡入场签到。体检报告两周后在医院公众号查看。",
        "市第一人民医院健康管理中心",
        -timedelta(hours=2),
        5 * DAY,
        3 * DAY,
        timedelta(hours=4),
        300,
        position=("29.868400", "121.543900"),
    ),
    DemoEvent(
        EventKind.CANCER_SCREENING,
        "女职工两癌免费筛查",
        "宫颈癌、乳腺癌免费筛查，请避开生理期。",
        "市妇幼保健院三楼体检科",
        -DAY,
        10 * DAY,
        2 * DAY,
        timedelta(hours=5),
        200,
        sex="female",
        min_age=35,
        max_age=64,
    ),
    DemoEvent(
        EventKind.SUMMER_CHILDCARE,
        "职工子女暑期爱心托管班",
        "面向 6—12 周岁职工子女，工作日 8:00—17:30，含午餐和午休。每位会员限报一名子女。",
        "区青少年宫",
        -timedelta(hours=6),
        12 * DAY,
        20 * DAY,
        30 * DAY,
        60,
        fee="300.00",
        by_district=True,
    ),
    DemoEvent(
        EventKind.SOCIAL_MIXER,
        "“玫瑰之约”青年职工联谊会",
        "面向单身青年职工，活动含破冰游戏和自助晚餐。",
        "滨江公园文化广场",
        2 * DAY,
        7 * DAY,
        3 * DAY,
        timedelta(hours=4),
        80,
        min_age=22,
        max_age=40,
    ),
    DemoEvent(
        EventKind.CULTURE_SPORTS,
        "新就业形态劳动者趣味运动会",
        "快递员、外卖骑手、网约车司机专场，设拔河、跳绳等项目，完赛即送纪念品。",
        "区全民健身中心",
        -timedelta(hours=3),
        6 * DAY,
        DAY,
        timedelta(hours=3),
        150,
        by_district=True,
        categories=(MemberCategory.GIG_WORKER,),
    ),
)


def seed_demo_events(root: Org, *, district: Org, seed: int) -> None:
    """The demo events above, published, organised by the city federation (or `district`)."""
    now = timezone.now()
    for number, demo in enumerate(EVENTS):
        org = district if demo.by_district else root
        opens = now + demo.signup_opens_in
        closes = opens + demo.signup_lasts
        starts = closes + demo.starts_after_signup
        lottery = demo.allocation == Allocation.LOTTERY
        event = Event.objects.create(
            org=org,
            eligible_org=org,
            kind=demo.kind,
            title=demo.title,
            description=demo.description,
            address=demo.address,
            latitude=Decimal(demo.position[0]) if demo.position else None,
            longitude=Decimal(demo.position[1]) if demo.position else None,
            signup_opens_at=opens,
            signup_closes_at=closes,
            starts_at=starts,
            ends_at=starts + demo.lasts,
            places=demo.places,
            fee=Decimal(demo.fee),
            allocation=demo.allocation,
            categories=list(demo.categories),
            sex=demo.sex,
            min_age=demo.min_age,
            max_age=demo.max_age,
            seed=hashlib.sha256(f"{seed}:event:{number}".encode()).hexdigest() if lottery else "",
            status=EventStatus.PUBLISHED,
            published_at=now,
        )
        EventHistory.objects.create(event=event, from_status="", to_status=EventStatus.DRAFT)
        EventHistory.objects.create(
            event=event, from_status=EventStatus.DRAFT, to_status=EventStatus.PUBLISHED
        )


def reset_demo_events(root: Org) -> None:
    """Remove every event of the demo tree and every sign-up by its members, children first."""
    events = Event.objects.filter(org__path__startswith=root.path)
    signups = SignUp.objects.filter(Q(event__in=events) | Q(org__path__startswith=root.path))
    Feedback.objects.filter(signup__in=signups).delete()
    signups.delete()
    events.delete()
