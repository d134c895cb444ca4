"""A small city for the founding tests: real rows through the real tree manager and services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.founding import services
from gonghui.founding.models import FoundingApplication, FoundingNotice, Initiator, UnionKind
from gonghui.orgs.models import (
    FederationLevel,
    JointUnionArea,
    Org,
    OrgKind,
    Workplace,
)
from gonghui.orgs.tests.factories import add_org, make_workplace, officer_at

__all__ = ["add_org", "add_workplace", "issue", "make_city", "officer_at", "submit"]


def add_workplace(area: Org | None, name: str, employees: int = 40, **extra: Any) -> Workplace:
    """A workplace in `area` (a union may be given in `extra`), in 明州区 as the rest of this city."""
    extra.pop("is_unionised", None)  # follows `union`, as the workplace services keep it
    fields = {"district": "明州区", "address": "明州区东湖路1号", **extra}
    return make_workplace(area, name=name, employee_count=employees, **fields)


@dataclass
class City:
    """
    city  示范市总工会
    ├── district 明州区总工会 ── town 东湖街道总工会 ── joint 东湖社区联合工会
    └── west     西江区总工会 ── west_town 西湖街道总工会
    """

    city: Org
    district: Org
    town: Org
    joint: Org
    west: Org
    west_town: Org


def make_city() -> City:
    federation = OrgKind.FEDERATION
    city = add_org(None, "C", "示范市总工会", federation, level=FederationLevel.CITY)
    district = add_org(
        city,
        "MZ",
        "明州区总工会",
        federation,
        level=FederationLevel.DISTRICT,
        short_name="明州区总",
        contact_name="王芳",
        contact_phone="0574-87650001",
    )
    town = add_org(
        district, "MZ-DH", "东湖街道总工会", federation, level=FederationLevel.TOWNSHIP, short_name="东湖"
    )
    joint = add_org(town, "MZ-DH-J01", "东湖社区联合工会", OrgKind.JOINT_UNION, area=JointUnionArea.COMMUNITY)
    west = add_org(city, "XJ", "西江区总工会", federation, level=FederationLevel.DISTRICT)
    west_town = add_org(west, "XJ-XH", "西湖街道总工会", federation, level=FederationLevel.TOWNSHIP)
    return City(city, district, town, joint, west, west_town)


def issue(workplace: Workplace, issuer: Org, actor: User) -> FoundingNotice:
    return services.issue_notice(
        workplace=workplace.pk,
        issuing_org=issuer.pk,
        response_deadline=timezone.localdate() + timedelta(days=30),
        contact_name="王芳",
        contact_phone="0574-87650001",
        actor=actor,
    )


def draft(workplace: Workplace, parent: Org, **changes: Any) -> services.ApplicationDraft:
    fields: dict[str, Any] = {
        "workplace": workplace.pk,
        "parent": parent.pk,
        "union_name": f"{workplace.name}工会委员会",
        "union_kind": UnionKind.GRASSROOTS,
        "initiated_by": Initiator.TOWNSHIP_FEDERATION,
        "contact_name": "李明",
        "contact_phone": "13805740001",
        "members_expected": 30,
        "employee_count": workplace.employee_count,
        **changes,
    }
    return services.ApplicationDraft(**fields)


def submit(workplace: Workplace, parent: Org, actor: User, **changes: Any) -> FoundingApplication:
    return services.submit_application(draft(workplace, parent, **changes), actor=actor)
