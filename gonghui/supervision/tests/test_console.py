"""The supervision console pages: the landing list with its figures and filters, entering an
inspection, findings, issuing a notice and downloading its PDF, the follow-up with evidence, the
overdue list, supervisors with masked mobiles, and a workplace's history and panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory

from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for
from gonghui.supervision.models import (
    Finding,
    FollowUp,
    Inspection,
    InspectionStatus,
    Interview,
    Notice,
    Supervisor,
)
from gonghui.supervision.tests.factories import (
    make_finding,
    make_followup,
    make_inspection,
    make_interview,
    make_notice,
    make_supervisor,
    officer_at,
    today,
    workplace_of,
)

pytestmark = pytest.mark.django_db

CONSOLE = "/console/supervision"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def text(response) -> str:
    return response.content.decode()


def test_the_landing_page_shows_figures_and_filters(tree, east_client):
    reminder = make_notice(tree.east)
    make_followup(reminder)
    planned = make_inspection(tree.east, workplace_of(tree.town, "乙公司"))
    page = text(east_client.get(f"{CONSOLE}/"))
    assert "劳动法律监督" in page
    assert 'data-figure="inspections"' in page
    assert "100.0%" in page  # one follow-up, rectified
    assert "整改率 = 回访结果为“已整改”的次数" in page
    assert f'data-row-id="{planned.pk}"' in page
    filtered = text(east_client.get(f"{CONSOLE}/", {"status": "planned"}))
    assert f'data-row-id="{planned.pk}"' in filtered
    assert f'data-row-id="{reminder.inspection_id}"' not in filtered
    bad = east_client.get(f"{CONSOLE}/", {"status": "nonsense", "district": "火星"})
    assert bad.status_code == 200  # an invalid filter is shown on the form, not an error page
    assert f'data-row-id="{planned.pk}"' in text(bad)


def test_an_officer_without_rights_permissions_gets_404(tree):
    officer = officer_at(tree.east, "east.officer", Role.UNION_OFFICER)
    assert client_for(officer).get(f"{CONSOLE}/").status_code == 404


def test_entering_an_inspection(tree, east_client):
    workplace = workplace_of(tree.town)
    supervisor = make_supervisor(tree.east)
    form = east_client.get(f"{CONSOLE}/inspections/new/", {"workplace": workplace.pk})
    assert workplace.credit_code in text(form)
    response = east_client.post(
        f"{CONSOLE}/inspections/new/",
        {
            "org": "e",
            "credit_code": workplace.credit_code.lower(),
            "inspected_on": today().isoformat(),
            "kind": "campaign",
            "campaign": "根治欠薪专项行动",
            "scope_items": ["wages", "hours"],
            "supervisors": [supervisor.pk],
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{CONSOLE}/inspections/{inspection.pk}/"
    assert (inspection.org, inspection.workplace, inspection.campaign) == (
        tree.east,
        workplace,
        "根治欠薪专项行动",
    )
    assert list(inspection.supervisors.all()) == [supervisor]


def test_bad_input_is_shown_in_chinese_and_nothing_is_written(tree, east_client):
    response = east_client.post(
        f"{CONSOLE}/inspections/new/",
        {"org": "W", "credit_code": "91330203MA0000000X", "inspected_on": "2026-13-01", "kind": "routine"},
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"inspected_on", "scope_items"} <= set(errors)
    assert errors["inspected_on"][0] in text(response)
    assert Inspection.objects.count() == 0
    workplace = workplace_of(tree.town)
    response = east_client.post(
        f"{CONSOLE}/inspections/new/",
        {
            "org": "W",
            "credit_code": workplace.credit_code,
            "inspected_on": today().isoformat(),
            "kind": "routine",
            "scope_items": ["wages"],
        },
    )
    assert response.status_code == 422
    assert "请选择由您负责劳动法律监督的工会。" in text(response)
    unknown = east_client.post(
        f"{CONSOLE}/inspections/new/",
        {
            "org": "E",
            "credit_code": "91330203MA0000000X",
            "inspected_on": today().isoformat(),
            "kind": "routine",
            "scope_items": ["wages"],
        },
    )
    assert "您管辖范围内没有这个统一社会信用代码的单位。" in text(unknown)
    assert Inspection.objects.count() == 0


def test_correcting_an_inspection_until_a_notice_is_issued(tree, east_client):
    inspection = make_inspection(tree.east, workplace_of(tree.town), status=InspectionStatus.IN_PROGRESS)
    make_finding(inspection)  # on wages
    page = text(east_client.get(f"{CONSOLE}/inspections/{inspection.pk}/"))
    assert f"{CONSOLE}/inspections/{inspection.pk}/edit/" in page
    form = east_client.get(f"{CONSOLE}/inspections/{inspection.pk}/edit/")
    assert form.status_code == 200
    assert form.context["form"].initial["scope_items"] == ["wages", "contracts"]
    later = today() + timedelta(days=2)
    data = {"inspected_on": later.isoformat(), "kind": "routine", "scope_items": ["contracts"]}
    refused = east_client.post(f"{CONSOLE}/inspections/{inspection.pk}/edit/", data)
    assert refused.status_code == 422
    assert "以下检查项目已有发现，须保留勾选：工资按时足额支付。" in text(refused)
    assert Inspection.objects.get(pk=inspection.pk).inspected_on == today()
    saved = east_client.post(
        f"{CONSOLE}/inspections/{inspection.pk}/edit/", {**data, "scope_items": ["wages", "hours"]}
    )
    assert saved.status_code == 302
    changed = Inspection.objects.get(pk=inspection.pk)
    assert (changed.inspected_on, changed.scope_items) == (later, ["wages", "hours"])
    assert "检查信息已修改。" in text(east_client.get(saved["Location"]))


def test_an_inspection_with_a_notice_offers_no_correction(tree, east_client):
    inspection = make_inspection(
        tree.east, workplace_of(tree.town), status=InspectionStatus.AWAITING_RECTIFICATION
    )
    assert f"/inspections/{inspection.pk}/edit/" not in text(
        east_client.get(f"{CONSOLE}/inspections/{inspection.pk}/")
    )
    response = east_client.get(f"{CONSOLE}/inspections/{inspection.pk}/edit/", follow=True)
    assert "已发出文书或已结案，检查信息不能再修改。" in text(response)
    auditor = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    planned = make_inspection(tree.east, workplace_of(tree.town, "乙公司"))
    assert auditor.get(f"{CONSOLE}/inspections/{planned.pk}/edit/").status_code == 404
    assert f"/inspections/{planned.pk}/edit/" not in text(auditor.get(f"{CONSOLE}/inspections/{planned.pk}/"))


def test_the_inspection_page_from_start_to_notice_and_pdf(tree, east_client):
    inspection = make_inspection(tree.east, workplace_of(tree.town))
    url = f"{CONSOLE}/inspections/{inspection.pk}/"
    assert 'data-step="start"' in text(east_client.get(url))
    east_client.post(f"{url}transition/", {"action": "start", "comment": "到达现场"})
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.IN_PROGRESS

    refused = east_client.post(f"{url}findings/", {"item": "safety", "finding": "无", "severity": "minor"})
    assert refused.status_code == 422  # safety was not among the items checked
    assert Finding.objects.count() == 0
    east_client.post(
        f"{url}findings/",
        {
            "item": "wages",
            "finding": "拖欠3名职工10月工资",
            "severity": "serious",
            "legal_basis": "《劳动法》第五十条",
        },
    )
    finding = Finding.objects.get()
    east_client.post(f"{url}transition/", {"action": "record_findings"})

    form = text(east_client.get(f"{url}notices/new/"))
    assert "留空则按通常期限：自下发之日起" in form
    response = east_client.post(
        f"{url}notices/new/",
        {
            "kind": "reminder",
            "findings": [finding.pk],
            "requirements": "立即补发",
            "issued_on": today().isoformat(),
        },
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.AWAITING_RECTIFICATION
    page = text(east_client.get(url))
    assert notice.number in page
    assert f"/notices/{notice.pk}/followup/" in page

    pdf = east_client.get(f"{CONSOLE}/notices/{notice.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('attachment; filename="supervision-reminder-')
    assert pdf.content.startswith(b"%PDF-")


def test_a_transition_that_is_not_possible_is_explained(tree, east_client):
    inspection = make_inspection(tree.east, workplace_of(tree.town))
    response = east_client.post(
        f"{CONSOLE}/inspections/{inspection.pk}/transition/", {"action": "close"}, follow=True
    )
    assert "该检查当前为“已计划”，现在不能“结案”。" in text(response)
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.PLANNED


def test_recording_a_follow_up_with_evidence(tree, east_client):
    notice = make_notice(tree.east)
    url = f"{CONSOLE}/notices/{notice.pk}/followup/"
    assert east_client.get(url).status_code == 200
    bad = east_client.post(
        url,
        {
            "checked_on": today().isoformat(),
            "result": "rectified",
            "documents": [SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")],
        },
    )
    assert bad.status_code == 422
    assert "documents" in bad.context["form"].errors
    assert FollowUp.objects.count() == 0
    response = east_client.post(
        url,
        {
            "checked_on": today().isoformat(),
            "result": "rectified",
            "note": "工资已补发",
            "documents": [SimpleUploadedFile("工资单.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    followup = FollowUp.objects.get()
    document = followup.documents.get()
    download = east_client.get(f"{CONSOLE}/notices/{notice.pk}/documents/{document.pk}/")
    assert b"".join(download.streaming_content) == PDF
    assert Inspection.objects.get(pk=notice.inspection_id).status == InspectionStatus.RECTIFIED


def test_viewers_see_but_get_no_write_pages(tree):
    notice = make_notice(tree.east)
    auditor = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    assert auditor.get(f"{CONSOLE}/inspections/{notice.inspection_id}/").status_code == 200
    assert auditor.get(f"{CONSOLE}/notices/{notice.pk}/pdf/").status_code == 200
    assert auditor.get(f"{CONSOLE}/notices/{notice.pk}/followup/").status_code == 404
    assert auditor.get(f"{CONSOLE}/inspections/{notice.inspection_id}/notices/new/").status_code == 404


def test_the_overdue_list(tree, east_client):
    late = make_notice(
        tree.east, issued_on=today() - timedelta(days=60), deadline=today() - timedelta(days=20)
    )
    page = text(east_client.get(f"{CONSOLE}/overdue/"))
    assert f'data-row-id="{late.pk}"' in page
    assert "已超期" in page  # the follow-up due date has passed too


def test_supervisors_mobiles_are_masked_for_viewers(tree, east_client):
    supervisor = make_supervisor(tree.east, mobile="13912345678")
    assert "13912345678" in text(east_client.get(f"{CONSOLE}/supervisors/"))
    auditor = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    page = text(auditor.get(f"{CONSOLE}/supervisors/"))
    assert "139****5678" in page
    assert "13912345678" not in page
    assert auditor.get(f"{CONSOLE}/supervisors/{supervisor.pk}/").status_code == 404


def test_adding_and_switching_off_a_supervisor(tree, east_client):
    response = east_client.post(
        f"{CONSOLE}/supervisors/new/",
        {
            "org": "E",
            "name": "周洁",
            "certificate_number": "JD-9",
            "mobile": "13700001234",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    supervisor = Supervisor.objects.get()
    east_client.post(
        f"{CONSOLE}/supervisors/{supervisor.pk}/", {"org": "E", "name": "周洁", "certificate_number": "JD-9"}
    )
    supervisor.refresh_from_db()
    assert not supervisor.is_active
    bad = east_client.post(
        f"{CONSOLE}/supervisors/new/",
        {"org": "E", "name": "周洁", "certificate_number": "JD-9", "mobile": "123"},
    )
    assert bad.status_code == 422
    assert Supervisor.objects.count() == 1


def test_recording_an_interview_from_an_inspection(tree, east_client):
    inspection = make_inspection(tree.east, workplace_of(tree.town))
    form = text(east_client.get(f"{CONSOLE}/interviews/new/", {"inspection": inspection.pk}))
    assert inspection.workplace.credit_code in form
    response = east_client.post(
        f"{CONSOLE}/interviews/new/",
        {
            "org": "E",
            "credit_code": inspection.workplace.credit_code,
            "held_on": today().isoformat(),
            "representative": "王总（总经理）",
            "attendees": "李华、王总",
            "subject": "欠薪整改约谈",
            "record": "公司承认拖欠工资",
            "commitments": "一周内补发",
            "inspection": inspection.pk,
        },
    )
    interview = Interview.objects.get()
    assert response["Location"] == f"{CONSOLE}/interviews/{interview.pk}/"
    assert interview.inspection == inspection
    assert "欠薪整改约谈" in text(east_client.get(f"{CONSOLE}/inspections/{inspection.pk}/"))


def test_the_workplace_history_and_panel(tree, east_admin, east_client):
    workplace = workplace_of(tree.town)
    notice = make_notice(tree.east, inspection=make_inspection(tree.east, workplace))
    interview = make_interview(tree.east, workplace)
    page = text(east_client.get(f"{CONSOLE}/workplaces/{workplace.pk}/"))
    assert f'data-inspection-id="{notice.inspection_id}"' in page
    assert f'data-notice-id="{notice.pk}"' in page
    assert f'data-interview-id="{interview.pk}"' in page
    west = client_for(officer_at(tree.west, "west.admin"))
    assert west.get(f"{CONSOLE}/workplaces/{workplace.pk}/").status_code == 404

    request = RequestFactory().get("/")
    request.user = east_admin
    html = Template("{% load supervision %}{% supervision_panel workplace %}").render(
        Context({"request": request, "workplace": workplace})
    )
    assert "监督检查1次，文书1份（1份待回访），约谈1次。" in html
    assert f"/console/supervision/workplaces/{workplace.pk}/" in html
    request.user = officer_at(tree.east, "east.officer", Role.UNION_OFFICER)
    assert "data-supervision-panel" not in Template(
        "{% load supervision %}{% supervision_panel workplace %}"
    ).render(Context({"request": request, "workplace": workplace}))
