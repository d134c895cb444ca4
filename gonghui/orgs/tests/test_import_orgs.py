"""Importing a list of organisations: new orgs under parents registered or on a row above,
updates of registered ones, what a list may not do (move), and refusals only the tree service
finds, which in all-or-nothing mode undo the whole list."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_table
from gonghui.orgs.models import FederationLevel, ImportKind, ImportMode, JointUnionArea, Org, OrgKind
from gonghui.orgs.services.imports import SPECS, import_rows
from gonghui.orgs.tests.factories import ORG_HEADER, csv_bytes, xlsx

pytestmark = pytest.mark.django_db
ALL_OR_NOTHING, GOOD_ROWS = ImportMode.ALL_OR_NOTHING, ImportMode.GOOD_ROWS


def org_row(
    code: str,
    name: str,
    kind: str,
    parent: str,
    *,
    level: str = "",
    area: str = "",
    phone: str | float = "",
    founded: date | None = None,
    short: str = "",
    contact: str = "",
) -> tuple[object, ...]:
    return (code, name, short, kind, level, area, parent, "东区某路1号", "东区", contact, phone, founded)


def run(content: bytes, actor, mode=ALL_OR_NOTHING, file_name="工会名单.xlsx"):
    table = read_table(content, file_name, SPECS[ImportKind.ORGS])
    outcome = import_rows(table, kind=ImportKind.ORGS, actor=actor, mode=mode)
    return outcome, [(p.row, table.where(p.column)[0], p.message) for p in outcome.problems]


def test_a_township_and_a_joint_union_under_it_are_created_from_one_list(tree, east_admin):
    content = xlsx(
        [
            ORG_HEADER,
            org_row(
                "E-T2", "东山街道总工会", "总工会", "E", level="乡镇（街道）级", founded=date(2010, 5, 1)
            ),
            org_row("E-T2-J1", "东山社区联合工会", "联合工会", "E-T2", area="社区", phone=15462819482.0),
            org_row("E-T2-G1", "东山五金厂工会委员会", "基层工会委员会", "E-T2-J1", contact="王丽"),
        ]
    )

    outcome, found = run(content, east_admin)

    assert found == []
    assert (outcome.created, outcome.updated, outcome.skipped) == (3, 0, 0)
    town = Org.objects.get(code="E-T2")
    assert (town.kind, town.level, town.founded_on) == (
        OrgKind.FEDERATION,
        FederationLevel.TOWNSHIP,
        date(2010, 5, 1),
    )
    assert Org.objects.get_parent(town) == tree.east
    joint = Org.objects.get(code="E-T2-J1")
    assert (joint.kind, joint.area, joint.contact_phone) == (
        OrgKind.JOINT_UNION,
        JointUnionArea.COMMUNITY,
        "15462819482",
    )
    assert Org.objects.get_parent(joint) == town
    factory = Org.objects.get(code="E-T2-G1")
    assert (factory.kind, factory.contact_name, Org.objects.get_parent(factory)) == (
        OrgKind.GRASSROOTS,
        "王丽",
        joint,
    )
    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert AuditEvent.objects.filter(action="orgs.create_org", actor=east_admin).count() == 3


def test_a_registered_code_updates_the_org_and_may_not_move_it(tree, east_admin):
    content = csv_bytes(
        [
            ORG_HEADER,
            ("E-B", "", "乙公司工会", "", "", "", "E", "", "", "李强", "0574-87001234", ""),
            ("E-T-A", "", "", "", "", "", "W", "", "", "", "", ""),
            ("E-T-J", "", "", "", "", "", "E-T", "", "", "", "", ""),
        ],
        "utf-8-sig",
    )

    outcome, found = run(content, east_admin, GOOD_ROWS, file_name="工会名单.csv")

    assert found == [
        (
            3,
            "上级工会代码",
            "该组织目前隶属于E-T。导入名单不能调整隶属关系，请在该组织页面使用“调整隶属关系”。",
        )
    ]
    assert (outcome.updated, outcome.unchanged, outcome.skipped) == (1, 1, 1)
    beta = tree.fresh(tree.beta)
    assert (beta.short_name, beta.contact_name, beta.contact_phone, beta.name) == (
        "乙公司工会",
        "李强",
        "0574-87001234",
        "东区乙公司工会",
    )
    assert Org.objects.get_parent(tree.fresh(tree.acme)) == tree.town


def test_parents_must_be_in_scope_or_above_and_kinds_must_fit_under_them(tree, east_admin):
    content = xlsx(
        [
            ORG_HEADER,
            org_row("N-1", "西区新工会", "基层工会", "W"),
            org_row("N-2", "无名上级的工会", "基层工会", "NOWHERE"),
            org_row("N-3", "坏行", "不知道", "E"),
            org_row("N-4", "坏行下面的工会", "基层工会", "N-3"),
            org_row("N-5", "挂错的小组", "工会小组", "E"),
            org_row("N-6", "没层级的总工会", "总工会", "E"),
            org_row("W-G", "西区丙公司工会", "基层工会", "W"),
        ]
    )

    outcome, found = run(content, east_admin, GOOD_ROWS)

    assert found == [
        (2, "上级工会代码", "您的管理范围内和本名单靠上的行中都没有代码为 W 的组织。"),
        (3, "上级工会代码", "您的管理范围内和本名单靠上的行中都没有代码为 NOWHERE 的组织。"),
        (4, "类型", "无法识别的类型“不知道”：请填总工会、联合工会、行业工会、基层工会或工会小组。"),
        (5, "上级工会代码", "第 4 行的上级组织本身有问题。"),
        (6, "类型", "工会小组只能设在基层工会之下。"),
        (7, "层级", "请选择总工会的级别。"),
        (8, "工会代码", "该组织在您管理范围之外，不能在此修改。"),
    ]
    assert outcome.created == 0
    assert not Org.objects.filter(code__startswith="N-").exists()


def test_a_refusal_only_the_tree_service_finds_undoes_the_whole_list_in_all_or_nothing_mode(tree, east_admin):
    content = xlsx(
        [
            ORG_HEADER,
            org_row("E-G9", "东区丁公司工会", "基层工会", "E"),
            org_row("E-G10", "东区戊公司工会", "基层工会", "E", phone="电话待定"),
        ]
    )

    outcome, found = run(content, east_admin, ALL_OR_NOTHING)

    assert found == [(3, "联系电话", "只能使用数字、空格、连字符和括号。")]
    assert (outcome.created, outcome.skipped) == (0, 2)
    assert not Org.objects.filter(code__in=["E-G9", "E-G10"]).exists()
    assert not AuditEvent.objects.filter(action="orgs.create_org").exists()


def test_the_same_refusal_in_good_rows_mode_keeps_the_other_rows(tree, east_admin):
    content = xlsx(
        [
            ORG_HEADER,
            org_row("E-G9", "东区丁公司工会", "基层工会", "E"),
            org_row("E-G10", "东区戊公司工会", "基层工会", "E", phone="电话待定"),
        ]
    )

    outcome, found = run(content, east_admin, GOOD_ROWS)

    assert [row for row, _column, _message in found] == [3]
    assert (outcome.created, outcome.skipped) == (1, 1)
    assert Org.objects.filter(code="E-G9").exists()
