"""Console pages of list imports: upload with immediate refusal of files that cannot be lists,
the templates, the report page while the job runs and after, the report workbook, and that
only the uploader sees an import. One test runs the whole way on the real task worker."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.jobs.models import Job, JobStatus
from gonghui.orgs.models import ImportKind, ImportMode, ListImport, Role, Workplace
from gonghui.orgs.tasks import run_list_import_task
from gonghui.orgs.tests.factories import (
    ORG_HEADER,
    WORKPLACE_HEADER,
    client_for,
    credit_code,
    officer_at,
    workplace_row,
    xlsx,
)

IMPORTS = reverse("console:orgs:imports")


def upload(client: Client, content: bytes, name: str, kind: str = "workplaces", mode: str = "good_rows"):
    return client.post(
        IMPORTS, {"kind": kind, "mode": mode, "file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def a_list() -> bytes:
    return xlsx(
        [
            WORKPLACE_HEADER,
            workplace_row("东湖精工机械有限公司", credit_code(1), union="E-T-A"),
            workplace_row("东湖便利店", credit_code(2), industry="不存在的行业"),
        ]
    )


def job_of(list_import: ListImport) -> Job:
    job = list_import.job
    assert job is not None
    return job


def report_rows(response) -> list[list[Any]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return workbook.get_sheet_by_index(0).to_python()


@pytest.mark.django_db
def test_the_upload_page_offers_the_templates_and_lists_only_the_officers_own_imports(tree, east_admin):
    other = officer_at(tree.east, "east.colleague")
    ListImport.objects.create(
        kind=ImportKind.WORKPLACES,
        mode=ImportMode.GOOD_ROWS,
        file_name="同事的名单.xlsx",
        size=1,
        created_by=other,
    )
    mine = ListImport.objects.create(
        kind=ImportKind.ORGS,
        mode=ImportMode.GOOD_ROWS,
        file_name="我的名单.xlsx",
        size=1,
        created_by=east_admin,
    )

    response = client_for(east_admin).get(IMPORTS)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>导入名单</h1>" in html
    assert reverse("console:orgs:import_template", args=["workplaces"]) in html
    assert reverse("console:orgs:import_template", args=["orgs"]) in html
    assert f'data-row-id="{mine.pk}"' in html
    assert "同事的名单" not in html


@pytest.mark.django_db
def test_an_officer_who_may_change_neither_workplaces_nor_orgs_gets_404(tree):
    auditor = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))

    assert auditor.get(IMPORTS).status_code == 404
    assert auditor.get(reverse("console:orgs:import_template", args=["workplaces"])).status_code == 404


@pytest.mark.django_db
def test_the_workplace_template_has_the_columns_and_reads_back_as_an_empty_list(east_admin):
    response = client_for(east_admin).get(reverse("console:orgs:import_template", args=["workplaces"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert workbook.sheet_names == ["单位", "填写说明", "选项"]
    header = workbook.get_sheet_by_index(0).to_python()[0]
    assert [str(name).lstrip("*") for name in header] == list(WORKPLACE_HEADER)
    options = workbook.get_sheet_by_index(2).to_python()
    assert options[0] == ["行业", "经济类型"]
    assert options[3][0] == "C 制造业"
    refused = upload(client_for(east_admin), response.content, "单位名单导入模板.xlsx")
    assert "名单只有表头，下面没有数据。" in refused.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.7", "名单.pdf", "只能导入 .xlsx、.xls 或 .csv 文件。"),
        (b"<html></html>", "名单.xlsx", "该文件扩展名是 Excel，但内容不是 Excel 工作簿"),
        ("名称,代码\r\n甲,1\r\n".encode("gbk"), "名单.csv", "表头（第 1 行）缺少“统一社会信用代码”列"),
    ],
)
def test_a_file_that_cannot_be_a_list_is_refused_at_once_and_nothing_is_stored(
    east_admin, content, name, message
):
    response = upload(client_for(east_admin), content, name)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ListImport.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_with_its_size(east_admin, monkeypatch):
    monkeypatch.setattr("gonghui.orgs.forms.MAX_IMPORT_BYTES", 1024 * 1024)

    response = upload(client_for(east_admin), b"x" * (1024 * 1024 + 200_000), "名单.csv")

    assert response.status_code == 422
    assert "文件大小为 1.2 MB，每次最多导入 1 MB，请拆分名单。" in response.content.decode()


@pytest.mark.django_db
def test_an_upload_starts_a_job_and_the_report_page_shows_its_progress_then_the_report(
    east_admin, django_capture_on_commit_callbacks
):
    client = client_for(east_admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(client, a_list(), "东区单位.xlsx")

    list_import = ListImport.objects.get()
    report_url = reverse("console:orgs:import_report", args=[list_import.pk])
    assert response.status_code == 302
    assert response["Location"] == report_url
    assert (list_import.file_name, list_import.rows_total, list_import.created_by) == (
        "东区单位.xlsx",
        2,
        east_admin,
    )
    assert job_of(list_import).status == JobStatus.QUEUED
    assert job_of(list_import).title == "导入单位名单：东区单位.xlsx"

    running = client.get(report_url).content.decode()
    assert "<progress" in running
    assert f'hx-get="{report_url}"' in running
    assert "名单已上传，正在导入。" in running

    run_list_import_task.call(job_of(list_import).pk, list_import.pk)

    poll = client.get(report_url, headers={"HX-Request": "true"})
    assert (poll.status_code, poll["HX-Refresh"]) == (204, "true")
    html = client.get(report_url).content.decode()
    assert "<progress" not in html
    assert "新增 1 条，更新 0 条，未变 0 条，跳过 1 行；问题 1 个。" in html
    assert re.search(r'data-count="created">1<', html)
    assert "无法识别的行业“不存在的行业”" in html
    assert Workplace.objects.get().name == "东湖精工机械有限公司"


@pytest.mark.django_db
def test_the_report_workbook_lists_each_problem_with_row_and_column(east_admin):
    client = client_for(east_admin)
    upload(client, a_list(), "东区单位.xlsx")
    list_import = ListImport.objects.get()
    run_list_import_task.call(job_of(list_import).pk, list_import.pk)

    response = client.get(reverse("console:orgs:import_report_xlsx", args=[list_import.pk]))

    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = report_rows(response)
    assert rows[0][:2] == ["文件", "东区单位.xlsx"]
    assert ["新增", 1.0] in [row[:2] for row in rows]
    assert rows[-2] == ["行号", "列", "列名", "问题"]
    assert rows[-1][:3] == [3.0, "C", "行业"]
    assert rows[-1][3].startswith("无法识别的行业")


@pytest.mark.django_db
def test_only_the_uploader_sees_the_report(tree, east_admin):
    upload(client_for(east_admin), a_list(), "东区单位.xlsx")
    list_import = ListImport.objects.get()
    colleague = client_for(officer_at(tree.east, "east.colleague"))

    assert colleague.get(reverse("console:orgs:import_report", args=[list_import.pk])).status_code == 404
    assert colleague.get(reverse("console:orgs:import_report_xlsx", args=[list_import.pk])).status_code == 404


@pytest.mark.django_db
def test_the_report_page_of_a_big_list_is_paged_in_few_queries(east_admin, django_assert_max_num_queries):
    rows = [WORKPLACE_HEADER] + [
        workplace_row(f"单位{n}", credit_code(n), industry="?") for n in range(1, 151)
    ]
    client = client_for(east_admin)
    upload(client, xlsx(rows), "大名单.xlsx")
    list_import = ListImport.objects.get()
    run_list_import_task.call(job_of(list_import).pk, list_import.pk)
    url = reverse("console:orgs:import_report", args=[list_import.pk])

    with django_assert_max_num_queries(10):
        html = client.get(url).content.decode()

    assert html.count("data-row-id=") == 100
    assert "第 1 页，共 2 页" in html
    assert client.get(url, {"page": 2}).content.decode().count("data-row-id=") == 50


# The worker checks its connection between tasks the way Django does between requests, which
# would close a connection held open by a test transaction on PostgreSQL: commit for real.
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_list_is_imported_by_the_task_worker(tree, east_admin):
    client = client_for(east_admin)
    upload(client, a_list(), "东区单位.xlsx", mode="all_or_nothing")
    list_import = ListImport.objects.get()

    call_command(
        "db_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0",
        "--queue-name",
        "imports",
    )

    list_import.refresh_from_db()
    assert job_of(list_import).status == JobStatus.SUCCEEDED
    assert job_of(list_import).message == "未写入任何数据：发现 1 个问题。请改正后重新上传。"
    assert job_of(list_import).result["problems"] == 1
    assert not Workplace.objects.exists()
    html = client.get(reverse("console:orgs:import_report", args=[list_import.pk])).content.decode()
    assert "未写入任何数据" in html


@pytest.mark.django_db
def test_the_org_template_has_the_org_columns(east_admin):
    response = client_for(east_admin).get(reverse("console:orgs:import_template", args=["orgs"]))

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert workbook.sheet_names[0] == "工会组织"
    header = workbook.get_sheet_by_index(0).to_python()[0]
    assert [str(name).lstrip("*") for name in header] == list(ORG_HEADER)
    assert "filename*=utf-8''%E5%B7%A5%E4%BC%9A" in response["Content-Disposition"]


@pytest.mark.django_db
def test_a_failed_job_says_nothing_was_written_and_why(east_admin):
    client = client_for(east_admin)
    upload(client, a_list(), "东区单位.xlsx")
    list_import = ListImport.objects.get()
    Job.objects.filter(pk=job_of(list_import).pk).update(
        status=JobStatus.FAILED, message="上传该名单的账号已不存在。"
    )

    html = client.get(reverse("console:orgs:import_report", args=[list_import.pk])).content.decode()

    assert "导入未能完成，未写入任何数据。" in html
    assert "上传该名单的账号已不存在。" in html
    assert client.get(reverse("console:orgs:import_report_xlsx", args=[list_import.pk])).status_code == 404
