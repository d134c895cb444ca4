"""Demo service points for the demo city (gonghui.orgs.demo.loader seeds and resets them).

About one point per 2,000 members (30 to 400), scattered around the same centre as the demo
merchants, run by the demo tree's unions: mostly outdoor workers' stations, then nursing rooms,
reading rooms and member homes, 3 % temporarily closed. The demo's member accounts have
checked in at some of them over the last 60 days and rated most visits, so the console's
figures and the yearly ranking have something to show."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from gonghui.accounts.models import AccountKind, User
from gonghui.benefits.demo.merchants import CENTRE, DISTRICTS, STREETS
from gonghui.orgs.models import Org, OrgStatus
from gonghui.services.models import Facility, PointKind, PointStatus, Rating, ServicePoint, Visit
from gonghui.services.services.points import new_checkin_code

MEMBERS_PER_POINT = 2_000
MIN_POINTS, MAX_POINTS = 30, 400
VISITORS = 60
_SIX = Decimal("0.000001")

# kind → (weight, name stems, opening hours, facilities it usually has)
KINDS: dict[str, tuple[int, tuple[str, ...], str, tuple[str, ...]]] = {
    PointKind.OUTDOOR_WORKER_STATION: (
        60,
        ("爱心驿站", "户外劳动者服务站", "工会暖心驿站", "骑手之家"),
        "每天 7:00-21:00",
        (
            Facility.WATER,
            Facility.MICROWAVE,
            Facility.CHARGING,
            Facility.TOILET,
            Facility.REST_AREA,
            Facility.AIR_CONDITIONING,
            Facility.FIRST_AID,
            Facility.REPAIR_TOOLS,
            Facility.WIFI,
        ),
    ),
    PointKind.NURSING_ROOM: (
        15,
        ("妈咪暖心小屋", "爱心妈妈小屋"),
        "工作日 8:30-17:30",
        (Facility.NURSING, Facility.WATER, Facility.AIR_CONDITIONING),
    ),
    PointKind.READING_ROOM: (
        15,
        ("职工书屋", "职工阅览室"),
        "周一至周六 9:00-20:00",
        (Facility.BOOKS, Facility.WIFI, Facility.WATER, Facility.AIR_CONDITIONING),
    ),
    PointKind.MEMBER_HOME: (
        10,
        ("职工之家", "会员服务中心"),
        "工作日 9:00-17:00",
        (Facility.REST_AREA, Facility.WATER, Facility.WIFI, Facility.TOILET),
    ),
}


def _degrees(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_SIX)


def seed_demo_services(root: Org, *, members: int, seed: int) -> list[ServicePoint]:
    rng = random.Random(f"{seed}:service-points")  # noqa: S311 - reproducible invented data, not secrets
    count = max(MIN_POINTS, min(MAX_POINTS, members // MEMBERS_PER_POINT))
    runners = list(
        Org.objects.filter(
            path__startswith=root.path, status=OrgStatus.ACTIVE, depth__lte=root.depth + 3
        ).order_by("path")
    )
    kinds = list(KINDS)
    weights = [KINDS[kind][0] for kind in kinds]
    rows: list[ServicePoint] = []
    for index in range(count):
        kind = rng.choices(kinds, weights)[0]
        _weight, stems, hours, usual = KINDS[kind]
        district = rng.choice(DISTRICTS)
        street = rng.choice(STREETS)
        rows.append(
            ServicePoint(
                org=rng.choice(runners),
                kind=kind,
                name=f"{district}{street}{rng.choice(stems)}"[:110] + f"（{index + 1}号）",
                address=f"{district}{street}{rng.randint(1, 599)}号",
                district=district,
                latitude=_degrees(rng.gauss(CENTRE[0], 0.06)),
                longitude=_degrees(rng.gauss(CENTRE[1], 0.08)),
                opening_hours=hours,
                facilities=[f for f in usual if rng.random() < 0.8],
                contact_name=rng.choice(("王", "李", "张", "陈", "周")) + "站长",
                contact_phone=f"0574-{rng.randint(8100, 8899)}{rng.randint(1000, 9999)}",
                status=PointStatus.PAUSED if rng.random() < 0.03 else PointStatus.OPEN,
                checkin_code=new_checkin_code(),
            )
        )
    points = ServicePoint.objects.bulk_create(rows, batch_size=500)
    _seed_visits(points, rng)
    return points


def _seed_visits(points: list[ServicePoint], rng: random.Random) -> None:
    visitors = list(User.objects.filter(kind=AccountKind.MEMBER).order_by("pk")[:VISITORS])
    if not visitors:
        return
    today = timezone.localdate()
    visited = rng.sample(points, k=min(len(points), 40))
    visits: list[Visit] = []
    seen: set[tuple[int, int, object]] = set()
    for point in visited:
        for _ in range(rng.randint(1, 25)):
            user = rng.choice(visitors)
            day = today - timedelta(days=rng.randint(0, 59))
            if (point.pk, user.pk, day) not in seen:
                seen.add((point.pk, user.pk, day))
                visits.append(Visit(point=point, user=user, visited_on=day))
    created = Visit.objects.bulk_create(visits, batch_size=1000)
    ratings = [
        Rating(visit=visit, score=rng.choices((5, 4, 3, 2), (55, 30, 10, 5))[0])
        for visit in created
        if rng.random() < 0.7
    ]
    Rating.objects.bulk_create(ratings, batch_size=1000)


def reset_demo_services(root: Org) -> None:
    """Remove the demo tree's service points with their photos' rows, visits and ratings."""
    points = ServicePoint.objects.filter(Q(org__path__startswith=root.path))
    Visit.objects.filter(point__in=points).delete()
    points.delete()
