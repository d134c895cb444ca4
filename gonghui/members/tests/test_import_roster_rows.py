"""Roster import, row by row: each cell is normalised (full-width digits, a lower-case x, a
15-digit ID, stray spaces) and checked; headers are found by their synonyms; duplicates in the
file, people already in the union and people active in another union are reported by row and
column with the reason in Chinese; formula injection is refused and never written back out."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.idnumbers import id_check_character
from gonghui.members.models import Member, MemberStatus, RosterProblemLevel, Transfer, TransferStatus
from gonghui.members.services.imports import request_roster_transfers, transfer_candidates
from gonghui.members.tests.factories import member_row
from gonghui.members.tests.import_files import (
    HEADER,
    csv_file,
    person_id,
    problems_of,
    report_comments,
    report_sheets,
    run_import,
    xlsx_file,
)
from gonghui.orgs.tests.factories import make_workplace

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def an_id_ending_in_x() -> str:
    while True:
        number = person_id()
        if number.endswith("X"):
            return number


def test_full_width_digits_lower_case_x_old_numbers_and_stray_spaces_are_normalised(tree, tmp_path):
    # Given the ways officers really type: full-width digits, a lower-case x, a 15-digit old ID,
    # spaces padding a two-character name and inside the mobile number
    full_width = person_id()
    with_x = an_id_ending_in_x()
    old = "330203800101002"
    content = csv_file(
        [
            ("姓名 ", " 身份证号", "手机号"),
            ("  王  小明 ", full_width.translate(FULL_WIDTH), " 138 0013 8000 "),
            ("李 雷", with_x.lower(), "１３９００１３９０００"),
            ("韩梅梅", f" {old} ", "+86 137-0013-7000"),
        ]
    )

    # When it is imported
    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme)

    # Then every row is a member with the normalised values
    assert problems_of(roster_import) == []
    members = {member.name: member for member in Member.objects.filter(org=tree.acme)}
    assert set(members) == {"王小明", "李雷", "韩梅梅"}
    assert (members["王小明"].id_number, members["王小明"].mobile) == (full_width, "13800138000")
    assert (members["李雷"].id_number, members["李雷"].mobile) == (with_x, "13900139000")
    upgraded = "33020319800101002"
    assert members["韩梅梅"].id_number == upgraded + id_check_character(upgraded)
    assert members["韩梅梅"].birth_date == date(1980, 1, 1)


@pytest.mark.parametrize(
    "header",
    [
        ("姓名", "身份证号", "手机号"),
        ("职工姓名", "证件号码", "联系电话"),
        ("会员姓名*", "公民身份号码（必填）", "手机号码"),
        ("名字", "身份证号码", "联系方式"),
    ],
)
def test_headers_are_found_by_their_synonyms_in_any_order_below_a_title(tree, tmp_path, header):
    # Given a list with a title line, the columns in another order and an extra column
    name, id_column, mobile = header
    content = xlsx_file(
        [
            ("东区甲公司职工花名册（2026年）",),
            ("序号", mobile, id_column, name),
            (1, "13800138000", person_id(), "王小明"),
        ]
    )

    roster_import = run_import(tmp_path, content, "roster.xlsx", org=tree.acme)

    assert roster_import.imported_count == 1
    member = Member.objects.get(org=tree.acme)
    assert (member.name, member.mobile) == ("王小明", "13800138000")


def test_rows_with_bad_cells_are_reported_by_row_and_column_in_chinese(tree, tmp_path):
    # Given rows with a bad check digit, a missing name, an eleven-digit number that is no
    # mobile number and a sex the ID number contradicts
    good = person_id()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    content = csv_file(
        [
            ("姓名", "身份证号", "手机号", "性别", "入会日期"),
            ("王小明", bad_check, "", "", ""),
            ("", person_id(), "", "", ""),
            ("李雷", person_id(), "12345678901", "", ""),
            ("韩梅梅", person_id("male"), "", "女", ""),
            ("赵六", person_id(), "", "", "2099-01-01"),
        ]
    )

    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme)

    rows = roster_import.problems.order_by("row").values_list(
        "row", "column_letter", "column", "code", "message"
    )
    found = {(row, letter, column, code): message for row, letter, column, code, message in rows}
    assert set(found) == {
        (2, "B", "身份证号", "id_number.checksum"),
        (3, "A", "姓名", "name.required"),
        (4, "C", "手机号", "mobile.prefix"),
        (5, "D", "性别", "sex.mismatch"),
        (6, "E", "入会日期", "joined_on.future"),
    }
    assert found[(2, "B", "身份证号", "id_number.checksum")] == "身份证号校验位不符，请逐位核对。"
    assert found[(3, "A", "姓名", "name.required")] == "缺少姓名。"
    assert "男" in found[(5, "D", "性别", "sex.mismatch")]
    assert roster_import.rejected_count == 5
    assert roster_import.imported_count == 0


def test_a_person_listed_twice_is_imported_once_and_both_rows_say_why(tree, tmp_path):
    number = person_id()
    content = csv_file(
        [HEADER, ("王小明", number, ""), ("李雷", person_id(), ""), ("王小明", number.lower(), "")]
    )

    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme)

    assert problems_of(roster_import) == [
        (2, "B", "id_number.duplicate_first"),
        (4, "B", "id_number.duplicate"),
    ]
    second = roster_import.problems.get(row=4)
    assert second.message == "第 2 行已有相同的身份证号：每人只能列一次。"
    assert second.level == RosterProblemLevel.ERROR
    assert roster_import.problems.get(row=2).level == RosterProblemLevel.NOTE
    assert Member.objects.filter(org=tree.acme).count() == 2
    assert roster_import.rejected_count == 1


def test_a_person_already_in_this_union_is_skipped_not_rejected(tree, tmp_path):
    # Given a member of the union, listed again on its roster
    existing = member_row(tree.acme, id_number=person_id())
    existing.save()
    content = csv_file([HEADER, ("王小明", existing.id_number, ""), ("李雷", person_id(), "")])

    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme)

    assert problems_of(roster_import) == [(2, "B", "already_member")]
    assert roster_import.problems.get().level == RosterProblemLevel.SKIPPED
    assert (roster_import.skipped_count, roster_import.rejected_count, roster_import.imported_count) == (
        1,
        0,
        1,
    )
    assert Member.objects.filter(org=tree.acme, status=MemberStatus.ACTIVE).count() == 2


def test_a_person_active_in_another_union_is_refused_and_their_transfer_can_be_asked_for(
    tree, tmp_path, east_admin
):
    # Given a member of the beta union, on the roster of the acme union
    elsewhere = member_row(tree.beta, id_number=person_id())
    elsewhere.save()
    content = csv_file([HEADER, ("王小明", elsewhere.id_number, ""), ("李雷", person_id(), "")])

    # When the roster is imported
    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme, actor=east_admin)

    # Then that row is refused, naming the union, and offered for a transfer
    assert problems_of(roster_import) == [(2, "B", "active_elsewhere")]
    problem = roster_import.problems.get()
    assert "东区乙公司工会" in problem.message
    assert "转会" in problem.message
    assert roster_import.elsewhere_count == 1
    assert list(transfer_candidates(roster_import)) == [problem]

    # When the officer asks for the transfers
    outcome = request_roster_transfers(roster_import, actor=east_admin)

    # Then one transfer into the acme union is open, and the offer is used up
    assert outcome.requested == 1
    assert outcome.refused == []
    transfer = Transfer.objects.get()
    assert (transfer.member_id, transfer.to_org_id, transfer.status) == (
        elsewhere.pk,
        tree.acme.pk,
        TransferStatus.REQUESTED,
    )
    assert not transfer_candidates(roster_import).exists()
    assert request_roster_transfers(roster_import, actor=east_admin).requested == 0


def test_workplaces_are_found_by_credit_code_or_name_among_those_the_union_covers(tree, tmp_path):
    # Given the acme union covering two workplaces, and a third covered by beta
    first = make_workplace(tree.town, tree.acme, name="东区甲公司")
    second = make_workplace(tree.town, tree.acme, name="东区甲公司（二厂）")
    other = make_workplace(tree.town, tree.beta, name="东区乙公司")
    content = csv_file(
        [
            ("姓名", "身份证号", "工作单位", "统一社会信用代码"),
            ("王小明", person_id(), "东区甲公司", ""),
            ("李雷", person_id(), "", second.credit_code),
            ("韩梅梅", person_id(), "东区乙公司", ""),
            ("赵六", person_id(), "不存在的公司", ""),
        ]
    )

    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme)

    assert problems_of(roster_import) == [(4, "C", "workplace.not_covered"), (5, "C", "workplace.not_found")]
    assert "东区乙公司工会" in roster_import.problems.get(row=4).message
    workplaces = dict(Member.objects.filter(org=tree.acme).values_list("name", "workplace_id"))
    assert workplaces == {"王小明": first.pk, "李雷": second.pk}
    assert other.pk not in workplaces.values()


def test_a_formula_in_a_name_is_refused_and_the_report_never_starts_a_formula(tree, tmp_path):
    # Given the classic DDE payload in a name, and formula-like text in an unread extra column
    content = csv_file(
        [
            ("姓名", "身份证号", "手机号", "备注"),
            ("=cmd|' /C calc'!A0", person_id(), "", "+SUM(A1:A9)"),
            ('@HYPERLINK("http://evil")', person_id(), "", "-1+1"),
            ("李雷", person_id(), "", ""),
        ]
    )

    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme)

    # Then those rows are refused with the reason, nothing of theirs is stored
    assert problems_of(roster_import) == [(2, "A", "name.formula"), (3, "A", "name.formula")]
    assert "公式" in roster_import.problems.filter(row=2).get().message
    assert list(Member.objects.filter(org=tree.acme).values_list("name", flat=True)) == ["李雷"]
    # And no text cell of the report workbook starts like a formula
    sheets = report_sheets(roster_import)
    cells = [cell for rows in sheets.values() for row in rows for cell in row if isinstance(cell, str)]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_the_report_workbook_marks_the_bad_cells_with_their_reasons(tree, tmp_path):
    # Given a roster with one bad check digit
    good = person_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    content = csv_file([HEADER, ("王小明", bad, ""), ("李雷", good, "")])

    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme)

    sheets = report_sheets(roster_import)
    problems, rows = sheets["问题"], sheets["有问题的行"]
    # The first sheet: the counts, then one line per problem with row, column and reason
    assert ["行数", 2.0] in [row[:2] for row in problems]
    assert ["有问题的行", 1.0] in [row[:2] for row in problems]
    assert problems[-1] == [2.0, "B", "身份证号", "未导入", "身份证号校验位不符，请逐位核对。"]
    # The second: the row as it was, the bad cell commented, and the reasons at the end
    assert rows[0] == ["行号", "姓名", "身份证号", "手机号", "问题"]
    assert rows[1][:3] == [2.0, "王小明", bad]
    assert rows[1][-1] == "身份证号（B 列）：身份证号校验位不符，请逐位核对。"
    assert "身份证号校验位不符" in report_comments(roster_import)


def test_a_dash_or_nothing_in_an_optional_cell_means_empty_not_a_formula(tree, tmp_path):
    content = csv_file(
        [
            ("姓名", "身份证号", "性别", "工作单位", "所属平台"),
            ("王小明", person_id("male"), "-", "无", "—"),
            ("李雷", person_id("male"), "/", "-", "=HYPERLINK(1)"),
        ]
    )

    roster_import = run_import(tmp_path, content, "roster.csv", org=tree.acme)

    assert problems_of(roster_import) == [(3, "E", "gig_platform.formula")]
    member = Member.objects.get(org=tree.acme)
    assert (member.name, member.workplace_id, member.gig_platform) == ("王小明", None, "")
