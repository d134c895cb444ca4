"""The officers' contracts API: registering, the workflow, renewal, filing, coverage; every
refusal a `{code, message, fields}` 4xx that writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from gonghui.contracts.models import CollectiveContract, ContractKind, ContractScope, ContractStatus
from gonghui.contracts.tests.factories import make_contract, make_workplace, today
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, client_for, officer_at, send_json

pytestmark = pytest.mark.django_db

API = "/api/v1/contracts"


@pytest.fixture
def client(tree: Tree) -> Client:
    return client_for(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))


DRAFT_FRAME = ("org", "scope", "kind")  # fixed when the draft is registered


def _body(codes: list[str], **fields: Any) -> dict[str, Any]:
    start = today() + timedelta(days=1)
    return {
        "org": "E-T-A",
        "scope": "workplace",
        "kind": "general",
        "title": "甲公司集体合同",
        "signed_on": today().isoformat(),
        "term_start": start.isoformat(),
        "term_end": (start + timedelta(days=900)).isoformat(),
        "workers_covered": 88,
        "employer_representative": "张总",
        "union_representative": "李主席",
        "workplaces": codes,
        "clauses": [{"topic": "leave", "text": "带薪年休假不少于10天"}],
        **fields,
    }


def test_register_then_bring_into_force(tree: Tree, client: Client) -> None:
    workplace = make_workplace(None, tree.acme)
    created = send_json(client, "post", API, _body([workplace.credit_code]))
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["workplace_count"], body["clauses"][0]["topic"]) == ("draft", 1, "leave")
    done = send_json(client, "post", f"{API}/{body['id']}/action", {"action": "bring_into_force"})
    assert done.status_code == 200
    assert done.json()["status"] == "in_force"
    again = send_json(client, "post", f"{API}/{body['id']}/action", {"action": "bring_into_force"})
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"


def test_validation_errors_name_the_fields(tree: Tree, client: Client) -> None:
    workplace = make_workplace(None, tree.acme)
    response = send_json(
        client,
        "post",
        API,
        _body(
            [workplace.credit_code],
            wage_increase="3.00",
            term_end=today().isoformat(),
            clauses=[{"topic": "leave", "text": ""}],
        ),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert {"wage_increase", "term_end", "clauses.0.text"} <= set(body["fields"])
    assert not CollectiveContract.objects.exists()
    schema = send_json(client, "post", API, _body([workplace.credit_code], kind="loan"))
    assert schema.status_code == 422
    assert "kind" in schema.json()["fields"]


def test_correct_a_draft_then_no_more_once_in_force(tree: Tree, client: Client) -> None:
    workplace = make_workplace(None, tree.acme)
    draft = send_json(client, "post", API, _body([workplace.credit_code])).json()
    body = {key: value for key, value in _body([workplace.credit_code]).items() if key not in DRAFT_FRAME}
    changed = send_json(client, "put", f"{API}/{draft['id']}", {**body, "workers_covered": 95, "clauses": []})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["workers_covered"], changed.json()["clauses"]) == (95, [])
    bad = send_json(client, "put", f"{API}/{draft['id']}", {**body, "workplaces": ["91330200MA0000000X"]})
    assert (bad.status_code, list(bad.json()["fields"])) == (422, ["workplaces"])
    send_json(client, "post", f"{API}/{draft['id']}/action", {"action": "bring_into_force"})
    late = send_json(client, "put", f"{API}/{draft['id']}", body)
    assert (late.status_code, late.json()["code"]) == (409, "not_a_draft")
    assert client.get(f"{API}/{draft['id']}").json()["workers_covered"] == 95


def test_list_filters_and_detail(tree: Tree, client: Client) -> None:
    wage = make_contract(tree.acme, kind=ContractKind.WAGE)
    soon = make_contract(tree.acme, start=today() - timedelta(days=700), end=today() + timedelta(days=20))
    hidden = make_contract(tree.gamma)
    ids = {item["id"] for item in client.get(API).json()["items"]}
    assert ids == {wage.pk, soon.pk}
    assert [item["id"] for item in client.get(f"{API}?kind=wage").json()["items"]] == [wage.pk]
    assert [item["id"] for item in client.get(f"{API}?expiring=true").json()["items"]] == [soon.pk]
    assert client.get(f"{API}/{hidden.pk}").status_code == 404
    detail = client.get(f"{API}/{wage.pk}").json()
    assert detail["wage_increase"] == "5.50"
    assert len(detail["workplaces"]) == 1


def test_renew_and_terminate(tree: Tree, client: Client) -> None:
    previous = make_contract(tree.acme)
    codes = list(previous.workplaces.values_list("credit_code", flat=True))
    start = previous.term_end + timedelta(days=1)
    body = _body(codes, term_start=start.isoformat(), term_end=(start + timedelta(days=700)).isoformat())
    renewed = send_json(client, "post", f"{API}/{previous.pk}/renew", body)
    assert renewed.status_code == 201
    assert renewed.json()["previous_id"] == previous.pk
    assert client.get(f"{API}/{previous.pk}").json()["renewal_id"] == renewed.json()["id"]
    twice = send_json(client, "post", f"{API}/{previous.pk}/renew", body)
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_renewed"
    bad = send_json(client, "post", f"{API}/{previous.pk}/action", {"action": "terminate"})
    assert bad.status_code == 422
    assert {"ended_on", "reason"} <= set(bad.json()["fields"])
    ended = send_json(
        client,
        "post",
        f"{API}/{previous.pk}/action",
        {"action": "terminate", "ended_on": today().isoformat(), "reason": "企业搬迁"},
    )
    assert ended.json()["status"] == ContractStatus.TERMINATED


def test_filing(tree: Tree, client: Client) -> None:
    contract = make_contract(tree.acme)
    future = send_json(
        client, "put", f"{API}/{contract.pk}/filing", {"filed_on": (today() + timedelta(days=3)).isoformat()}
    )
    assert future.status_code == 422
    assert "filed_on" in future.json()["fields"]
    done = send_json(
        client,
        "put",
        f"{API}/{contract.pk}/filing",
        {"filed_on": today().isoformat(), "review_result": "objections", "review_note": "第5条与法规不符"},
    )
    assert done.status_code == 200
    assert done.json()["review_result"] == "objections"


def test_coverage(tree: Tree) -> None:
    covered = make_workplace(None, tree.acme, employee_count=10)
    make_workplace(None, tree.beta, employee_count=30)
    make_contract(tree.east, [covered], scope=ContractScope.REGION)
    client = client_for(officer_at(tree.east, "east.admin"))
    body = client.get(f"{API}/coverage").json()
    assert body["org"]["code"] == "E"
    assert "÷" in body["definition"]
    assert (body["total"]["workplaces"], body["total"]["covered"], body["total"]["rate_all"]) == (
        2,
        1,
        "50.0",
    )
    assert [line["org"]["code"] for line in body["lines"]] == ["E", "E-T", "E-B"]
    assert client.get(f"{API}/coverage?org={tree.west.pk}").status_code == 404
    assert client.get(f"{API}/coverage?day=soon").status_code == 422
