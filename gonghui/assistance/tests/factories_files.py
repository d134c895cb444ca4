"""Builders for the hardship file tests: members with portal accounts, household input as the
forms and the API give it, and files as `apply_for_hardship` and the review leave them."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone
from PIL import Image

from gonghui.accounts.models import User
from gonghui.assistance.models import (
    Channel,
    HardshipFile,
    HardshipFileAction,
    HardshipFileHistory,
    HardshipFileStatus,
    HardshipGrade,
    HouseholdMember,
    Occupation,
    Relation,
)
from gonghui.assistance.services.files import PersonInput, household_figures, one_year_after
from gonghui.core.idnumbers import make_id_number
from gonghui.members.models import Member, id_number_index
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import Org

_serial = count(1)


def household_id(sex: str = "female", born: date = date(1985, 6, 1)) -> str:
    """A valid ID number no other test row uses (region 330205, unlike the members factory's)."""
    n = next(_serial)
    sequence = (n % 499) * 2 + (1 if sex == "male" else 0)
    birth = date.fromordinal(born.toordinal() + n // 499)
    return make_id_number("330205", birth, sequence, "male" if sex == "male" else "female")


def make_member_with_account(org: Org, *, name: str = "王小明") -> tuple[Member, User]:
    """An active member of `org` with a portal account linked to the membership."""
    mobile = f"137{next(_serial):08d}"
    user = User.objects.create_member(mobile=mobile, password="Member-pass-2027", display_name=name)
    member = member_row(org, name=name, mobile=mobile)
    member.user = user
    member.save()
    return member, user


def self_row(member: Member, income: str = "1800.00", **fields: Any) -> PersonInput:
    values: dict[str, Any] = {
        "relation": Relation.SELF,
        "name": member.name,
        "id_number": member.id_number,
        "occupation": Occupation.EMPLOYED,
        "monthly_income": income,
        "health": "",
    }
    values.update(fields)
    return PersonInput(**values)


def person(
    relation: str = Relation.SPOUSE,
    *,
    name: str = "李秀英",
    id_number: str | None = None,
    occupation: str = Occupation.UNABLE,
    income: str = "0",
    health: str = "",
) -> PersonInput:
    return PersonInput(
        relation=relation,
        name=name,
        id_number=id_number or household_id(),
        occupation=occupation,
        monthly_income=income,
        health=health,
    )


def application(member: Member, *extra: PersonInput, **fields: Any) -> dict[str, Any]:
    """Keyword arguments for `apply_for_hardship` (without actor and member)."""
    values: dict[str, Any] = {
        "household": [self_row(member), *(extra or (person(health="尿毒症，每周透析三次"),))],
        "other_monthly_income": "0",
        "causes": ["illness"],
        "situation": "妻子患尿毒症长期透析，家庭收入仅靠本人工资。",
    }
    values.update(fields)
    return values


def make_file(
    member: Member,
    *,
    status: str = HardshipFileStatus.APPLIED,
    grade: str = "",
    incomes: tuple[str, ...] = ("1800.00", "0.00"),
    threshold: Decimal | None = None,
    threshold_org: Org | None = None,
    year: int | None = None,
    recheck_due: date | None = None,
) -> HardshipFile:
    """A file with a household of `len(incomes)` people (the member first), written directly."""
    today = timezone.localdate()
    figures = household_figures([Decimal(amount) for amount in incomes], Decimal("0.00"))
    on_record = status in {HardshipFileStatus.ON_FILE, HardshipFileStatus.EXITED}
    hardship_file = HardshipFile.objects.create(
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        year=year or today.year,
        status=status,
        grade=(grade or HardshipGrade.RELATIVE) if on_record else "",
        situation="家庭成员长期患病，收入微薄。",
        household_size=figures.household_size,
        household_monthly_income=figures.household_monthly_income,
        per_capita_income=figures.per_capita_income,
        threshold=threshold,
        threshold_org=threshold_org,
        channel=Channel.MEMBER,
        recheck_due=(recheck_due or one_year_after(today)) if status == HardshipFileStatus.ON_FILE else None,
    )
    active = status in {HardshipFileStatus.APPLIED, HardshipFileStatus.ON_FILE}
    rows = [(Relation.SELF, member.name, member.id_number)]
    rows += [(Relation.SPOUSE, "李秀英", household_id()) for _ in incomes[1:]]
    HouseholdMember.objects.bulk_create(
        HouseholdMember(
            file=hardship_file,
            position=position,
            relation=relation,
            name=name,
            id_number=id_number,
            person_index=id_number_index(id_number),
            occupation=Occupation.EMPLOYED,
            monthly_income=Decimal(income),
            active=active,
        )
        for position, ((relation, name, id_number), income) in enumerate(
            zip(rows, incomes, strict=True), start=1
        )
    )
    HardshipFileHistory.objects.create(
        file=hardship_file,
        action=HardshipFileAction.APPLY,
        from_status="",
        to_status=HardshipFileStatus.APPLIED,
    )
    if status != HardshipFileStatus.APPLIED:
        HardshipFileHistory.objects.create(
            file=hardship_file,
            action=HardshipFileAction.APPROVE if on_record else HardshipFileAction.REJECT,
            from_status=HardshipFileStatus.APPLIED,
            to_status=HardshipFileStatus.ON_FILE if on_record else status,
        )
    return hardship_file


def member_file(org: Org, **fields: Any) -> HardshipFile:
    """A file of a new member of `org` (for the scoping registrations)."""
    member, _user = make_member_with_account(org)
    return make_file(member, **fields)


def png() -> bytes:
    """A small real PNG (documents are checked by their bytes)."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
