"""`gonghui import-roster FILE --union CODE --mode check|all|valid --report OUT.xlsx`: the same
import from the command line, a Chinese summary, and an exit status a script can act on
(0 all fine, 1 rows rejected, 2 nothing read)."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from gonghui.cli import main
from gonghui.core.models import AuditEvent
from gonghui.members.models import Member, RosterImport
from gonghui.members.tests.factories import member_row
from gonghui.members.tests.import_files import HEADER, csv_file, person_id, zip_bomb_xlsx

pytestmark = pytest.mark.django_db


def gonghui(*args: str) -> int:
    """Run `gonghui import-roster ...` in this process; the exit status the shell would see.

    `call_command` rather than the console script itself: the script's runner closes the database
    connections when it ends, which would end the test's transaction. Django's runner exits with
    a CommandError's `returncode` and prints its message on stderr, as done here."""
    name, *rest = args
    try:
        call_command(name.replace("-", "_"), *rest)
    except CommandError as error:
        sys.stderr.write(f"CommandError: {error}\n")
        return error.returncode
    return 0


def test_the_console_script_knows_the_command(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["gonghui", "import-roster", "--help"])

    assert exit.value.code == 0
    assert "--union" in capsys.readouterr().out


def test_a_clean_roster_is_imported_with_a_chinese_summary_and_exit_status_0(tree, tmp_path, capsys):
    roster = tmp_path / "花名册.csv"
    roster.write_bytes(
        csv_file([HEADER, ("王小明", person_id(), ""), ("李雷", person_id(), "")], encoding="gbk")
    )
    report = tmp_path / "报告.xlsx"

    status = gonghui(
        "import-roster", str(roster), "--union", "E-T-A", "--mode", "valid", "--report", str(report)
    )

    out = capsys.readouterr().out
    assert status == 0
    assert "已从 2 行中导入 2 名会员；0 行已是会员，0 行有问题。" in out
    assert f"报告已写入 {report}。" in out
    assert Member.objects.filter(org=tree.acme).count() == 2
    # Done by the system: the audit event says so (no actor)
    assert AuditEvent.objects.get(action="members.import_roster").actor_id is None
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(report.read_bytes()))
    assert workbook.sheet_names == ["问题", "有问题的行"]


def test_members_already_in_the_union_are_not_a_failure(tree, tmp_path, capsys):
    existing = member_row(tree.acme, id_number=person_id())
    existing.save()
    roster = tmp_path / "r.csv"
    roster.write_bytes(csv_file([HEADER, ("王小明", existing.id_number, "")]))

    assert gonghui("import-roster", str(roster), "--union", "E-T-A", "--mode", "all") == 0
    assert "0 名会员；1 行已是会员" in capsys.readouterr().out


def test_rejected_rows_are_printed_and_give_exit_status_1(tree, tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_bytes(csv_file([HEADER, ("王小明", person_id(), ""), ("", person_id(), "")]))

    status = gonghui("import-roster", str(roster), "--union", "E-T-A", "--mode", "all")

    captured = capsys.readouterr()
    assert status == 1
    assert "未写入任何数据：2 行中有 1 行有问题" in captured.out
    assert "第 3 行 A 列（姓名）：缺少姓名。" in captured.out
    assert "1 行未导入。" in captured.err
    assert not Member.objects.exists()


def test_check_only_writes_nothing_and_still_fails_on_bad_rows(tree, tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_bytes(csv_file([HEADER, ("王小明", person_id(), ""), ("李雷", "330203", "")]))

    assert gonghui("import-roster", str(roster), "--union", "E-T-A", "--mode", "check") == 1
    assert "已检查 2 行：1 行可以导入" in capsys.readouterr().out
    assert not Member.objects.exists()


def test_a_refused_file_a_missing_file_or_an_unknown_union_give_exit_status_2(
    tree, tmp_path, capsys, settings
):
    settings.ROSTER_IMPORT_MAX_UNPACKED_BYTES = 8 * 2**20
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb_xlsx(16 * 2**20))
    roster = tmp_path / "r.csv"
    roster.write_bytes(csv_file([HEADER, ("王小明", person_id(), "")]))

    assert gonghui("import-roster", str(bomb), "--union", "E-T-A") == 2
    assert "解压" in capsys.readouterr().err
    assert gonghui("import-roster", str(tmp_path / "missing.csv"), "--union", "E-T-A") == 2
    assert "找不到文件" in capsys.readouterr().err
    assert gonghui("import-roster", str(roster), "--union", "NO-SUCH") == 2
    assert "没有代码为 NO-SUCH 的工会。" in capsys.readouterr().err
    # A federation holds no members: refused with the reason
    assert gonghui("import-roster", str(roster), "--union", "E", "--mode", "valid") == 2
    assert "东区总工会" in capsys.readouterr().err
    assert not Member.objects.exists()
    assert RosterImport.objects.filter(imported_count__gt=0).count() == 0


def test_an_officer_named_as_actor_must_be_allowed_to_change_the_union(tree, tmp_path, capsys, east_admin):
    roster = tmp_path / "r.csv"
    roster.write_bytes(csv_file([HEADER, ("王小明", person_id(), "")]))

    assert gonghui("import-roster", str(roster), "--union", "W-G", "--actor", east_admin.username) == 2
    assert "西区丙公司工会" in capsys.readouterr().err
    assert gonghui("import-roster", str(roster), "--union", "E-T-A", "--actor", east_admin.username) == 0
