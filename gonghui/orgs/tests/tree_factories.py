"""A small union tree for the tree tests: real rows through the real tree manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer
from gonghui.core.crypto import blind_index
from gonghui.core.idnumbers import make_id_number
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import FederationLevel, JointUnionArea, Org, OrgKind, Role, RoleGrant, Workplace
from gonghui.orgs.scoping import forget_grants


def add_org(parent: Org | None, code: str, name: str, kind: str = OrgKind.GRASSROOTS, **extra: Any) -> Org:
    fields = {"code": code, "name": name, "kind": kind, **extra}
    if parent is None:
        root: Org = Org.objects.add_root(create_kwargs=fields)
        return root
    child: Org = Org.objects.add_child(parent, create_kwargs=fields)
    return child


@dataclass
class Tree:
    """
    city 示范市总工会
    ├── east 东区总工会
    │   ├── town 东湖街道总工会
    │   │   ├── joint 东湖社区联合工会
    │   │   └── acme 东区甲公司工会 ── group 甲公司一车间工会小组
    │   └── beta 东区乙公司工会
    └── west 西区总工会 ── gamma 西区丙公司工会
    """

    city: Org
    east: Org
    town: Org
    joint: Org
    acme: Org
    group: Org
    beta: Org
    west: Org
    gamma: Org

    def fresh(self, org: Org) -> Org:
        return Org.objects.get(pk=org.pk)


def make_tree() -> Tree:
    federation = OrgKind.FEDERATION
    city = add_org(None, "C", "示范市总工会", federation, level=FederationLevel.CITY)
    east = add_org(city, "E", "东区总工会", federation, level=FederationLevel.DISTRICT, district="东区")
    town = add_org(east, "E-T", "东湖街道总工会", federation, level=FederationLevel.TOWNSHIP, district="东区")
    joint = add_org(town, "E-T-J", "东湖社区联合工会", OrgKind.JOINT_UNION, area=JointUnionArea.COMMUNITY)
    acme = add_org(town, "E-T-A", "东区甲公司工会")
    group = add_org(acme, "E-T-A-1", "甲公司一车间工会小组", OrgKind.UNION_GROUP)
    beta = add_org(east, "E-B", "东区乙公司工会")
    west = add_org(city, "W", "西区总工会", federation, level=FederationLevel.DISTRICT)
    gamma = add_org(west, "W-G", "西区丙公司工会")
    return Tree(city, east, town, joint, acme, group, beta, west, gamma)


def officer_at(org: Org, username: str, role: str = Role.FEDERATION_ADMIN) -> User:
    user = make_officer(username, display_name=username)
    RoleGrant.objects.create(user=user, org=org, role=role)
    if org.kind == OrgKind.FEDERATION:
        user.otp_required = True
        user.save(update_fields=["otp_required"])
    forget_grants(user)
    return user


_member_seq = 0


def add_members(org: Org, count: int, *, status: str = MemberStatus.ACTIVE) -> list[Member]:
    global _member_seq
    members = []
    for _ in range(count):
        _member_seq += 1
        birth = date(1980 + _member_seq % 20, 1 + _member_seq % 12, 1 + _member_seq % 28)
        id_number = make_id_number("330203", birth, (_member_seq * 2 + 1) % 1000, "male")
        members.append(
            Member.objects.create(
                name="王五",
                id_number=id_number,
                id_number_index=blind_index(id_number, context="members.Member.id_number"),
                birth_date=birth,
                sex="male",
                org=org,
                joined_on=date(2020, 1, 1),
                status=status,
            )
        )
    return members


_credit_seq = 0


def add_workplace(
    *, union: Org | None = None, jurisdiction: Org | None = None, name: str = "某单位"
) -> Workplace:
    global _credit_seq
    _credit_seq += 1
    return Workplace.objects.create(
        credit_code=f"91330200TEST{_credit_seq:06d}",
        name=name,
        industry="C",
        ownership="private",
        employee_count=30,
        union=union,
        is_unionised=union is not None,
        jurisdiction=jurisdiction,
    )
