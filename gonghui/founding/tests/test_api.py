"""/api/v1/founding: lists, notices, applications and their transitions, delegation."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts import services as accounts
from gonghui.founding.models import ApplicationStatus, FoundingApplication, FoundingNotice
from gonghui.founding.tests.factories import add_workplace, issue, make_city, officer_at, submit
from gonghui.orgs.models import Org, Role, Workplace

pytestmark = pytest.mark.django_db

API = "/api/v1/founding"


@pytest.fixture
def city():
    return make_city()


@pytest.fixture
def admin(city):
    return officer_at(city.district, "district.admin")


class Api:
    """A script using a personal API token (no session, no CSRF)."""

    def __init__(self, user) -> None:
        _, raw = accounts.create_api_token(actor=user, name="tests", expires_in_days=30)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, **params):
        return self.client.get(f"{API}{path}", params)

    def send(self, method: str, path: str, body):
        call = getattr(self.client, method)
        return call(f"{API}{path}", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def api(admin):
    return Api(admin)


def notice_body(workplace: Workplace, issuer: Org, **changes: Any) -> dict[str, Any]:
    return {
        "workplace": workplace.pk,
        "issuing_org": issuer.pk,
        "response_deadline": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "contact_name": "王芳",
        "contact_phone": "0574-87650001",
        **changes,
    }


def application_body(workplace: Workplace, parent: Org, **changes: Any) -> dict[str, Any]:
    return {
        "workplace": workplace.pk,
        "parent": parent.pk,
        "union_name": "甲公司工会委员会",
        "union_kind": "grassroots",
        "initiated_by": "workplace",
        "contact_name": "李明",
        "contact_phone": "13805740001",
        "members_expected": 30,
        "employee_count": 40,
        **changes,
    }


# --- workplaces without a union -----------------------------------------------------------------


def test_the_unfounded_list_pages_and_reports_progress(city, admin, api, django_assert_max_num_queries):
    for index in range(55):
        add_workplace(city.joint, f"第{index}厂", employees=100 + index)
    first = add_workplace(city.joint, "最大的厂", employees=999)
    notice = issue(first, city.district, admin)
    add_workplace(city.joint, "小店", employees=3)

    with django_assert_max_num_queries(7):
        body = api.get("/workplaces").json()

    assert (body["count"], body["pages"], body["page"], body["threshold"]) == (56, 2, 1, 25)
    assert len(body["items"]) == 50
    top = body["items"][0]
    assert (top["name"], top["latest_notice"]["number"], top["latest_application"]) == (
        "最大的厂",
        notice.number,
        None,
    )
    assert len(api.get("/workplaces", page=2).json()["items"]) == 6
    assert api.get("/workplaces", page=3).json()["items"] == []
    assert api.get("/workplaces", min_employees=0, q="小").json()["count"] == 1


def test_bad_list_parameters_are_refused_with_field_paths(api):
    response = api.get("/workplaces", industry="Z", page=0)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"industry", "page"}


# --- notices ---------------------------------------------------------------------------------


def test_a_notice_is_issued_delivered_and_printed_through_the_api(city, api):
    workplace = add_workplace(city.joint, "甲公司")

    created = api.send("post", "/notices", notice_body(workplace, city.district))
    assert created.status_code == 201
    notice = created.json()
    assert notice["number"].startswith("明州区总建告〔")
    assert (notice["workplace"]["name"], notice["issuing_org"]["code"], notice["status"]) == (
        "甲公司",
        "MZ",
        "issued",
    )

    delivery = {
        "delivered_on": timezone.localdate().isoformat(),
        "delivery_method": "email",
        "recipient_name": "赵六",
    }
    delivered = api.send("post", f"/notices/{notice['id']}/delivery", delivery)
    assert delivered.status_code == 200
    assert (delivered.json()["status"], delivered.json()["delivery_method"]) == ("delivered", "email")

    again = api.send("post", f"/notices/{notice['id']}/delivery", delivery)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"

    pdf = api.get(f"/notices/{notice['id']}/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert api.get("/notices").json()["count"] == 1


def test_a_bad_notice_is_refused_with_field_errors_and_nothing_is_issued(city, api):
    workplace = add_workplace(city.joint, "甲公司")
    response = api.send(
        "post",
        "/notices",
        notice_body(workplace, city.west, response_deadline=timezone.localdate().isoformat()),
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "issuing_org": ["请选择该单位所在区域的组织。"],
        "response_deadline": ["请填写今天以后的日期。"],
    }
    assert not FoundingNotice.objects.exists()


# --- applications ------------------------------------------------------------------------------


def test_an_application_goes_through_its_workflow_over_the_api(city, api):
    workplace = add_workplace(city.joint, "甲公司")
    created = api.send("post", "/applications", application_body(workplace, city.town))
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["approving_org"]["code"], body["allowed_actions"]) == (
        "submitted",
        "MZ-DH",
        ["review"],
    )
    assert [entry["to_status"] for entry in body["history"]] == ["submitted"]

    path = f"/applications/{body['id']}/transitions"
    for action in ("review", "approve"):
        assert api.send("post", path, {"action": action}).status_code == 200
    done = api.send("post", path, {"action": "create_union", "union_code": "MZ-DH-G100"}).json()

    assert done["status"] == "union_created"
    assert done["created_org"]["code"] == "MZ-DH-G100"
    assert [entry["to_status"] for entry in done["history"]] == [
        "submitted",
        "under_review",
        "approved",
        "union_created",
    ]
    assert done["history"][-1]["actor"] == "district.admin"


def test_an_illegal_transition_answers_409_with_a_clear_message(city, admin, api):
    application = submit(add_workplace(city.joint, "甲公司"), city.town, admin)
    response = api.send("post", f"/applications/{application.pk}/transitions", {"action": "approve"})
    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_transition",
        "message": "该申请当前为“已提交”，不能“批准”。",
        "fields": {},
    }


def test_approving_without_authority_answers_403_and_changes_nothing(city, admin):
    application = submit(add_workplace(city.joint, "甲公司"), city.joint, admin)
    FoundingApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.UNDER_REVIEW)
    joint_officer = Api(officer_at(city.joint, "joint.officer", Role.UNION_OFFICER))

    detail = joint_officer.get(f"/applications/{application.pk}").json()
    assert detail["allowed_actions"] == []
    response = joint_officer.send(
        "post", f"/applications/{application.pk}/transitions", {"action": "approve"}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "no_authority"
    assert FoundingApplication.objects.get().status == ApplicationStatus.UNDER_REVIEW


def test_a_rejection_without_a_reason_is_a_field_error(city, admin, api):
    application = submit(add_workplace(city.joint, "甲公司"), city.town, admin)
    FoundingApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.UNDER_REVIEW)
    response = api.send("post", f"/applications/{application.pk}/transitions", {"action": "reject"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"reason": ["此项为必填项。"]}


def test_a_bad_application_is_refused_with_field_paths(city, api):
    workplace = add_workplace(city.joint, "甲公司")
    response = api.send(
        "post",
        "/applications",
        application_body(workplace, city.town, union_kind="joint_union", members_expected=0),
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"members_expected"}
    response = api.send(
        "post", "/applications", application_body(workplace, city.town, union_kind="joint_union")
    )
    assert response.json()["fields"] == {"area": ["请选择联合工会覆盖的区域。"]}
    assert not FoundingApplication.objects.exists()


def test_the_application_list_filters_and_pages(city, admin, api, django_assert_max_num_queries):
    for index in range(12):
        submit(add_workplace(city.joint, f"第{index}厂"), city.town, admin)
    with django_assert_max_num_queries(6):
        body = api.get("/applications", awaiting_me=True).json()
    assert body["count"] == 12
    assert api.get("/applications", status="approved").json()["count"] == 0


# --- delegation --------------------------------------------------------------------------------


def test_a_federation_officer_delegates_over_the_api_and_the_joint_union_cannot(city, api):
    own = Api(officer_at(city.joint, "joint.admin"))
    refused = own.send("put", f"/authority/{city.joint.pk}", {"holds_founding_authority": True})
    assert (refused.status_code, refused.json()["code"]) == (403, "no_authority")

    response = api.send("put", f"/authority/{city.joint.pk}", {"holds_founding_authority": True})
    assert response.status_code == 200
    assert response.json() == {
        "org": {"id": city.joint.pk, "code": "MZ-DH-J01", "name": "东湖社区联合工会"},
        "holds_founding_authority": True,
    }
    assert Org.objects.get(pk=city.joint.pk).holds_founding_authority
