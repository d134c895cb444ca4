"""The background jobs page: my jobs only, newest first, live progress while running, a link to
where each one's result is."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer
from gonghui.jobs.models import Job, JobStatus
from gonghui.members.models import RosterImport, RosterImportMode
from gonghui.orgs.tests.factories import client_for, make_tree

pytestmark = pytest.mark.django_db


def test_my_jobs_with_progress_and_the_page_of_each_result():
    tree = make_tree()
    officer = make_officer("east.importer")
    done = Job.objects.create(
        kind="members.import_roster",
        title="导入名册 甲公司.xlsx",
        created_by=officer,
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
    )
    roster = RosterImport.objects.create(
        org=tree.acme,
        mode=RosterImportMode.VALID,
        file_name="甲公司.xlsx",
        size=10,
        created_by=officer,
        job=done,
    )
    running = Job.objects.create(
        kind="orgs.refresh_coverage",
        title="重新计算覆盖率",
        created_by=officer,
        status=JobStatus.RUNNING,
        progress_done=3,
        progress_total=4,
    )
    failed = Job.objects.create(
        kind="members.export_roster",
        title="导出名册",
        created_by=officer,
        status=JobStatus.FAILED,
        message="文件无法读取。",
    )
    someone_elses = Job.objects.create(
        kind="members.import_roster", title="别人的导入", created_by=make_officer()
    )

    page = client_for(officer).get(reverse("console:jobs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(f'data-row-id="{failed.pk}"') < html.index(f'data-row-id="{done.pk}"')  # newest first
    assert f'data-row-id="{someone_elses.pk}"' not in html
    assert reverse("console:members:roster_import_report", args=[roster.pk]) in html
    assert f'hx-get="{reverse("jobs:progress", args=[running.pk])}"' in html  # polls while running
    assert "75%" in html
    assert "文件无法读取。" in html
    assert "花名册导入" in html
    assert "覆盖率重新计算" in html


def test_a_superuser_sees_every_job_and_who_started_it():
    starter = make_officer("jia", display_name="甲")
    Job.objects.create(kind="members.import_roster", title="甲的导入", created_by=starter)
    admin = User.objects.create_superuser("root.admin", "x-Password-1")
    html = client_for(admin).get(reverse("console:jobs")).content.decode()
    assert "甲的导入" in html
    assert "<td>甲</td>" in html
    assert "您是超级管理员" in html


def test_no_jobs_yet():
    html = client_for(make_officer()).get(reverse("console:jobs")).content.decode()
    assert "您还没有启动过后台任务" in html
    assert "data-row-id" not in html
