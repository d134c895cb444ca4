"""Online joining through the API: the application queue, one application, approving and
rejecting, the joining routes; every refusal is {code, message, fields} and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.members.models import JoinApplication, JoinRoute, JoinStatus, Member
from gonghui.members.tests.factories import make_join_application
from gonghui.orgs.tests.factories import Tree, client_for, officer_at, send_json

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/v1/join-applications"
ROUTES = "/api/v1/join-routes"


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


# --- reading ------------------------------------------------------------------------------------


def test_the_list_is_open_applications_in_scope_oldest_first_and_masked(
    east_client: Client, tree: Tree
) -> None:
    newer = make_join_application(tree.acme, name="张骑手", mobile="13700001111")
    older = make_join_application(tree.joint)
    JoinApplication.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=20))
    make_join_application(tree.gamma)
    rejected = make_join_application(tree.beta, status=JoinStatus.REJECTED)

    body = east_client.get(APPLICATIONS).json()

    assert (body["count"], body["page"], body["pages"]) == (2, 1, 1)
    assert [item["id"] for item in body["items"]] == [older.pk, newer.pk]
    first = body["items"][1]
    assert (first["masked_name"], first["masked_mobile"]) == ("张**", "137****1111")
    assert first["masked_id_number"] == newer.masked_id_number
    assert "13700001111" not in str(body)
    assert newer.id_number not in str(body)
    assert [item["overdue"] for item in body["items"]] == [True, False]
    assert first["org"] == {"id": tree.acme.pk, "code": "E-T-A", "name": "东区甲公司工会"}

    overdue = east_client.get(APPLICATIONS, {"overdue": "true"}).json()
    assert [item["id"] for item in overdue["items"]] == [older.pk]
    every = east_client.get(APPLICATIONS, {"status": "all"}).json()
    assert rejected.pk in {item["id"] for item in every["items"]}
    by_org = east_client.get(APPLICATIONS, {"org": tree.town.pk}).json()
    assert {item["id"] for item in by_org["items"]} == {older.pk, newer.pk}
    assert east_client.get(APPLICATIONS, {"org": tree.beta.pk}).json()["count"] == 0


def test_bad_filters_are_422_with_the_field(east_client: Client) -> None:
    for query, field in (({"status": "nonsense"}, "status"), ({"page": 0}, "page"), ({"org": -1}, "org")):
        response = east_client.get(APPLICATIONS, query)
        assert response.status_code == 422
        body = error(response)
        assert body["code"] == "validation_error"
        assert list(body["fields"]) == [field]
    assert error(east_client.get(APPLICATIONS, {"org": 99999}))["code"] == "not_found"


def test_the_list_runs_a_fixed_number_of_queries(east_client: Client, tree: Tree) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert east_client.get(APPLICATIONS).status_code == 200
        return len(captured.captured_queries)

    make_join_application(tree.acme)
    few = queries()
    for org in (tree.joint, tree.beta, tree.town) * 8:
        make_join_application(org)
    assert queries() == few
    assert few <= 12


def test_one_application_has_its_history_and_whether_the_caller_may_decide(tree: Tree) -> None:
    application = make_join_application(tree.acme)
    application.history.create(from_status="", to_status=JoinStatus.SUBMITTED)

    admin = client_for(officer_at(tree.east, "east.admin")).get(f"{APPLICATIONS}/{application.pk}").json()
    auditor = client_for(officer_at(tree.east, "east.auditor", "auditor"))
    viewed = auditor.get(f"{APPLICATIONS}/{application.pk}").json()

    assert admin["may_decide"] is True
    assert viewed["may_decide"] is False
    assert [(step["from_status"], step["to_status"]) for step in admin["history"]] == [("", "submitted")]
    assert (admin["gig_occupation"], admin["gig_platform"], admin["no_fixed_employer"]) == (
        "delivery_rider",
        "美团",
        True,
    )


# --- deciding -----------------------------------------------------------------------------------


def test_approve_makes_a_member_and_a_second_approval_is_409(east_client: Client, tree: Tree) -> None:
    application = make_join_application(tree.joint)

    response = send_json(east_client, "post", f"{APPLICATIONS}/{application.pk}/approve", {"comment": "欢迎"})

    assert response.status_code == 200
    body = response.json()
    member = Member.objects.get()
    assert (body["status"], body["member_id"], body["may_decide"]) == ("approved", member.pk, False)
    assert [step["to_status"] for step in body["history"]] == ["approved"]
    assert body["history"][0]["comment"] == "欢迎"

    again = send_json(east_client, "post", f"{APPLICATIONS}/{application.pk}/approve", {})
    assert again.status_code == 409
    assert error(again)["code"] == "invalid_transition"
    assert error(again)["message"] == "当前状态为“已批准”，不能执行“批准”。"
    assert Member.objects.count() == 1


def test_approving_an_application_to_a_federation_names_the_union(east_client: Client, tree: Tree) -> None:
    application = make_join_application(tree.town)
    url = f"{APPLICATIONS}/{application.pk}/approve"

    missing = send_json(east_client, "post", url, {})
    assert missing.status_code == 422
    assert "org" in error(missing)["fields"]
    # A union outside the scope and one that does not exist get the same answer.
    outside = error(send_json(east_client, "post", url, {"org": tree.gamma.pk}))
    nowhere = error(send_json(east_client, "post", url, {"org": 99999}))
    assert outside == nowhere
    assert outside["fields"] == {"org": ["请选择您管辖范围内、东湖街道总工会下属的工会。"]}
    unknown_workplace = error(send_json(east_client, "post", url, {"org": tree.joint.pk, "workplace": 99999}))
    assert unknown_workplace["fields"] == {"workplace": ["请选择您管辖范围内的单位。"]}
    extra = send_json(east_client, "post", url, {"org": tree.joint.pk, "admin": True})
    assert extra.status_code == 422
    assert not Member.objects.exists()

    done = send_json(east_client, "post", url, {"org": tree.joint.pk})
    assert done.status_code == 200
    assert Member.objects.get().org == tree.joint


def test_reject_needs_a_reason(east_client: Client, tree: Tree) -> None:
    application = make_join_application(tree.acme)
    url = f"{APPLICATIONS}/{application.pk}/reject"

    absent = send_json(east_client, "post", url, {})
    assert absent.status_code == 422
    assert "reason" in error(absent)["fields"]
    blank = send_json(east_client, "post", url, {"reason": "   "})
    assert blank.status_code == 422
    assert error(blank)["fields"] == {"reason": ["请填写驳回理由：申请人会收到该理由。"]}
    too_long = send_json(east_client, "post", url, {"reason": "很" * 501})
    assert too_long.status_code == 422
    assert "reason" in error(too_long)["fields"]
    application.refresh_from_db()
    assert application.status == JoinStatus.SUBMITTED

    done = send_json(east_client, "post", url, {"reason": "不在本单位工作"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["reject_reason"]) == ("rejected", "不在本单位工作")


def test_a_viewer_without_change_rights_is_refused_with_403(tree: Tree) -> None:
    application = make_join_application(tree.acme)
    auditor = client_for(officer_at(tree.east, "east.auditor", "auditor"))
    response = send_json(auditor, "post", f"{APPLICATIONS}/{application.pk}/reject", {"reason": "x"})
    assert response.status_code == 403
    assert error(response)["code"] == "no_authority"
    application.refresh_from_db()
    assert application.status == JoinStatus.SUBMITTED


# --- joining routes -----------------------------------------------------------------------------


def test_routes_are_added_listed_and_taken_out_of_use(east_client: Client, tree: Tree) -> None:
    body = {"org": tree.joint.pk, "district": "东区", "township": "东湖街道", "occupation": "courier"}
    created = send_json(east_client, "post", ROUTES, body)
    assert created.status_code == 201
    route = created.json()
    assert (route["district"], route["township"], route["occupation"], route["is_active"]) == (
        "东区",
        "东湖街道",
        "courier",
        True,
    )

    duplicate = send_json(east_client, "post", ROUTES, body)
    assert duplicate.status_code == 409
    assert error(duplicate)["code"] == "route_exists"
    assert error(duplicate)["message"] == "东区 / 东湖街道 / 快递员已有在用的入会路由，请先停用它。"
    bad = send_json(east_client, "post", ROUTES, {**body, "occupation": "astronaut"})
    assert bad.status_code == 422
    assert list(error(bad)["fields"]) == ["occupation"]
    outside = error(send_json(east_client, "post", ROUTES, {**body, "org": tree.gamma.pk}))
    assert outside == error(send_json(east_client, "post", ROUTES, {**body, "org": 99999}))
    assert JoinRoute.objects.count() == 1

    listed = east_client.get(ROUTES).json()
    assert [item["id"] for item in listed["items"]] == [route["id"]]
    stopped = send_json(east_client, "post", f"{ROUTES}/{route['id']}/deactivate", {})
    assert stopped.status_code == 200
    assert stopped.json()["is_active"] is False
    again = send_json(east_client, "post", f"{ROUTES}/{route['id']}/deactivate", {})
    assert again.status_code == 409
    assert error(again)["code"] == "route_inactive"
    assert east_client.get(ROUTES).json()["count"] == 0
    assert east_client.get(ROUTES, {"include_inactive": "true"}).json()["count"] == 1
