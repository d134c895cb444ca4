"""The workplaces API: list with the console's filters and paging, detail, create and partial
update, with field errors in the one error format and nothing changed on bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gonghui.orgs.models import Role, Workplace
from gonghui.orgs.tests.factories import (
    client_for,
    credit_code,
    make_workplace,
    officer_at,
    send_json,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/workplaces"


def post(client: Client, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = send_json(client, "post", URL, body)
    return response.status_code, response.json()


def patch(client: Client, workplace: Workplace, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = send_json(client, "patch", f"{URL}/{workplace.pk}", body)
    return response.status_code, response.json()


def new(tree, **changes) -> dict[str, Any]:
    return {
        "credit_code": credit_code(30),
        "name": "东湖新材料有限公司",
        "industry": "C",
        "ownership": "private",
        "employee_count": 45,
        "jurisdiction_id": tree.town.pk,
        "union_id": tree.acme.pk,
    } | changes


def test_the_list_is_filtered_sorted_and_paged_in_few_queries(
    east_client, tree, django_assert_max_num_queries
):
    for n in range(7):
        make_workplace(tree.town, tree.acme if n < 3 else None, name=f"东湖单位{n}", employee_count=n)
    make_workplace(None, tree.gamma, name="西区单位")

    with django_assert_max_num_queries(8):
        response = east_client.get(
            URL, {"unionised": "false", "sort": "-employee_count", "limit": 2, "offset": 1}
        )

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 4
    assert [item["name"] for item in body["items"]] == ["东湖单位5", "东湖单位4"]
    assert body["items"][0]["jurisdiction"] == {"id": tree.town.pk, "code": "E-T", "name": "东湖街道总工会"}
    assert body["items"][0]["union"] is None
    assert east_client.get(URL, {"union": tree.acme.pk}).json()["count"] == 3
    assert east_client.get(URL, {"area": tree.town.pk, "q": "单位6"}).json()["count"] == 1
    assert east_client.get(URL, {"union": tree.gamma.pk}).json() == {"count": 0, "items": []}


def test_the_detail_is_404_outside_the_scope_exactly_as_for_a_missing_workplace(east_client, tree):
    west = make_workplace(None, tree.gamma)

    outside = east_client.get(f"{URL}/{west.pk}")
    missing = east_client.get(f"{URL}/{west.pk + 1000}")

    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert outside.json()["code"] == "not_found"


def test_a_workplace_is_registered_and_answered_with_201(east_client, tree):
    status, body = post(east_client, new(tree, name="  东湖新材料有限公司　"))

    assert status == 201
    assert body["name"] == "东湖新材料有限公司"
    assert body["is_unionised"] is True
    assert body["union"]["code"] == "E-T-A"
    assert Workplace.objects.get(pk=body["id"]).credit_code == credit_code(30)


@pytest.mark.parametrize(
    ("changes", "status", "fields"),
    [
        (
            {"credit_code": "91330203MA2GC5LU40"},
            422,
            {"credit_code": ["统一社会信用代码校验位不符，请逐位核对。"]},
        ),
        ({"employee_count": -1}, 422, {"employee_count": ["请输入不小于 0 的值。"]}),
        ({"industry": "Z"}, 422, {"industry": None}),
        ({"jurisdiction_id": 2**63}, 422, {"jurisdiction_id": None}),
        ({"union_id": None, "jurisdiction_id": None}, 422, {"jurisdiction_id": None}),
        ({"colour": "red"}, 422, {"colour": ["不应提供此字段。"]}),
        ({"union_id": 999_999}, 404, {"union_id": ["您的管理范围内没有该工会。"]}),
    ],
)
def test_bad_input_is_refused_with_field_errors_and_nothing_is_created(
    east_client, tree, changes, status, fields
):
    got_status, body = post(east_client, new(tree, **changes))

    assert got_status == status
    assert set(body) == {"code", "message", "fields"}
    assert set(body["fields"]) == set(fields)
    for field, messages in fields.items():
        if messages is not None:
            assert body["fields"][field] == messages
    assert not Workplace.objects.exists()


def test_an_area_outside_the_scope_is_not_found_even_with_valid_data(tree):
    west = client_for(officer_at(tree.west, "west.admin"))

    status, body = post(west, new(tree, union_id=None))

    assert status == 404
    assert body["fields"] == {"jurisdiction_id": ["您的管理范围内没有该乡镇（街道）总工会或联合工会。"]}


def test_a_patch_changes_only_what_is_sent_and_null_clears_the_union(east_client, tree):
    workplace = make_workplace(tree.town, tree.acme, address="旧址")

    status, body = patch(east_client, workplace, {"employee_count": 77, "union_id": None})

    assert status == 200
    assert (body["employee_count"], body["union"], body["is_unionised"], body["address"]) == (
        77,
        None,
        False,
        "旧址",
    )
    workplace.refresh_from_db()
    assert (workplace.employee_count, workplace.is_unionised) == (77, False)


def test_a_patch_may_not_clear_a_required_field(east_client, tree):
    workplace = make_workplace(tree.town, tree.acme)

    status, body = patch(east_client, workplace, {"name": None, "employee_count": 1})

    assert status == 422
    assert body["fields"] == {"name": ["此项为必填项。"]}
    workplace.refresh_from_db()
    assert workplace.employee_count == 50


def test_a_read_only_auditor_may_read_but_not_change(tree):
    workplace = make_workplace(tree.town, tree.acme)
    auditor = client_for(officer_at(tree.east, "east.auditor", Role.AUDITOR))

    assert auditor.get(f"{URL}/{workplace.pk}").status_code == 200
    assert patch(auditor, workplace, {"employee_count": 1})[0] == 404
    assert post(auditor, new(tree))[0] == 404
