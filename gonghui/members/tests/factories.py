"""Members for tests: real rows with real encryption and blind indexes."""

from __future__ import annotations

from datetime import date
from itertools import count

from gonghui.accounts.models import User
from gonghui.core.idnumbers import make_id_number
from gonghui.members.models import (
    GigOccupation,
    JoinApplication,
    Member,
    MemberStatus,
    id_number_index,
    mobile_index,
)
from gonghui.orgs.models import Org, Workplace

# Each made member gets the next ID number: a new birth day for every 500 people (odd sequence
# numbers, men), so that numbers never repeat within a test run.
_serial = count()


def next_id_number() -> str:
    n = next(_serial)
    birth = date.fromordinal(date(1960, 1, 1).toordinal() + n // 500)
    return make_id_number("330203", birth, (n % 500) * 2 + 1, "male")


def member_row(
    org: Org,
    *,
    name: str = "王小明",
    id_number: str | None = None,
    mobile: str = "",
    workplace: Workplace | None = None,
    status: str = MemberStatus.ACTIVE,
    joined_on: date = date(2020, 1, 1),
) -> Member:
    """An unsaved member of `org` (for bulk_create); ID and mobile numbers are blind-indexed."""
    id_number = id_number or next_id_number()
    return Member(
        name=name,
        id_number=id_number,
        id_number_index=id_number_index(id_number),
        birth_date=date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        sex="male",
        mobile=mobile,
        mobile_index=mobile_index(mobile),
        org=org,
        workplace=workplace,
        joined_on=joined_on,
        status=status,
    )


def make_members(
    org: Org, n: int, *, workplace: Workplace | None = None, status: str = MemberStatus.ACTIVE
) -> list[Member]:
    return Member.objects.bulk_create(member_row(org, workplace=workplace, status=status) for _ in range(n))


def make_join_application(
    org: Org,
    *,
    name: str = "张骑手",
    id_number: str | None = None,
    mobile: str = "13700001111",
    applicant: User | None = None,
    **fields: object,
) -> JoinApplication:
    """An open application to join addressed to `org` (a delivery rider without a fixed employer
    unless `fields` say otherwise), stored directly as the joining service would store it."""
    id_number = id_number or next_id_number()
    values: dict[str, object] = {
        "no_fixed_employer": True,
        "is_gig_worker": True,
        "gig_occupation": GigOccupation.DELIVERY_RIDER,
        "gig_platform": "美团",
        "home_district": "东区",
        **fields,
    }
    return JoinApplication.objects.create(
        name=name,
        id_number=id_number,
        id_number_index=id_number_index(id_number),
        birth_date=date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        sex="male" if int(id_number[16]) % 2 else "female",
        mobile=mobile,
        mobile_index=mobile_index(mobile),
        org=org,
        applicant=applicant,
        **values,
    )
