"""The union tree through the REST API: scoped lists and details, writes, and errors with
field paths as the client wrote them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.members.tests.factories import make_members
from gonghui.orgs.models import Org, OrgHistory, OrgHistoryAction, OrgStatus, Role
from gonghui.orgs.tests.factories import add_org, officer_at, send_json

pytestmark = pytest.mark.django_db


def ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def paths() -> list[tuple[int, str]]:
    return list(Org.objects.values_list("pk", "path"))


# --- reading -------------------------------------------------------------------------------


def test_the_list_holds_only_the_callers_subtree_in_tree_order(tree, east_client):
    body = east_client.get("/api/v1/orgs").json()
    assert body["count"] == 6
    assert [item["id"] for item in body["items"]] == [
        tree.east.pk,
        tree.town.pk,
        tree.joint.pk,
        tree.acme.pk,
        tree.group.pk,
        tree.beta.pk,
    ]
    east = body["items"][0]
    assert east["parent_id"] == tree.city.pk  # the parent's id, even where it is outside the scope
    assert (east["level"], east["area"], east["children_count"], east["depth"]) == ("district", None, 2, 2)


def test_the_list_pages_and_filters(tree, east_client):
    assert ids(east_client.get("/api/v1/orgs", {"limit": 2, "offset": 1})) == [tree.town.pk, tree.joint.pk]
    assert ids(east_client.get("/api/v1/orgs", {"parent": tree.town.pk})) == [tree.joint.pk, tree.acme.pk]
    assert ids(east_client.get("/api/v1/orgs", {"q": "ｅ-t-a"})) == [tree.acme.pk, tree.group.pk]
    assert ids(east_client.get("/api/v1/orgs", {"kind": "joint_union"})) == [tree.joint.pk]
    Org.objects.filter(pk=tree.beta.pk).update(status=OrgStatus.DISSOLVED)
    assert ids(east_client.get("/api/v1/orgs", {"status": "dissolved"})) == [tree.beta.pk]
    # A parent outside the scope filters everything out rather than revealing that it exists.
    body = east_client.get("/api/v1/orgs", {"parent": tree.west.pk}).json()
    assert body == {"count": 0, "items": []}


def test_bad_list_parameters_name_the_parameter(east_client):
    response = east_client.get("/api/v1/orgs", {"limit": 0, "kind": "club"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == {"limit", "kind"}


def test_the_list_takes_a_bounded_number_of_queries(tree, east_client, django_assert_max_num_queries):
    for i in range(40):
        add_org(tree.town, f"E-T-{i:02d}", f"东区第{i}公司工会")
    with django_assert_max_num_queries(7):
        assert len(ids(east_client.get("/api/v1/orgs", {"limit": 50}))) == 46


def test_one_org_and_its_children(tree, east_client):
    acme = east_client.get(f"/api/v1/orgs/{tree.acme.pk}").json()
    assert (acme["code"], acme["kind"], acme["level"], acme["parent_id"]) == (
        "E-T-A",
        "grassroots",
        None,
        tree.town.pk,
    )
    children = east_client.get(f"/api/v1/orgs/{tree.town.pk}/children", {"limit": 1}).json()
    assert children["count"] == 2
    assert [(c["id"], c["parent_id"]) for c in children["items"]] == [(tree.joint.pk, tree.town.pk)]


def test_an_org_outside_the_scope_answers_like_a_missing_one(tree, east_client):
    outside = east_client.get(f"/api/v1/orgs/{tree.gamma.pk}")
    missing = east_client.get("/api/v1/orgs/999999")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert east_client.get(f"/api/v1/orgs/{tree.gamma.pk}/children").status_code == 404


# --- writing -------------------------------------------------------------------------------


def test_creating_an_org(tree, east_client):
    response = send_json(
        east_client,
        "post",
        "/api/v1/orgs",
        {"parent_id": tree.town.pk, "code": " e-t-n ", "name": "东区新公司工会", "kind": "grassroots"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["code"], body["parent_id"], body["status"]) == ("E-T-N", tree.town.pk, "active")
    assert OrgHistory.objects.filter(org_id=body["id"], action=OrgHistoryAction.CREATED).exists()


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        (
            {"code": "N", "name": "小组", "kind": "union_group"},
            422,
            {"kind": ["工会小组只能设在基层工会之下。"]},
        ),
        ({"code": "N", "kind": "grassroots"}, 422, {"name": ["此项为必填项。"]}),
        ({"code": "N", "name": "甲", "kind": "club"}, 422, {"kind"}),
        ({"code": "N", "name": "甲", "kind": "grassroots", "colour": "red"}, 422, {"colour"}),
        ({"code": "N", "name": "甲", "kind": "grassroots", "founded_on": "昨天"}, 422, {"founded_on"}),
    ],
)
def test_bad_input_when_creating_names_the_field_and_creates_nothing(tree, east_client, body, status, fields):
    count = Org.objects.count()
    response = send_json(east_client, "post", "/api/v1/orgs", {"parent_id": tree.town.pk, **body})
    assert response.status_code == status
    got = response.json()["fields"]
    assert got == fields if isinstance(fields, dict) else set(got) == fields
    assert Org.objects.count() == count


def test_creating_under_a_parent_outside_the_scope_reads_as_missing(tree, east_client):
    body = {"parent_id": tree.west.pk, "code": "W-N", "name": "西区新工会", "kind": "grassroots"}
    response = send_json(east_client, "post", "/api/v1/orgs", body)
    assert response.status_code == 404
    assert response.json()["fields"] == {"parent_id": ["您的管辖范围内没有这个组织。"]}


def test_patching_changes_only_what_is_sent(tree, east_client):
    response = send_json(
        east_client,
        "patch",
        f"/api/v1/orgs/{tree.beta.pk}",
        {"name": "东区乙股份公司工会", "founded_on": None},
    )
    assert response.status_code == 200
    beta = Org.objects.get(pk=tree.beta.pk)
    assert (beta.name, beta.code, beta.kind) == ("东区乙股份公司工会", "E-B", "grassroots")


def test_patching_a_required_field_to_null_is_refused_with_its_path(tree, east_client):
    response = send_json(east_client, "patch", f"/api/v1/orgs/{tree.beta.pk}", {"name": None})
    assert response.status_code == 422
    assert response.json()["fields"] == {"name": ["请输入名称。"]}


def test_patching_needs_the_change_permission(tree):
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    client = Client()
    sign_in_verified(client, auditor)
    assert client.get(f"/api/v1/orgs/{tree.beta.pk}").status_code == 200
    assert send_json(client, "patch", f"/api/v1/orgs/{tree.beta.pk}", {"name": "新名"}).status_code == 404


def test_moving_through_the_api(tree, east_client):
    response = send_json(
        east_client, "post", f"/api/v1/orgs/{tree.beta.pk}/move", {"new_parent_id": tree.town.pk}
    )
    assert response.status_code == 200
    assert response.json()["parent_id"] == tree.town.pk
    assert Org.objects.get(pk=tree.beta.pk).path.startswith(tree.town.path)


@pytest.mark.parametrize(
    ("org", "body", "status", "fields"),
    [
        (
            "east",
            {"new_parent_id": "town"},
            422,
            {"new_parent_id": ["不能把工会调整到它自身或它的下级组织之下。"]},
        ),
        (
            "town",
            {"new_parent_id": "acme"},
            422,
            {"new_parent_id": ["不能把工会调整到它自身或它的下级组织之下。"]},
        ),
        ("beta", {"new_parent_id": "west"}, 404, {"new_parent_id": ["您的管辖范围内没有这个组织。"]}),
        ("beta", {"new_parent_id": "x"}, 422, {"new_parent_id"}),
        ("beta", {}, 422, {"new_parent_id"}),
    ],
)
def test_a_refused_move_names_the_field_and_moves_nothing(tree, east_client, org, body, status, fields):
    body = {key: getattr(tree, value).pk if hasattr(tree, value) else value for key, value in body.items()}
    before = paths()
    response = send_json(east_client, "post", f"/api/v1/orgs/{getattr(tree, org).pk}/move", body)
    assert response.status_code == status
    got = response.json()["fields"]
    assert got == fields if isinstance(fields, dict) else set(got) == fields
    assert paths() == before


def test_merging_through_the_api_reports_the_counts(tree, east_client):
    make_members(tree.beta, 3)
    response = send_json(
        east_client, "post", f"/api/v1/orgs/{tree.beta.pk}/merge", {"target_id": tree.acme.pk, "note": "合并"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["members_moved"], body["workplaces_moved"], body["children_moved"]) == (3, 0, 0)
    assert (body["source"]["status"], body["source"]["merged_into_id"]) == ("dissolved", tree.acme.pk)


def test_merging_into_itself_names_the_target_field(tree, east_client):
    response = send_json(
        east_client, "post", f"/api/v1/orgs/{tree.beta.pk}/merge", {"target_id": tree.beta.pk}
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"target_id": ["工会不能并入它自己。"]}


def test_dissolving_a_union_that_still_has_members_is_a_conflict(tree, east_client):
    make_members(tree.beta, 2)
    response = send_json(east_client, "post", f"/api/v1/orgs/{tree.beta.pk}/dissolve", {})
    assert response.status_code == 409
    assert (
        response.json()["message"]
        == "东区乙公司工会暂不能撤销，还有：在册会员2名。请先将它们调整、合并或撤销。"
    )
    assert Org.objects.get(pk=tree.beta.pk).status == OrgStatus.ACTIVE


def test_dissolving_an_empty_union(tree, east_client):
    response = send_json(east_client, "post", f"/api/v1/orgs/{tree.beta.pk}/dissolve", {"note": "企业注销"})
    assert response.status_code == 200
    assert response.json()["status"] == "dissolved"
