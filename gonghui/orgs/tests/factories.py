"""Builders for the orgs tests: a small union tree, officers, workplaces and officer terms as real
rows through the real managers; signed-in clients and JSON requests; and spreadsheets and CSV
files written the way Excel and WPS write them, for the import tests."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any

import xlsxwriter
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer, sign_in_verified
from gonghui.core.creditcode import ALPHABET, make_credit_code
from gonghui.orgs.models import (
    FederationLevel,
    JointUnionArea,
    OfficerPosition,
    OfficerTerm,
    Org,
    OrgKind,
    Role,
    RoleGrant,
    Workplace,
)
from gonghui.orgs.scoping import forget_grants
from gonghui.orgs.services.roles import requires_second_factor

# --- the tree ----------------------------------------------------------------------------------


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


# --- officers and clients ----------------------------------------------------------------------


def officer_at(
    org: Org, username: str, role: str = Role.FEDERATION_ADMIN, *, display_name: str | None = None
) -> User:
    """An officer holding `role` on `org`, with the second factor switched on as `grant_role` does
    (the grant is stored directly: the tests start from it, they do not check granting)."""
    user = make_officer(username, display_name=display_name or username)
    RoleGrant.objects.create(user=user, org=org, role=role)
    if requires_second_factor(org):
        user.otp_required = True
        user.save(update_fields=["otp_required"])
    forget_grants(user)
    return user


def client_for(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def send_json(client: Client, method: str, url: str, body: Any) -> Any:
    """`client.<method>(url)` with `body` as a JSON document, as an API client sends it."""
    return getattr(client, method.lower())(url, data=json.dumps(body), content_type="application/json")


# --- workplaces --------------------------------------------------------------------------------

# Codes made without a number start far above the ones tests ask for by number.
_serial = count(100_000)


def credit_code(n: int | None = None, *, region: str = "330203") -> str:
    """A valid credit code; a different one for each `n` (the next one when not given)."""
    n = next(_serial) if n is None else n
    body = ""
    for _ in range(6):
        n, digit = divmod(n, len(ALPHABET))
        body = ALPHABET[digit] + body
    return make_credit_code("9", "1", region, "MA" + body)


def make_workplace(area: Org | None, union: Org | None = None, **fields: Any) -> Workplace:
    values: dict[str, Any] = {
        "credit_code": credit_code(),
        "name": "示范精工机械有限公司",
        "industry": "C",
        "ownership": "private",
        "employee_count": 50,
        "district": "东区",
        **fields,
    }
    return Workplace.objects.create(jurisdiction=area, union=union, is_unionised=union is not None, **values)


# --- officer terms -----------------------------------------------------------------------------

TERM_DAYS = 5 * 365


def today() -> date:
    return timezone.localdate()


def make_term(
    org: Org,
    name: str = "王建国",
    position: str = OfficerPosition.CHAIR,
    *,
    days_left: int = 400,
    start: date | None = None,
    end: date | None = None,
    **fields: Any,
) -> OfficerTerm:
    """A term ending in `days_left` days (or from `start` to `end`), stored as-is: the services'
    rules are what the tests check, so the rows they start from do not go through them."""
    term_end = end or today() + timedelta(days=days_left)
    term_start = start or term_end - timedelta(days=TERM_DAYS)
    return OfficerTerm.objects.create(
        org=org, name=name, position=position, term_start=term_start, term_end=term_end, **fields
    )


# --- import files ------------------------------------------------------------------------------

WORKPLACE_HEADER = (
    "单位名称",
    "统一社会信用代码",
    "行业",
    "经济类型",
    "职工人数",
    "地址",
    "所属区县",
    "所属工会(代码)",
    "属地工会(代码)",
)
ORG_HEADER = (
    "工会代码",
    "工会名称",
    "简称",
    "类型",
    "层级",
    "联合工会类别",
    "上级工会代码",
    "地址",
    "区县",
    "联系人",
    "联系电话",
    "成立日期",
)


def xlsx(rows: Sequence[Sequence[Any]], *, title: str | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` (a title line above them if given). Numbers are
    written as numbers, so they come back as floats, as from a real office workbook."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("名单")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    offset = 0
    if title:
        sheet.write_string(0, 0, title)
        offset = 1
    for r, row in enumerate(rows, start=offset):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, date | datetime):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    workbook.close()
    return output.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "gbk") -> bytes:
    lines = [",".join("" if value is None else str(value) for value in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def workplace_row(
    name: str,
    code: str | float,
    *,
    industry: Any = "C 制造业",
    ownership: Any = "私营",
    employees: Any = 30.0,
    address: str = "东区湖滨路8号",
    district: str = "东区",
    union: str = "",
    area: str = "E-T",
) -> tuple[Any, ...]:
    return (name, code, industry, ownership, employees, address, district, union, area)
