"""The plans API (/api/v1/mutualaid/plans): lists and details with rules and versions, creating,
opening and closing a plan, adding a rule version — amounts as decimal strings both ways, and
every bad input a 4xx `{code, message, fields}` that changes nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gonghui.mutualaid.models import AidPlan, AidPlanStatus, BenefitRule, ClaimType
from gonghui.mutualaid.tests.factories import TWO_BANDS, make_plan, make_rule
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, officer_at, send_json

pytestmark = pytest.mark.django_db

API = "/api/v1/mutualaid/plans"


def body(response: Any) -> Any:
    return json.loads(response.content)


@pytest.fixture
def api(world: Any) -> Any:
    return client_for(world.handler)


def plan_in(world: Any, **fields: Any) -> dict[str, Any]:
    return {
        "org": world.tree.east.pk,
        "year": 2028,
        "name": "2028年度职工医疗互助保障计划",
        "coverage_start": "2028-01-01",
        "coverage_end": "2028-12-31",
        "contribution_per_member": "60.00",
        **fields,
    }


def rule_in(**fields: Any) -> dict[str, Any]:
    return {
        "claim_type": "inpatient",
        "effective_from": "2027-12-01",
        "deductible": "800.00",
        "per_claim_cap": "50000.00",
        "per_year_cap": "100000.00",
        "waiting_days": 90,
        "bands": TWO_BANDS,
        "note": "调整起付线",
        **fields,
    }


def test_the_list_is_scoped_and_amounts_are_strings(
    world: Any, api: Any, django_assert_max_num_queries: Any
) -> None:
    make_plan(world.tree.west, name="西区计划")
    with django_assert_max_num_queries(8):
        response = api.get(API)
    data = body(response)
    assert response.status_code == 200
    assert [item["id"] for item in data["items"]] == [world.plan.pk]
    item = data["items"][0]
    assert item["contribution_per_member"] == "60.00"
    assert item["status"] == "open"
    assert item["org"]["code"] == world.tree.east.code
    assert body(api.get(API, {"year": 2028}))["items"] == []
    assert body(api.get(API, {"status": "draft"}))["items"] == []
    assert api.get(API, {"year": 1800}).status_code == 422
    assert api.get(API, {"status": "sideways"}).status_code == 422


def test_a_union_officer_lists_nothing(world: Any) -> None:
    union_officer = client_for(officer_at(world.tree.acme, "acme.officer", Role.UNION_OFFICER))
    assert body(union_officer.get(API))["items"] == []
    assert union_officer.get(f"{API}/{world.plan.pk}").status_code == 404


def test_the_detail_has_rules_versions_and_the_one_in_force(world: Any, api: Any) -> None:
    make_rule(world.plan, version=2, effective_from=date(2027, 7, 1), deductible=Decimal("800.00"))
    make_rule(world.plan, version=3, effective_from=date(2027, 12, 15))
    response = api.get(f"{API}/{world.plan.pk}")
    data = body(response)
    assert response.status_code == 200
    assert data["actions"] == ["close"]
    [inpatient] = data["rules"]
    assert inpatient["claim_type"] == "inpatient"
    assert inpatient["in_force_version"] == 2
    assert [version["version"] for version in inpatient["versions"]] == [1, 2, 3]
    assert inpatient["versions"][1]["deductible"] == "800.00"
    assert inpatient["versions"][0]["bands"] == [
        {"up_to": "10000.00", "rate": "0.50"},
        {"up_to": None, "rate": "0.70"},
    ]
    assert api.get(f"{API}/999999").status_code == 404


def test_creating_a_plan(world: Any, api: Any) -> None:
    response = send_json(api, "post", API, plan_in(world))
    data = body(response)
    assert response.status_code == 201, data
    assert (data["status"], data["contribution_per_member"], data["actions"]) == ("draft", "60.00", ["open"])
    assert data["history"][0]["action"] == "create"
    assert AidPlan.objects.filter(pk=data["id"], org=world.tree.east).exists()


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"contribution_per_member": 60}, 422, "contribution_per_member"),  # a JSON number: not exact
        ({"contribution_per_member": "60.001"}, 422, "contribution_per_member"),
        ({"coverage_end": "2029-06-30"}, 422, "coverage_end"),
        ({"coverage_start": "2028-13-01"}, 422, "coverage_start"),
        ({"name": ""}, 422, "name"),
        ({"year": 2200}, 422, "year"),
        ({"org": 0}, 422, "org"),
        ({"org": 999_999}, 404, None),
    ],
)
def test_a_bad_plan_is_refused(
    world: Any, api: Any, fields: dict[str, Any], status: int, field: str | None
) -> None:
    response = send_json(api, "post", API, plan_in(world, **fields))
    data = body(response)
    assert response.status_code == status, data
    assert set(data) == {"code", "message", "fields"}
    if field:
        assert field in data["fields"]
    assert not AidPlan.objects.filter(year=2028).exists()


def test_only_a_federation_in_scope_runs_a_plan(world: Any, api: Any) -> None:
    response = send_json(api, "post", API, plan_in(world, org=world.tree.acme.pk))
    assert response.status_code == 422
    assert "org" in body(response)["fields"]
    assert send_json(api, "post", API, plan_in(world, org=world.tree.west.pk)).status_code == 404
    auditor = client_for(officer_at(world.tree.east, "east.auditor", Role.AUDITOR))
    response = send_json(auditor, "post", API, plan_in(world))
    assert response.status_code == 403
    assert body(response)["code"] == "forbidden"
    assert not AidPlan.objects.filter(year=2028).exists()


def test_opening_and_closing(world: Any, api: Any) -> None:
    draft = make_plan(world.tree.east, year=2028, name="2028年度计划")
    response = api.post(f"{API}/{draft.pk}/open")
    assert response.status_code == 409
    assert "benefit rule" in body(response)["message"]
    make_rule(draft, effective_from=date(2028, 1, 1))
    data = body(api.post(f"{API}/{draft.pk}/open"))
    assert (data["status"], data["actions"]) == ("open", ["close"])
    data = body(api.post(f"{API}/{draft.pk}/close"))
    assert (data["status"], data["actions"]) == ("closed", [])
    response = api.post(f"{API}/{draft.pk}/close")
    assert response.status_code == 409
    assert body(response)["code"] == "invalid_transition"
    west = client_for(officer_at(world.tree.west, "west.admin"))
    assert west.post(f"{API}/{world.plan.pk}/close").status_code == 404
    assert AidPlan.objects.get(pk=world.plan.pk).status == AidPlanStatus.OPEN


def test_adding_a_rule_version(world: Any, api: Any) -> None:
    response = send_json(api, "post", f"{API}/{world.plan.pk}/rules", rule_in())
    data = body(response)
    assert response.status_code == 201, data
    assert (data["version"], data["deductible"], data["created_by"]) == (2, "800.00", "east.handler")
    assert data["bands"] == [{"up_to": "10000.00", "rate": "0.50"}, {"up_to": None, "rate": "0.70"}]
    response = send_json(
        api,
        "post",
        f"{API}/{world.plan.pk}/rules",
        rule_in(claim_type="accident", bands=[{"up_to": None, "rate": "1"}]),
    )
    assert body(response)["version"] == 1
    assert BenefitRule.objects.filter(plan=world.plan, claim_type=ClaimType.ACCIDENT).count() == 1


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        (
            {
                "bands": [
                    {"up_to": "10000", "rate": "0.5"},
                    {"up_to": "5000", "rate": "0.6"},
                    {"up_to": None, "rate": "0.7"},
                ]
            },
            "bands.1.up_to",
        ),
        ({"bands": [{"up_to": None, "rate": "1.5"}]}, "bands.0.rate"),
        ({"bands": [{"up_to": None, "rate": 0.5}]}, "bands.0.rate"),  # a JSON number
        ({"bands": []}, "bands"),
        ({"claim_type": "dental"}, "claim_type"),
        ({"per_claim_cap": "300000.00"}, "per_claim_cap"),
        ({"effective_from": "2026-06-01"}, "effective_from"),
        ({"waiting_days": -1}, "waiting_days"),
        ({"deductible": "1,000.005"}, "deductible"),
    ],
)
def test_a_bad_rule_is_refused_on_its_path(world: Any, api: Any, fields: dict[str, Any], path: str) -> None:
    response = send_json(api, "post", f"{API}/{world.plan.pk}/rules", rule_in(**fields))
    data = body(response)
    assert response.status_code == 422, data
    assert path in data["fields"], data
    assert BenefitRule.objects.filter(plan=world.plan).count() == 1


def test_a_closed_plan_takes_no_new_version(world: Any, api: Any) -> None:
    AidPlan.objects.filter(pk=world.plan.pk).update(status=AidPlanStatus.CLOSED)
    response = send_json(api, "post", f"{API}/{world.plan.pk}/rules", rule_in())
    assert response.status_code == 409
    assert BenefitRule.objects.filter(plan=world.plan).count() == 1
