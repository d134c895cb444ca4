"""Builders for the service points tests: rows as the services would leave them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from gonghui.accounts.models import User
from gonghui.orgs.models import Org
from gonghui.services.models import PointKind, Rating, ServicePoint, Visit
from gonghui.services.services.points import new_checkin_code

_serial = count()


def make_point(
    org: Org,
    name: str = "东湖爱心驿站",
    *,
    kind: str = PointKind.OUTDOOR_WORKER_STATION,
    latitude: str | None = "29.870000",
    longitude: str | None = "121.550000",
    **fields: Any,
) -> ServicePoint:
    values: dict[str, Any] = {
        "address": "东区东湖路 1 号",
        "opening_hours": "每天 7:00-21:00",
        "facilities": ["water", "charging", "rest_area"],
        **fields,
    }
    point: ServicePoint = ServicePoint.objects.create(
        org=org,
        kind=kind,
        name=name,
        latitude=None if latitude is None else Decimal(latitude),
        longitude=None if longitude is None else Decimal(longitude),
        checkin_code=new_checkin_code(),
        **values,
    )
    return point


def make_visitor() -> User:
    user: User = User.objects.create_member(
        mobile=f"137{next(_serial):08d}", password="Visitor-pass-2027", display_name="外卖小哥"
    )
    return user


def make_visit(point: ServicePoint, user: User | None = None, *, on: date, score: int | None = None) -> Visit:
    visit: Visit = Visit.objects.create(point=point, user=user or make_visitor(), visited_on=on)
    if score is not None:
        Rating.objects.create(visit=visit, score=score)
    return visit
