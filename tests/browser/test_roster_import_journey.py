"""An officer of a workplace union imports the union's roster (花名册导入): a GBK CSV file from
Chinese Windows with three good rows and three bad ones, mode "import the good rows"; the progress
bar shows while the job waits, the report gives the counts and the problems by row and column in
Chinese, and the good rows are members on the member list."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.members.models import Member, RosterImport
from gonghui.members.tasks import run_roster_import_task
from gonghui.members.tests.import_files import HEADER, csv_file, person_id
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import make_tree, officer_at
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def problem_rows(page: Any) -> list[list[str]]:
    """The problems table as text: row, column, column name, kind, reason."""
    rows = page.locator("#roster-import-problems tbody tr")
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]


def test_a_union_officer_imports_a_gbk_roster_and_the_good_rows_become_members(
    live_server: Any, desktop: Any
) -> None:
    # Given a workplace union and its officer (a union role: no second factor)
    tree = make_tree()
    officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    duplicate = person_id()
    good = {"王小明": person_id(), "欧阳娜娜": person_id("female"), "李雷": duplicate}
    roster = csv_file(
        [
            HEADER,
            ("王小明", good["王小明"], "13800138000"),  # row 2
            ("欧阳娜娜", good["欧阳娜娜"], ""),  # row 3
            ("张三", "3.30203E+17", ""),  # row 4: Excel turned the ID into a number
            ("李雷", duplicate, ""),  # row 5: imported, with a note about row 6
            ("李雷", duplicate, "13900139000"),  # row 6: the same person again
            ("=cmd|' /C calc'!A0", person_id(), ""),  # row 7: a formula for a name
        ],
        encoding="gbk",
    )
    page = desktop

    # When the officer opens 花名册导入 from the console's sidebar
    sign_in(page, live_server.url, "acme.officer", PASSWORD)
    page.get_by_role("navigation", name="后台导航").get_by_role("link", name="花名册导入").click()
    assert page.get_by_role("heading", level=1).inner_text() == "导入花名册"
    assert page.get_by_role("link", name="下载花名册模板（.xlsx）").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "roster-import-1-upload")

    # And uploads the GBK roster into the union, importing the good rows
    page.get_by_label("工会").select_option(tree.acme.code)
    page.get_by_label("导入正确的行，报告有问题的行").check()
    page.get_by_label("花名册文件").set_input_files(
        {"name": "职工花名册.csv", "mimeType": "text/csv", "buffer": roster}
    )
    screenshot(page, "roster-import-2-filled")
    page.get_by_role("button", name="上传").click()

    # Then the import's page shows the progress bar while the job waits for a worker
    page.get_by_role("heading", name="花名册 职工花名册.csv 的导入").wait_for()
    progress = page.locator(".job-progress progress")
    progress.wait_for()
    assert Member.objects.filter(org=tree.acme).count() == 0
    assert axe_violations(page) == []
    screenshot(page, "roster-import-3-progress")

    # When the worker runs the queued job (here, in the test's thread: the live server's thread
    # sees what it commits, as it would see a worker's)
    roster_import = RosterImport.objects.get()
    assert roster_import.job is not None
    run_roster_import_task.call(roster_import.job.pk, roster_import.pk)

    # Then the polling progress bar reloads the page, which now shows the report
    page.get_by_role("heading", name="导入结果").wait_for(timeout=15_000)
    assert progress.count() == 0
    counts = page.locator("dl.import-counts")
    assert counts.locator('[data-count="rows"]').inner_text() == "6"
    assert counts.locator('[data-count="imported"]').inner_text() == "3"
    assert counts.locator('[data-count="rejected"]').inner_text() == "3"
    assert (
        page.locator(".import-summary").inner_text() == "已从 6 行中导入 3 名会员；0 行已是会员，3 行有问题。"
    )
    problems = problem_rows(page)
    assert [row[:4] for row in problems] == [
        ["4", "B", "身份证号", "未导入"],
        ["5", "B", "身份证号", "备注"],
        ["6", "B", "身份证号", "未导入"],
        ["7", "A", "姓名", "未导入"],
    ]
    assert problems[0][4].startswith("身份证号被表格软件存成了数字（例如 3.30203E+17），末几位已经丢失。")
    assert problems[1][4] == "第 6 行的身份证号与本行相同，该行未导入。"
    assert problems[2][4] == "第 5 行已有相同的身份证号：每人只能列一次。"
    assert "公式" in problems[3][4]
    assert axe_violations(page) == []
    screenshot(page, "roster-import-4-report")

    # And the good rows are members of the union, listed on the member list (names masked)
    members = Member.objects.filter(org=tree.acme)
    assert sorted(members.values_list("name", flat=True)) == sorted(good)
    page.get_by_role("navigation", name="后台导航").get_by_role("link", name="会员管理").click()
    for member in members:
        assert page.locator(f'tr[data-row-id="{member.pk}"]').count() == 1
    screenshot(page, "roster-import-5-member-list")
    assert page.console_errors == []
