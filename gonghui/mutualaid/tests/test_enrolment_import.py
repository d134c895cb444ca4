"""Enrolment from a list of ID numbers and names: each row ready, already enrolled, or refused with
its reason; the check mode writes nothing; the files the roster import reads are read the same
way (workbooks, GBK and UTF-8 CSV, ID numbers stored as numbers) and a file that is not a list is
refused as a whole."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.idnumbers import make_id_number
from gonghui.members.models import Member, MemberStatus
from gonghui.members.tests.factories import member_row
from gonghui.mutualaid.models import AidPlanStatus, Enrolment, EnrolmentBatch
from gonghui.mutualaid.services.enrolment_import import enrol_from_list, open_plans_for
from gonghui.mutualaid.tests.factories import make_plan, make_rule
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import csv_bytes, officer_at, xlsx

pytestmark = pytest.mark.django_db

HEADER = ["序号", "姓名", "身份证号"]


def upload(content: bytes, name: str = "名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def member(org: Any, name: str, **fields: Any) -> Member:
    row = member_row(org, name=name, **fields)
    row.save()
    return row


@pytest.fixture
def acme_officer(world: Any) -> Any:
    return officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER)


@pytest.fixture
def people(world: Any) -> dict[str, Member]:
    tree = world.tree
    return {
        "ready": member(tree.acme, "李四"),
        "in_group": member(tree.group, "赵六"),  # a sub-union of acme
        "beta": member(tree.beta, "钱七"),
        "left": member(tree.acme, "孙八", status=MemberStatus.LEFT),
    }


def test_each_row_is_sorted_out_with_its_reason(
    world: Any, acme_officer: Any, people: dict[str, Member]
) -> None:
    unknown = make_id_number("330203", date(1990, 5, 1), 11, "male")
    rows = [
        HEADER,
        [1, "李四", people["ready"].id_number],
        [2, "赵六", people["in_group"].id_number],
        [3, "王小明", world.member.id_number],  # enrolled already (the world's enrolment)
        [4, "钱七", people["beta"].id_number],
        [5, "孙八", people["left"].id_number],
        [6, "周九", unknown],
        [7, "李四", people["ready"].id_number],  # the same person again
        [8, "李四", "330203199001011235"],  # a wrong check character
        [9, "李四", 3.302031984122088e17],  # stored as a number by Excel
        [10, "张三", people["in_group"].id_number.lower()],  # listed twice, spelled differently
    ]
    outcome = enrol_from_list(
        world.plan, actor=acme_officer, org=world.tree.acme, upload=upload(xlsx(rows)), enrol=True
    )
    assert (outcome.rows, outcome.ready, outcome.already_enrolled, outcome.problem_count) == (10, 2, 1, 7)
    reasons = {problem.row: problem.reason for problem in outcome.problems}
    assert "An active member of 东区乙公司工会, not of 东区甲公司工会" in reasons[5]
    assert "The membership has ended (Left)" in reasons[6]
    assert reasons[7] == "Nobody with this ID number is in the member registry."
    assert "already on row 2 of the list" in reasons[8]
    assert "check character" in reasons[9]
    assert "3.30203E+17" in reasons[10] or "stored as a number" in reasons[10]
    assert "already on row 3 of the list" in reasons[11]
    assert all("*" in problem.id_number for problem in outcome.problems if problem.row != 10)
    batch = outcome.result.batch  # type: ignore[union-attr]
    assert (outcome.result.enrolled, batch.count, batch.total_contribution) == (2, 2, Decimal("120.00"))  # type: ignore[union-attr]
    assert set(Enrolment.objects.filter(batch=batch).values_list("member_id", flat=True)) == {
        people["ready"].pk,
        people["in_group"].pk,
    }


def test_a_name_that_does_not_match_the_registry_is_refused(
    world: Any, acme_officer: Any, people: dict[str, Member]
) -> None:
    content = csv_bytes(
        [["姓名", "身份证号"], ["李 四", people["ready"].id_number], ["李思", people["in_group"].id_number]]
    )
    outcome = enrol_from_list(
        world.plan, actor=acme_officer, org=world.tree.acme, upload=upload(content, "名单.csv"), enrol=False
    )
    assert outcome.ready == 1  # "李 四" is 李四: spaces in a Han name do not count
    [problem] = outcome.problems
    assert (problem.row, problem.name) == (3, "李*")
    assert "not the one in the member registry (赵*)" in problem.reason


def test_checking_writes_nothing(world: Any, acme_officer: Any, people: dict[str, Member]) -> None:
    content = csv_bytes([["身份证号", "姓名"], [people["ready"].id_number, "李四"]], encoding="utf-8-sig")
    before = EnrolmentBatch.objects.count()
    outcome = enrol_from_list(
        world.plan, actor=acme_officer, org=world.tree.acme, upload=upload(content, "list.csv"), enrol=False
    )
    assert (outcome.ready, outcome.result) == (1, None)
    assert EnrolmentBatch.objects.count() == before
    assert not Enrolment.objects.filter(member=people["ready"]).exists()


def test_a_list_with_nobody_to_enrol_enrols_nothing(world: Any, acme_officer: Any) -> None:
    content = xlsx([["姓名", "身份证号"], ["王小明", world.member.id_number]])
    outcome = enrol_from_list(
        world.plan, actor=acme_officer, org=world.tree.acme, upload=upload(content), enrol=True
    )
    assert (outcome.ready, outcome.already_enrolled, outcome.result) == (0, 1, None)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 not a list", "名单.xlsx", "not a spreadsheet"),
        (b"", "名单.csv", "The file is empty."),
        (xlsx([["单位", "人数"], ["甲", 3]]), "名单.xlsx", "No header row found"),
        (xlsx([["姓名", "身份证号"]]), "名单.xlsx", "no rows below it"),
        (b"a,b", "名单.pdf", "Only .xlsx, .xls, .ods and .csv"),
    ],
)
def test_a_file_that_is_not_a_list_is_refused(
    world: Any, acme_officer: Any, content: bytes, name: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        enrol_from_list(
            world.plan, actor=acme_officer, org=world.tree.acme, upload=upload(content, name), enrol=True
        )
    assert message in caught.value.message
    assert "file" in caught.value.fields
    assert EnrolmentBatch.objects.count() == 1  # the world's own


def test_the_union_and_the_plan_are_checked_first(world: Any, acme_officer: Any) -> None:
    content = upload(xlsx([["姓名", "身份证号"], ["王小明", world.member.id_number]]))
    with pytest.raises(NotFound):  # beta is not acme's officer's union
        enrol_from_list(world.plan, actor=acme_officer, org=world.tree.beta, upload=content, enrol=True)
    auditor = officer_at(world.tree.acme, "acme.auditor", Role.AUDITOR)
    with pytest.raises(Forbidden):
        enrol_from_list(world.plan, actor=auditor, org=world.tree.acme, upload=content, enrol=True)
    west_plan = make_plan(world.tree.west, name="西区计划", status=AidPlanStatus.OPEN)
    with pytest.raises(NotFound):  # not run above acme
        enrol_from_list(west_plan, actor=acme_officer, org=world.tree.acme, upload=content, enrol=True)
    draft = make_plan(world.tree.east, name="草稿计划")
    with pytest.raises(Conflict):
        enrol_from_list(draft, actor=acme_officer, org=world.tree.acme, upload=content, enrol=True)


def test_the_plans_that_apply_to_a_union(world: Any) -> None:
    city_plan = make_plan(world.tree.city, name="市总计划", status=AidPlanStatus.OPEN)
    make_rule(city_plan)
    west_plan = make_plan(world.tree.west, name="西区计划", status=AidPlanStatus.OPEN)
    make_plan(world.tree.east, name="草稿计划")
    assert set(open_plans_for(world.tree.acme)) == {world.plan, city_plan}
    assert set(open_plans_for(world.tree.gamma)) == {city_plan, west_plan}
