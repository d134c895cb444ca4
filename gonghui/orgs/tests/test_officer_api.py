"""/api/v1/officers: filters, the one error format for bad input, and the officer rules."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.orgs.models import OfficerPosition, OfficerTerm, Role
from gonghui.orgs.tests.factories import Tree, make_term, officer_at, send_json, today

pytestmark = pytest.mark.django_db

URL = "/api/v1/officers"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return send_json(client, "post", url, body)


def patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return send_json(client, "patch", url, body)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def new_term(tree: Tree, **changes: Any) -> dict[str, Any]:
    body = {
        "org_id": tree.acme.pk,
        "name": "吴敏",
        "position": OfficerPosition.CHAIR,
        "term_start": (today() - timedelta(days=10)).isoformat(),
        "term_end": (today() + timedelta(days=1800)).isoformat(),
        "elected_on": (today() - timedelta(days=12)).isoformat(),
        "contact_phone": "13800012345",
    }
    return {**body, **changes}


# --- reading ------------------------------------------------------------------------------------


def test_list_filters_by_org_position_state_and_ending_within_days(east_client, tree):
    chair = make_term(tree.acme, "王建国", OfficerPosition.CHAIR, days_left=90)
    vice = make_term(tree.acme, "孙丽", OfficerPosition.VICE_CHAIR_PART_TIME, days_left=91)
    beta = make_term(tree.beta, "李四", days_left=5)
    ended = make_term(tree.beta, "已离任", OfficerPosition.ASSISTANT, days_left=3, ended_on=today())
    make_term(tree.gamma, "西区", days_left=1)

    assert set(ids(east_client.get(URL))) == {chair.pk, vice.pk, beta.pk, ended.pk}
    assert ids(east_client.get(URL, {"org": tree.acme.pk})) == [chair.pk, vice.pk]  # committee order
    assert set(ids(east_client.get(URL, {"position": "chair"}))) == {chair.pk, beta.pk}
    assert ids(east_client.get(URL, {"state": "ended"})) == [ended.pk]
    assert ids(east_client.get(URL, {"ending_within_days": 90})) == [beta.pk, chair.pk]  # soonest first
    assert ids(east_client.get(URL, {"q": "孙"})) == [vice.pk]


def test_an_item_says_where_the_term_stands_and_masks_the_phone(east_client, tree):
    term = make_term(tree.acme, "王建国", days_left=30)
    OfficerTerm.objects.filter(pk=term.pk).update(contact_phone="13912345678")

    item = east_client.get(f"{URL}/{term.pk}").json()

    assert item["org_name"] == "东区甲公司工会"
    assert item["position"] == "chair"
    assert item["position_label"] == "主席"
    assert item["state"] == "current"
    assert item["days_left"] == 30
    assert item["masked_contact_phone"] == "139****5678"
    assert "13912345678" not in json.dumps(item)


def test_list_has_a_bounded_number_of_queries(east_client, tree, django_assert_max_num_queries):
    for i, org in enumerate([tree.acme, tree.beta, tree.joint, tree.town] * 10):
        make_term(org, f"委员{i}", OfficerPosition.COMMITTEE_MEMBER)
    with django_assert_max_num_queries(8):
        response = east_client.get(URL, {"limit": 200})
    assert response.json()["count"] == 40


@pytest.mark.parametrize(
    "params",
    [{"ending_within_days": -1}, {"ending_within_days": "soon"}, {"position": "treasurer"}, {"limit": 0}],
)
def test_bad_filters_answer_422_with_the_field(east_client, params):
    response = east_client.get(URL, params)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == set(params)


def test_a_term_outside_the_scope_answers_404_like_a_missing_one(east_client, tree):
    term = make_term(tree.gamma)
    outside = east_client.get(f"{URL}/{term.pk}")
    missing = east_client.get(f"{URL}/{term.pk + 1000}")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


# --- writing ------------------------------------------------------------------------------------


def test_creating_a_term(east_client, tree):
    response = post(east_client, URL, new_term(tree))
    assert response.status_code == 201, response.content
    body = response.json()
    term = OfficerTerm.objects.get(pk=body["id"])
    assert (term.org, term.name, term.position) == (tree.acme, "吴敏", OfficerPosition.CHAIR)
    assert body["masked_contact_phone"] == "138****2345"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"term_end": (today() - timedelta(days=10)).isoformat()}, "term_end"),
        ({"elected_on": (today() - timedelta(days=1)).isoformat()}, "elected_on"),
        ({"position": "treasurer"}, "position"),
        ({"name": ""}, "name"),
        ({"term_start": "next monday"}, "term_start"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"username": "nobody.here"}, "username"),
        ({"salary": 1}, "salary"),
    ],
)
def test_bad_input_answers_422_with_the_field_and_stores_nothing(east_client, tree, changes, field):
    response = post(east_client, URL, new_term(tree, **changes))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"]
    assert not OfficerTerm.objects.exists()


def test_a_second_chair_answers_409_naming_the_chair_in_office(east_client, tree):
    make_term(tree.acme, "王建国", OfficerPosition.CHAIR)
    response = post(east_client, URL, new_term(tree))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "chair_already_in_office"
    assert "王建国" in body["message"]
    assert OfficerTerm.objects.count() == 1


def test_creating_in_a_union_outside_the_scope_answers_404(east_client, tree):
    response = post(east_client, URL, new_term(tree, org_id=tree.gamma.pk))
    assert response.status_code == 404
    assert not OfficerTerm.objects.exists()


def test_patch_changes_only_the_fields_sent(east_client, tree):
    term = make_term(tree.acme, "王建国", elected_on=today() - timedelta(days=2000))
    response = patch(east_client, f"{URL}/{term.pk}", {"name": "王建华", "elected_on": None})
    assert response.status_code == 200, response.content
    term.refresh_from_db()
    assert (term.name, term.elected_on, term.position) == ("王建华", None, OfficerPosition.CHAIR)


def test_patch_refuses_null_for_a_required_field_and_changes_nothing(east_client, tree):
    term = make_term(tree.acme, "王建国")
    response = patch(east_client, f"{URL}/{term.pk}", {"name": None, "term_end": None})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"name", "term_end"}
    term.refresh_from_db()
    assert term.name == "王建国"


def test_patch_checks_the_whole_term_after_the_change(east_client, tree):
    term = make_term(tree.acme)
    response = patch(east_client, f"{URL}/{term.pk}", {"term_end": term.term_start.isoformat()})
    assert response.status_code == 422
    assert "term_end" in response.json()["fields"]


def test_ending_a_term_and_not_twice(east_client, tree):
    term = make_term(tree.acme)
    response = post(east_client, f"{URL}/{term.pk}/end", {"ended_on": today().isoformat(), "reason": "退休"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "ended"
    assert response.json()["end_reason"] == "退休"

    again = post(east_client, f"{URL}/{term.pk}/end", {"ended_on": today().isoformat(), "reason": "退休"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_ended"


def test_ending_needs_a_reason(east_client, tree):
    term = make_term(tree.acme)
    response = post(east_client, f"{URL}/{term.pk}/end", {"ended_on": today().isoformat(), "reason": " "})
    assert response.status_code == 422
    assert "reason" in response.json()["fields"]


def test_a_read_only_auditor_may_read_but_not_write(client, tree):
    term = make_term(tree.acme)
    sign_in_verified(client, officer_at(tree.east, "east.auditor", Role.AUDITOR))
    assert client.get(f"{URL}/{term.pk}").status_code == 200
    assert post(client, URL, new_term(tree)).status_code == 404
    assert patch(client, f"{URL}/{term.pk}", {"name": "改名"}).status_code == 404
    term.refresh_from_db()
    assert term.name == "王建国"
