"""Console pages of grants: the queue (proposed first), proposing by ID number or from a
hardship file (`?file=`), the detail page's decisions, four-eyes and insufficient funds in the
page, and the member's portal page of their own grants."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.assistance.models import FundEntry, Grant, GrantStatus
from gonghui.assistance.services.grants import approve_grant
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_funds import (
    assert_ledger_consistent,
    handler_at,
    keeper_at,
    make_approved_grant,
    make_file_on_record,
    make_grant,
    make_member,
)
from gonghui.orgs.permissions import Role
from gonghui.orgs.tests.factories import client_for, make_tree, officer_at

pytestmark = pytest.mark.django_db

CONSOLE = "/console/assistance/grants"


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def world(tree):
    handler = handler_at(tree.acme)
    keeper = keeper_at(tree.east)
    return {
        "handler": handler,
        "keeper": keeper,
        "handler_client": client_for(handler),
        "keeper_client": client_for(keeper),
        "member": make_member(tree.acme, name="王困难"),
        "fund": fund_with(tree.east, "1000.00"),
    }


def _proposal(world: dict[str, Any], **values: str) -> dict[str, str]:
    data = {
        "id_number": world["member"].id_number,
        "fund": str(world["fund"].pk),
        "purpose": "medical",
        "amount": "300.00",
        "reason": "住院自付费用高",
    }
    data.update(values)
    return data


def test_proposing_by_id_number(world):
    response = world["handler_client"].post(f"{CONSOLE}/new/", _proposal(world))
    grant = Grant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{CONSOLE}/{grant.pk}/"
    assert grant.proposed_by == world["handler"]


@pytest.mark.parametrize(
    "values",
    [
        {"id_number": ""},
        {"id_number": "123"},
        {"amount": "0"},
        {"amount": "1.001"},
        {"purpose": "seasonal"},
        {"fund": "999999"},
        {"fund": "abc"},
        {"reason": ""},
        {"file": "99999999999999999999999"},
    ],
)
def test_a_bad_proposal_answers_422_and_writes_nothing(world, values):
    response = world["handler_client"].post(f"{CONSOLE}/new/", _proposal(world, **values))
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert not Grant.objects.exists()


def test_the_form_is_filled_from_a_hardship_file(world):
    file = make_file_on_record(world["member"])
    html = world["handler_client"].get(f"{CONSOLE}/new/?file={file.pk}").content.decode()
    assert f'data-file="{file.pk}"' in html
    assert file.reference in html
    assert f'value="{file.pk}"' in html
    assert world["handler_client"].get(f"{CONSOLE}/new/?file=abc").status_code == 200
    response = world["handler_client"].post(
        f"{CONSOLE}/new/", _proposal(world, id_number="", file=str(file.pk))
    )
    assert response.status_code == 302
    assert Grant.objects.get().hardship_file == file


def test_the_queue_shows_proposals_first(world):
    paid = make_approved_grant(world["fund"], world["member"], amount="100.00")
    waiting = make_grant(world["fund"], world["member"], amount="200.00")
    html = world["keeper_client"].get(f"{CONSOLE}/").content.decode()
    assert html.index(f'data-row-id="{waiting.pk}"') < html.index(f'data-row-id="{paid.pk}"')
    only = world["keeper_client"].get(f"{CONSOLE}/?status=approved").content.decode()
    assert f'data-row-id="{waiting.pk}"' not in only
    assert world["keeper_client"].get(f"{CONSOLE}/?status=nonsense&fund=x").status_code == 200


def test_the_keeper_approves_on_the_page(world):
    grant = make_grant(world["fund"], world["member"], amount="300.00")
    html = world["keeper_client"].get(f"{CONSOLE}/{grant.pk}/").content.decode()
    assert 'id="approve-form"' in html
    assert "王困难" in html
    response = world["keeper_client"].post(f"{CONSOLE}/{grant.pk}/approve/", {"note": "同意"})
    assert response.status_code == 302
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.APPROVED
    assert_ledger_consistent(world["fund"])


def test_the_proposer_sees_why_they_cannot_approve(tree, world):
    admin = officer_at(tree.east, "admin", Role.FEDERATION_ADMIN)
    client = client_for(admin)
    client.post(f"{CONSOLE}/new/", _proposal(world))
    grant = Grant.objects.get()
    html = client.get(f"{CONSOLE}/{grant.pk}/").content.decode()
    assert 'id="approve-form"' not in html
    assert 'id="reject-form"' in html
    response = client.post(f"{CONSOLE}/{grant.pk}/approve/", {"note": ""})
    assert response.status_code == 422
    assert "须由其他基金管理人员审批" in response.content.decode()
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.PROPOSED


def test_insufficient_funds_is_shown_and_nothing_changes(world):
    grant = make_grant(world["fund"], world["member"], amount="1500.00")
    response = world["keeper_client"].post(f"{CONSOLE}/{grant.pk}/approve/", {"note": ""})
    assert response.status_code == 422
    assert "基金余额不足" in response.content.decode()
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.PROPOSED
    assert not FundEntry.objects.filter(grant=grant).exists()


def test_reject_and_reverse_need_a_reason(world):
    grant = make_grant(world["fund"], world["member"])
    assert world["keeper_client"].post(f"{CONSOLE}/{grant.pk}/reject/", {"reason": ""}).status_code == 422
    paid = make_approved_grant(world["fund"], world["member"], amount="100.00")
    assert world["keeper_client"].post(f"{CONSOLE}/{paid.pk}/reverse/", {"reason": " "}).status_code == 422
    response = world["keeper_client"].post(f"{CONSOLE}/{paid.pk}/reverse/", {"reason": "重复发放"})
    assert response.status_code == 302
    assert Grant.objects.get(pk=paid.pk).status == GrantStatus.REVERSED
    assert_ledger_consistent(world["fund"])


def test_the_handler_may_look_but_not_decide(world):
    grant = make_grant(world["fund"], world["member"])
    html = world["handler_client"].get(f"{CONSOLE}/{grant.pk}/").content.decode()
    assert 'id="approve-form"' not in html
    response = world["handler_client"].post(f"{CONSOLE}/{grant.pk}/approve/", {"note": ""})
    assert response.status_code == 422
    assert "只有" in response.content.decode()  # the refusal is shown, not an empty page
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.PROPOSED


def test_an_auditor_sees_masked_names(tree, world):
    grant = make_grant(world["fund"], world["member"])
    auditor = client_for(officer_at(tree.east, "auditor", Role.AUDITOR))
    html = auditor.get(f"{CONSOLE}/{grant.pk}/").content.decode()
    assert "王困难" not in html
    assert "王*" in html


def test_the_member_sees_the_grants_paid_to_them(tree, world):
    from gonghui.benefits.tests.factories import make_member_with_account

    member, user = make_member_with_account(tree.acme)
    paid = make_grant(world["fund"], member, amount="321.00")
    approve_grant(paid, actor=world["keeper"])
    waiting = make_grant(world["fund"], member, amount="654.00")
    client = client_for(user)
    response = client.get("/hardship/grants/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-grant-id="{paid.pk}"' in html
    assert "321.00" in html
    assert f'data-grant-id="{waiting.pk}"' not in html
    _other, other_user = make_member_with_account(tree.beta)
    assert (
        f'data-grant-id="{paid.pk}"' not in client_for(other_user).get("/hardship/grants/").content.decode()
    )
