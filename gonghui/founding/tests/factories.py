"""A small city for the founding tests: real rows through the real tree manager and services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer
from gonghui.core.creditcode import make_credit_code
from gonghui.founding import services
from gonghui.founding.models import FoundingApplication, FoundingNotice, Initiator, UnionKind
from gonghui.orgs.models import (
    FederationLevel,
    Industry,
    JointUnionArea,
    Org,
    OrgKind,
    Ownership,
    Role,
    RoleGrant,
    Workplace,
)
from gonghui.orgs.scoping import forget_grants

_numbers = count(1)


def add_org(parent: Org | None, code: str, name: str, kind: str, **extra: Any) -> Org:
    fields = {"code": code, "name": name, "kind": kind, **extra}
    if parent is None:
        root: Org = Org.objects.add_root(create_kwargs=fields)
        return root
    child: Org = Org.objects.add_child(parent, create_kwargs=fields)
    return child


def credit_code() -> str:
    return make_credit_code("9", "1", "330203", f"{next(_numbers):08d}")


def add_workplace(area: Org | None, name: str, employees: int = 40, **extra: Any) -> Workplace:
    fields: dict[str, Any] = {
        "credit_code": credit_code(),
        "name": name,
        "industry": Industry.C,
        "ownership": Ownership.PRIVATE,
        "employee_count": employees,
        "district": "明州区",
        "address": "明州区东湖路1号",
        "jurisdiction": area,
        **extra,
    }
    return Workplace.objects.create(**fields)


def officer_at(org: Org, username: str, role: str = Role.FEDERATION_ADMIN) -> User:
    user = make_officer(username, display_name=username)
    RoleGrant.objects.create(user=user, org=org, role=role)
    if org.kind == OrgKind.FEDERATION:  # as grant_role does
        user.otp_required = True
        user.save(update_fields=["otp_required"])
    forget_grants(user)
    return user


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
