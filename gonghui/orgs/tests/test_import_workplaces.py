"""Importing a list of workplaces: spreadsheet floats, CSV encodings, a problem per bad cell with
its row and column, all-or-nothing against good-rows mode, and update against create."""

from __future__ import annotations

import pytest

from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_table
from gonghui.orgs.models import ImportKind, ImportMode, ListImport, Role, Workplace
from gonghui.orgs.services.imports import SPECS, import_rows, run_list_import, summary
from gonghui.orgs.tests.factories import (
    WORKPLACE_HEADER,
    credit_code,
    csv_bytes,
    make_workplace,
    officer_at,
    workplace_row,
    xlsx,
)

pytestmark = pytest.mark.django_db
ALL_OR_NOTHING, GOOD_ROWS = ImportMode.ALL_OR_NOTHING, ImportMode.GOOD_ROWS


def run(content: bytes, actor, mode=ALL_OR_NOTHING, file_name: str = "单位名单.xlsx"):
    table = read_table(content, file_name, SPECS[ImportKind.WORKPLACES])
    return import_rows(table, kind=ImportKind.WORKPLACES, actor=actor, mode=mode)


def problems(outcome, content: bytes, file_name: str = "单位名单.xlsx") -> list[tuple[int, str, str]]:
    table = read_table(content, file_name, SPECS[ImportKind.WORKPLACES])
    return [(p.row, table.where(p.column)[1], p.message) for p in outcome.problems]


def test_new_workplaces_are_created_from_a_workbook_whose_numbers_are_floats(tree, east_admin):
    content = xlsx(
        [
            WORKPLACE_HEADER,
            workplace_row("东湖精工机械有限公司", credit_code(1), employees=25.0, union="E-T-A"),
            workplace_row(
                "东湖社区便利店", credit_code(2), industry="F", ownership="个体", employees=3, area="E-T-J"
            ),
        ],
        title="东区单位名单",
    )

    outcome = run(content, east_admin)

    assert outcome.problems == []
    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.skipped) == (2, 0, 0, 0)
    factory = Workplace.objects.get(credit_code=credit_code(1))
    assert (factory.employee_count, factory.industry, factory.ownership) == (25, "C", "private")
    assert (factory.jurisdiction, factory.union, factory.is_unionised) == (tree.town, tree.acme, True)
    shop = Workplace.objects.get(credit_code=credit_code(2))
    assert (shop.industry, shop.jurisdiction, shop.union, shop.is_unionised) == ("F", tree.joint, None, False)
    assert AuditEvent.objects.filter(action="orgs.create_workplace", actor=east_admin).count() == 2


def test_bad_cells_are_reported_with_their_row_column_and_a_message_in_chinese(tree, east_admin):
    make_workplace(None, tree.gamma, credit_code=credit_code(9))
    content = xlsx(
        [
            WORKPLACE_HEADER,
            workplace_row("甲", credit_code(1), industry="Z 未知行业"),
            workplace_row("乙", 3.302031984122088e17),
            workplace_row("丙", credit_code(3), employees=-2),
            workplace_row("丁", credit_code(4), employees=12.5, ownership="跨国"),
            workplace_row("戊", credit_code(5), area="NOPE"),
            workplace_row("己", credit_code(6), union="W-G"),
            workplace_row("", credit_code(7)),
            workplace_row("庚", credit_code(9)),
            workplace_row("辛", credit_code(1)),
            workplace_row("壬", credit_code(8), area="E"),
        ]
    )

    outcome = run(content, east_admin)

    assert problems(outcome, content) == [
        (2, "C", "无法识别的行业“Z 未知行业”：请填 GB/T 4754 门类字母（A 至 T）或名称，例如 C 制造业。"),
        (3, "B", "Excel 把该代码存成了数字，末几位已经丢失。请把该列设为“文本”格式，重新输入代码后再上传。"),
        (4, "E", "职工人数不能为负数。"),
        (5, "D", "无法识别的经济类型“跨国”：请填模板“选项”工作表中的名称。"),
        (5, "E", "请输入整数，不能是 12.5。"),
        (6, "I", "您的管理范围内没有代码为 NOPE 的乡镇（街道）总工会或联合工会。"),
        (7, "H", "您的管理范围内没有代码为 W-G 的工会。"),
        (8, "A", "新增单位时必填。"),
        (9, "B", "该单位登记在您管理范围之外，不能在此修改。"),
        (10, "B", "第 2 行已有相同的统一社会信用代码。"),
        (11, "I", "属地工会必须是乡镇（街道）总工会或联合工会，东区总工会 不是。"),
    ]
    assert Workplace.objects.count() == 1


def one_bad_row_of_three() -> bytes:
    """甲 and 丙 are good; 乙 has an unknown ownership type."""
    return xlsx(
        [
            WORKPLACE_HEADER,
            workplace_row("甲", credit_code(1)),
            workplace_row("乙", credit_code(2), ownership="未知"),
            workplace_row("丙", credit_code(3)),
        ]
    )


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(tree, east_admin):
    outcome = run(one_bad_row_of_three(), east_admin, ALL_OR_NOTHING)

    assert (outcome.created, outcome.skipped, len(outcome.problems)) == (0, 3, 1)
    assert not Workplace.objects.exists()
    assert not AuditEvent.objects.filter(action="orgs.create_workplace").exists()


def test_good_rows_mode_writes_the_good_rows_and_skips_the_bad_one(tree, east_admin):
    outcome = run(one_bad_row_of_three(), east_admin, GOOD_ROWS)

    assert (outcome.created, outcome.skipped, len(outcome.problems)) == (2, 1, 1)
    assert set(Workplace.objects.values_list("name", flat=True)) == {"甲", "丙"}


def test_a_registered_credit_code_updates_that_workplace_and_empty_cells_keep_its_values(tree, east_admin):
    existing = make_workplace(tree.town, None, credit_code=credit_code(1), name="东湖精工", address="旧址1号")
    same = make_workplace(
        tree.town, tree.acme, credit_code=credit_code(2), name="东湖纺织", employee_count=40
    )
    header = ("统一社会信用代码", "职工人数", "地址", "所属工会(代码)")
    content = xlsx(
        [
            header,
            (credit_code(1), 88.0, "", "E-T-A"),
            (credit_code(2), 40.0, "", ""),
            (credit_code(3), 10.0, "", ""),
        ]
    )

    outcome = run(content, east_admin, GOOD_ROWS)

    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.skipped) == (0, 1, 1, 1)
    existing.refresh_from_db()
    assert (existing.employee_count, existing.address, existing.name) == (88, "旧址1号", "东湖精工")
    assert (existing.union, existing.is_unionised) == (tree.acme, True)
    same.refresh_from_db()
    assert same.employee_count == 40
    # A new workplace needs the columns this list does not have: one problem says so.
    assert [p.message for p in outcome.problems] == [
        "新增单位需要“单位名称”，但名单中没有这一列。",
        "新增单位需要“行业”，但名单中没有这一列。",
        "新增单位需要“经济类型”，但名单中没有这一列。",
        "新增单位需要“属地工会(代码)”，但名单中没有这一列。",
    ]
    update = AuditEvent.objects.get(action="orgs.update_workplace")
    assert update.changes["employee_count"] == [50, 88]


def test_a_union_officer_may_update_a_workplace_whose_area_lies_outside_their_scope(tree):
    workplace = make_workplace(tree.town, tree.acme, credit_code=credit_code(1))
    acme_officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    content = xlsx(
        [
            WORKPLACE_HEADER,
            workplace_row("东区甲公司", credit_code(1), union="E-T-A", area="E-T", employees=61.0),
        ]
    )

    outcome = run(content, acme_officer)

    assert (outcome.updated, outcome.problems) == (1, [])
    workplace.refresh_from_db()
    assert (workplace.name, workplace.employee_count, workplace.jurisdiction) == ("东区甲公司", 61, tree.town)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_a_csv_list_in_gbk_or_utf8_with_bom_is_imported_and_its_report_kept(tree, east_admin, encoding):
    content = csv_bytes(
        [
            WORKPLACE_HEADER,
            workplace_row("东湖精工机械有限公司", credit_code(1), employees="25"),
            workplace_row("东湖便利店", credit_code(2), employees="三人"),
        ],
        encoding,
    )
    list_import = ListImport.objects.create(
        kind=ImportKind.WORKPLACES,
        mode=GOOD_ROWS,
        file_name="单位名单.csv",
        size=len(content),
        content=content,
        created_by=east_admin,
    )

    run_list_import(list_import.pk)

    list_import.refresh_from_db()
    assert (list_import.rows_total, list_import.created_count, list_import.skipped_count) == (2, 1, 1)
    assert list_import.problem_count == 1
    problem = list_import.problems.get()
    assert (problem.row, problem.column_letter, problem.column, problem.message) == (
        3,
        "E",
        "职工人数",
        "请输入整数。",
    )
    assert Workplace.objects.get().name == "东湖精工机械有限公司"
    assert bytes(list_import.content) == b""
    assert list_import.is_finished
    assert summary(list_import) == "新增 1 条，更新 0 条，未变 0 条，跳过 1 行；问题 1 个。"
    note = AuditEvent.objects.get(action="orgs.create_workplace").note
    assert note == f"名单导入 {list_import.pk}"


def test_an_import_that_already_ran_does_not_run_again(tree, east_admin):
    content = xlsx([WORKPLACE_HEADER, workplace_row("甲", credit_code(1))])
    list_import = ListImport.objects.create(
        kind=ImportKind.WORKPLACES,
        mode=ALL_OR_NOTHING,
        file_name="a.xlsx",
        size=len(content),
        content=content,
        created_by=east_admin,
    )
    run_list_import(list_import.pk)
    Workplace.objects.all().delete()

    run_list_import(list_import.pk)

    assert not Workplace.objects.exists()


def test_nothing_written_is_said_plainly(tree, east_admin):
    content = xlsx([WORKPLACE_HEADER, workplace_row("甲", credit_code(1), industry="?")])
    list_import = ListImport.objects.create(
        kind=ImportKind.WORKPLACES,
        mode=ALL_OR_NOTHING,
        file_name="a.xlsx",
        size=len(content),
        content=content,
        created_by=east_admin,
    )

    run_list_import(list_import.pk)

    list_import.refresh_from_db()
    assert summary(list_import) == "未写入任何数据：发现 1 个问题。请改正后重新上传。"
