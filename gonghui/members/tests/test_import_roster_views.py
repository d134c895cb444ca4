"""Console pages of the roster import: the upload form (unions the officer may change, the
three modes), refusal of hostile files at once with nothing stored, the progress page while the
job runs and the report after it (counts, problems by row and column, paged), the report
workbook, the template, and asking for transfers; links from the member list and the sidebar."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.core.errors import NotFound
from gonghui.jobs.models import Job, JobStatus
from gonghui.members.models import Member, RosterImport, Transfer
from gonghui.members.tasks import run_roster_import_task
from gonghui.members.tests.factories import member_row
from gonghui.members.tests.import_files import HEADER, csv_file, person_id, xlsx_file, zip_bomb_xlsx
from gonghui.members.views import imports as views
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, make_workplace, officer_at

pytestmark = pytest.mark.django_db

IMPORTS = reverse("console:members:roster_imports")


def upload(client: Client, content: bytes, name: str, *, org: str, mode: str = "valid"):
    return client.post(IMPORTS, {"org": org, "mode": mode, "file": SimpleUploadedFile(name, content)})


def job_of(roster_import: RosterImport) -> Job:
    job = roster_import.job
    assert job is not None
    return job


def run_job(roster_import: RosterImport) -> RosterImport:
    run_roster_import_task.call(job_of(roster_import).pk, roster_import.pk)
    return RosterImport.objects.get(pk=roster_import.pk)


def test_the_upload_page_offers_the_unions_the_officer_may_change_and_the_template(tree, east_admin):
    html = client_for(east_admin).get(IMPORTS).content.decode()

    # Unions holding members in the east district, not its federations, nothing in the west
    assert "东区甲公司工会（E-T-A）" in html
    assert "东湖社区联合工会（E-T-J）" in html
    assert "（E-T）" not in html
    assert "西区丙公司工会" not in html
    assert "仅检查：不写入任何数据" in html
    assert reverse("console:members:roster_import_template") in html


def test_the_member_list_and_the_sidebar_link_to_the_import(tree, east_admin):
    html = client_for(east_admin).get(reverse("console:members:list")).content.decode()

    assert html.count(f'href="{IMPORTS}"') == 2
    assert "导入花名册" in html
    assert "花名册导入" in html


def test_an_officer_who_may_not_add_members_gets_404(tree):
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)

    assert client_for(auditor).get(IMPORTS).status_code == 404
    assert client_for(auditor).get(reverse("console:members:roster_import_template")).status_code == 404


def test_the_template_has_the_columns_and_its_example_row_checks_clean(tree, east_admin, tmp_path):
    client = client_for(east_admin)

    response = client.get(reverse("console:members:roster_import_template"))

    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = workbook.get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["*姓名", "*身份证号", "手机号"]
    assert rows[1][:2] == ["王小明", "330203198001010036"]
    # The example row, uploaded as it is into the union of the example's workplace, passes every check
    make_workplace(tree.town, tree.acme, name=rows[1][4])
    answer = upload(client, response.content, "模板.xlsx", org="E-T-A", mode="check")
    roster_import = run_job(RosterImport.objects.get())
    assert answer.status_code == 302
    assert (roster_import.ready_count, roster_import.rejected_count) == (1, 0)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "花名册.xlsx", "不是电子表格"),
        (csv_file([("身份证号",), (person_id(),)]), "花名册.csv", "姓名"),
        (zip_bomb_xlsx(450 * 2**20), "花名册.xlsx", "解压"),
        (csv_file([HEADER]), "花名册.csv", "只有表头"),
    ],
    ids=["picture", "no name column", "zip bomb", "header only"],
)
def test_a_file_that_cannot_be_a_roster_is_refused_at_once_and_nothing_is_stored(
    tree, east_admin, content, name, expected
):
    response = upload(client_for(east_admin), content, name, org="E-T-A")

    assert response.status_code == 422
    html = response.content.decode()
    assert expected in html, re.findall(r'class="errorlist[^"]*">(.*?)</', html)
    assert not RosterImport.objects.exists()
    assert not Job.objects.exists()


def test_a_union_outside_the_scope_is_refused_as_unknown(tree, east_admin):
    response = upload(
        client_for(east_admin), csv_file([HEADER, ("王小明", person_id(), "")]), "r.csv", org="W-G"
    )

    assert response.status_code == 422
    assert not RosterImport.objects.exists()


def test_an_upload_shows_progress_then_the_report(tree, east_admin, django_capture_on_commit_callbacks):
    client = client_for(east_admin)
    elsewhere = member_row(tree.beta, id_number=person_id())
    elsewhere.save()
    content = xlsx_file(
        [
            HEADER,
            ("王小明", person_id(), 13800138000.0),
            ("", person_id(), ""),
            ("李雷", elsewhere.id_number, ""),
        ]
    )

    # When the roster is uploaded (the job is queued, not run yet)
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(client, content, "东区甲公司花名册.xlsx", org="E-T-A")

    roster_import = RosterImport.objects.get()
    report_url = reverse("console:members:roster_import_report", args=[roster_import.pk])
    assert response.status_code == 302
    assert response["Location"] == report_url
    assert job_of(roster_import).status == JobStatus.QUEUED
    running = client.get(report_url).content.decode()
    assert "<progress" in running
    assert f'hx-get="{report_url}"' in running
    assert "花名册已上传，正在检查。" in running

    # When the job has run, the progress bar's next poll reloads the page, which has the report
    roster_import = run_job(roster_import)
    job = job_of(roster_import)
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress_done == job.progress_total == 3
    poll = client.get(report_url, headers={"HX-Request": "true", "HX-Target": f"job-{job.pk}-progress"})
    assert (poll.status_code, poll["HX-Refresh"]) == (204, "true")
    html = client.get(report_url).content.decode()
    assert "<progress" not in html
    assert "已从 3 行中导入 1 名会员；0 行已是会员，2 行有问题。" in html
    assert re.search(r'data-count="imported">1<', html)
    assert re.search(r'data-count="elsewhere">1<', html)
    assert "缺少姓名。" in html
    assert "东区乙公司工会" in html
    assert "为他们申请转会（1 人）" in html
    assert Member.objects.get(org=tree.acme).mobile == "13800138000"


def test_the_problems_are_paged_and_paging_is_not_taken_for_the_progress_poll(tree, east_admin):
    client = client_for(east_admin)
    content = csv_file([HEADER, *(("", person_id(), "") for _ in range(130))])
    upload(client, content, "r.csv", org="E-T-A", mode="check")
    roster_import = run_job(RosterImport.objects.get())
    report_url = reverse("console:members:roster_import_report", args=[roster_import.pk])

    second = client.get(
        report_url, {"page": 2}, headers={"HX-Request": "true", "HX-Target": "roster-import-problems"}
    )

    assert second.status_code == 200
    assert second.content.decode().count("缺少姓名。") == 30


def test_the_report_workbook_downloads_with_the_bad_cells(tree, east_admin):
    client = client_for(east_admin)
    upload(client, csv_file([HEADER, ("=cmd|' /C calc'!A0", person_id(), "")]), "r.csv", org="E-T-A")
    roster_import = run_job(RosterImport.objects.get())

    response = client.get(reverse("console:members:roster_import_report_xlsx", args=[roster_import.pk]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.getvalue()))
    rows = workbook.get_sheet_by_name("有问题的行").to_python()
    assert rows[1][:2] == [2.0, "'=cmd|' /C calc'!A0"]
    assert "公式" in str(rows[1][-1])


def test_asking_for_transfers_opens_one_per_person_active_elsewhere(tree, east_admin):
    client = client_for(east_admin)
    people = [member_row(tree.beta, id_number=person_id()) for _ in range(2)]
    for person in people:
        person.save()
    content = csv_file([HEADER, *(("王小明", person.id_number, "") for person in people)])
    upload(client, content, "r.csv", org="E-T-A", mode="check")
    roster_import = run_job(RosterImport.objects.get())
    url = reverse("console:members:roster_import_transfers", args=[roster_import.pk])

    response = client.post(url, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "已申请 2 个转会：请在“转会”中接收。" in html
    assert "已申请转会：2 人。" in html
    assert set(Transfer.objects.values_list("member_id", "to_org_id")) == {
        (p.pk, tree.acme.pk) for p in people
    }
    # Asking again asks for nobody
    again = client.post(url, follow=True).content.decode()
    assert "没有需要申请转会的人了。" in again
    assert Transfer.objects.count() == 2


def test_a_sibling_officer_gets_404_on_every_page_of_an_import(tree, east_admin):
    client = client_for(east_admin)
    upload(client, csv_file([HEADER, ("王小明", person_id(), "")]), "r.csv", org="E-T-A", mode="check")
    roster_import = run_job(RosterImport.objects.get())
    west = client_for(officer_at(tree.west, "west.admin"))

    for name in ("roster_import_report", "roster_import_report_xlsx"):
        assert west.get(reverse(f"console:members:{name}", args=[roster_import.pk])).status_code == 404
    assert (
        west.post(reverse("console:members:roster_import_transfers", args=[roster_import.pk])).status_code
        == 404
    )
    assert str(roster_import.pk) not in re.findall(r'data-row-id="(\d+)"', west.get(IMPORTS).content.decode())


def test_a_failed_job_says_the_import_did_not_finish(tree, east_admin):
    client = client_for(east_admin)
    upload(client, csv_file([HEADER, ("王小明", person_id(), "")]), "r.csv", org="E-T-A")
    roster_import = RosterImport.objects.get()
    # The uploading officer's account is closed before the job runs: the job refuses to import
    east_admin.is_active = False
    east_admin.save(update_fields=["is_active"])
    with pytest.raises(NotFound):  # re-raised for the task backend, after the job is marked failed
        run_roster_import_task.call(job_of(roster_import).pk, roster_import.pk)
    other = client_for(officer_at(tree.east, "east.colleague"))

    html = other.get(
        reverse("console:members:roster_import_report", args=[roster_import.pk])
    ).content.decode()

    assert "导入未能完成。" in html
    assert "上传该花名册的账号已不存在。" in html
    assert not Member.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(tree, east_admin, settings):
    settings.ROSTER_IMPORT_MAX_BYTES = 2**20
    content = csv_file([HEADER, *(("王小明", person_id(), "") for _ in range(40_000))])

    response = upload(client_for(east_admin), content, "big.csv", org="E-T-A")

    assert response.status_code == 422
    assert "文件超过 1 MB，请拆分名单。" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_the_report_and_upload_pages_take_few_queries_however_many_problems(
    tree, east_admin, django_assert_max_num_queries
):
    client = client_for(east_admin)
    for size in (5, 300):
        upload(
            client, csv_file([HEADER, *(("", person_id(), "") for _ in range(size))]), "r.csv", org="E-T-A"
        )
    for roster_import in RosterImport.objects.all():
        run_job(roster_import)
    big = RosterImport.objects.get(rows_total=300)

    with django_assert_max_num_queries(20):
        assert client.get(reverse("console:members:roster_import_report", args=[big.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(IMPORTS).status_code == 200


def test_the_import_pages_have_no_inline_script_or_style(
    tree, east_admin, django_capture_on_commit_callbacks
):
    client = client_for(east_admin)
    with django_capture_on_commit_callbacks(execute=False):
        upload(client, csv_file([HEADER, ("", person_id(), "")]), "r.csv", org="E-T-A")
    roster_import = RosterImport.objects.get()
    report_url = reverse("console:members:roster_import_report", args=[roster_import.pk])
    pages = [client.get(IMPORTS), client.get(report_url)]  # the upload page, the progress page
    run_job(roster_import)
    pages.append(client.get(report_url))  # the report

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert "<style" not in html
        assert not re.search(r"\sstyle=", html)


def test_an_officer_over_many_unions_types_the_union_code(tree, east_admin, monkeypatch):
    # Given more unions in scope than a drop-down offers
    monkeypatch.setattr(views, "UNION_CHOICE_LIMIT", 1)
    client = client_for(east_admin)

    html = client.get(IMPORTS, {"org": "E-T-A"}).content.decode()
    response = upload(
        client, csv_file([HEADER, ("王小明", person_id(), "")]), "r.csv", org="E-T-A", mode="check"
    )
    refused = upload(
        client, csv_file([HEADER, ("王小明", person_id(), "")]), "r.csv", org="W-G", mode="check"
    )

    assert "花名册上的人员所加入工会的代码。" in html
    assert 'value="E-T-A"' in html
    assert response.status_code == 302
    assert RosterImport.objects.get().org_id == tree.acme.pk
    assert refused.status_code == 422
    assert "没有该代码的、您可以添加会员的工会。" in refused.content.decode()
