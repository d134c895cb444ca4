"""The supervision API: the journey from planning to follow-up, `{code, message, fields}` errors,
masked mobiles, the PDF, and query counts of the lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, send_json
from gonghui.supervision.models import Inspection, InspectionStatus, Notice
from gonghui.supervision.tests.factories import (
    make_finding,
    make_inspection,
    make_notice,
    make_supervisor,
    officer_at,
    today,
    workplace_of,
)
from gonghui.workdays.deadlines import due_date

pytestmark = pytest.mark.django_db

API = "/api/v1/supervision"


def test_from_planning_to_follow_up(tree, east_client):
    workplace = workplace_of(tree.town)
    created = send_json(
        east_client,
        "post",
        f"{API}/inspections",
        {
            "org": "e",
            "workplace": workplace.pk,
            "inspected_on": today().isoformat(),
            "kind": "campaign",
            "campaign": "根治欠薪专项行动",
            "scope_items": ["wages", "social_insurance"],
        },
    )
    assert created.status_code == 201, created.content
    inspection = created.json()
    assert (inspection["status"], inspection["next_actions"]) == ("planned", ["start", "cancel"])
    url = f"{API}/inspections/{inspection['id']}"
    assert (
        send_json(east_client, "post", f"{url}/transitions", {"action": "start"}).json()["status"]
        == "in_progress"
    )
    finding = send_json(
        east_client, "post", f"{url}/findings", {"item": "wages", "finding": "拖欠工资", "severity": "grave"}
    )
    assert finding.status_code == 201
    send_json(east_client, "post", f"{url}/transitions", {"action": "record_findings"})
    issued = send_json(
        east_client,
        "post",
        f"{API}/notices",
        {
            "inspection": inspection["id"],
            "kind": "reminder",
            "findings": [finding.json()["id"]],
            "requirements": "补发",
        },
    )
    assert issued.status_code == 201, issued.content
    notice = issued.json()
    assert notice["rectification_deadline"] == due_date("supervision.rectification", today()).isoformat()
    assert notice["followup"] is None
    pdf = east_client.get(f"{API}/notices/{notice['id']}/pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    done = send_json(
        east_client,
        "post",
        f"{API}/notices/{notice['id']}/followup",
        {"checked_on": today().isoformat(), "result": "partly", "note": "补发一半"},
    )
    assert done.status_code == 201
    assert done.json()["followup"] == {
        "checked_on": today().isoformat(),
        "result": "partly",
        "note": "补发一半",
        "documents": 0,
    }
    assert east_client.get(url).json()["status"] == "not_rectified"


def test_errors_have_codes_messages_and_fields(tree, east_client):
    workplace = workplace_of(tree.town)
    response = send_json(
        east_client,
        "post",
        f"{API}/inspections",
        {
            "org": "W",
            "workplace": workplace.pk,
            "inspected_on": today().isoformat(),
            "kind": "routine",
            "scope_items": ["wages"],
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["fields"]) == (
        "validation_error",
        {"org": ["请选择由您负责劳动法律监督的工会。"]},
    )
    assert body["message"]
    missing = send_json(east_client, "post", f"{API}/inspections", {"org": "E", "scope_items": []})
    assert missing.status_code == 422
    assert {"workplace", "inspected_on", "kind", "scope_items"} <= set(missing.json()["fields"])
    assert Inspection.objects.count() == 0

    planned = make_inspection(tree.east, workplace)
    refused = send_json(
        east_client, "post", f"{API}/inspections/{planned.pk}/transitions", {"action": "close"}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition"
    assert refused.json()["message"] == "该检查当前为“已计划”，现在不能“结案”。"


def test_correcting_an_inspection_through_the_api(tree, east_client):
    supervisor = make_supervisor(tree.east)
    inspection = make_inspection(tree.east, workplace_of(tree.town), status=InspectionStatus.IN_PROGRESS)
    make_finding(inspection)  # on wages
    url = f"{API}/inspections/{inspection.pk}"
    body = {
        "inspected_on": today().isoformat(),
        "kind": "complaint",
        "scope_items": ["hours", "wages"],
        "supervisors": [supervisor.pk],
        "summary": "职工投诉加班",
    }
    changed = send_json(east_client, "put", url, body)
    assert changed.status_code == 200, changed.content
    assert {key: changed.json()[key] for key in ("kind", "scope_items", "supervisors", "summary")} == {
        "kind": "complaint",
        "scope_items": ["wages", "hours"],
        "supervisors": [supervisor.pk],
        "summary": "职工投诉加班",
    }
    dropped = send_json(east_client, "put", url, {**body, "scope_items": ["hours"]})
    assert dropped.status_code == 422
    assert dropped.json()["fields"] == {
        "scope_items": ["以下检查项目已有发现，须保留勾选：工资按时足额支付。"]
    }
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.AWAITING_RECTIFICATION)
    late = send_json(east_client, "put", url, {**body, "summary": "改"})
    assert (late.status_code, late.json()["code"]) == (409, "invalid_transition")
    assert Inspection.objects.get(pk=inspection.pk).summary == "职工投诉加班"


def test_a_notice_for_an_inspection_without_findings_recorded_is_a_conflict(tree, east_client):
    inspection = make_inspection(tree.east, status=InspectionStatus.IN_PROGRESS)
    response = send_json(
        east_client,
        "post",
        f"{API}/notices",
        {"inspection": inspection.pk, "kind": "opinion", "findings": [1], "requirements": "x"},
    )
    assert response.status_code == 409
    assert Notice.objects.count() == 0


def test_an_auditor_reads_but_may_not_write(tree):
    notice = make_notice(tree.east)
    auditor = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    assert auditor.get(f"{API}/notices/{notice.pk}").status_code == 200
    response = send_json(
        auditor,
        "post",
        f"{API}/notices/{notice.pk}/followup",
        {"checked_on": today().isoformat(), "result": "rectified"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_mobiles_are_masked_unless_the_caller_handles_the_union(tree, east_client):
    supervisor = make_supervisor(tree.east, mobile="13912345678")
    assert east_client.get(f"{API}/supervisors/{supervisor.pk}").json()["mobile"] == "13912345678"
    auditor = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))
    assert auditor.get(f"{API}/supervisors/{supervisor.pk}").json()["mobile"] == "139****5678"


def test_the_overdue_filter(tree, east_client):
    late = make_notice(
        tree.east, issued_on=today() - timedelta(days=40), deadline=today() - timedelta(days=1)
    )
    make_notice(tree.east)
    ids = [item["id"] for item in east_client.get(f"{API}/notices", {"overdue": "true"}).json()["items"]]
    assert ids == [late.pk]
    inspections = east_client.get(f"{API}/inspections", {"overdue": "true"}).json()["items"]
    assert [item["id"] for item in inspections] == [late.inspection_id]


@pytest.mark.parametrize(("path", "rows"), [("inspections", 5), ("notices", 5)])
def test_lists_take_a_bounded_number_of_queries(tree, east_client, path, rows):
    for _ in range(rows):
        make_notice(tree.east)
    east_client.get(f"{API}/{path}")  # warm the session and grants
    with CaptureQueriesContext(connection) as few:
        east_client.get(f"{API}/{path}")
    make_notice(tree.east)
    make_notice(tree.east)
    with CaptureQueriesContext(connection) as more:
        assert len(east_client.get(f"{API}/{path}").json()["items"]) == rows + 2
    assert len(more.captured_queries) <= len(few.captured_queries)
