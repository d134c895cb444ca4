"""The transfers API (/api/v1/transfers): asking, deciding, following and leaving, with every
error in the one format {code, message, fields} and nothing changed by a refused request.

The world is test_transfers.build_world: the member belongs to acme ("source"), transfers go
to beta ("target"); gamma's officer is in a sibling district.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.tests.factories import PASSWORD, make_member
from gonghui.members.models import Member, MemberStatus, Transfer, TransferStatus
from gonghui.members.services.transfers import approve_transfer, request_transfer
from gonghui.members.tests.factories import member_row, next_id_number
from gonghui.members.tests.test_transfers import MOBILE, World, active_rows, build_world
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, make_workplace, officer_at, send_json

pytestmark = pytest.mark.django_db
URL = "/api/v1/transfers"


@pytest.fixture
def world() -> World:
    return build_world()


def post(client: Client, url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = send_json(client, "post", url, body)
    return response.status_code, response.json()


def ask(world: World, **extra: Any) -> Transfer:
    return request_transfer(world.member, actor=world.source_officer, to_org=world.target, **extra)


# --- asking --------------------------------------------------------------------------------------


def test_an_officer_asks_by_member_id_and_gets_the_transfer_with_its_steps(world: World) -> None:
    # given
    place = make_workplace(world.tree.east, world.target)
    # when
    status, body = post(
        client_for(world.source_officer),
        URL,
        {"member_id": world.member.pk, "to_org": world.target.pk, "to_workplace": place.pk, "reason": "调动"},
    )
    # then
    assert status == 201, body
    assert body["status"] == "requested"
    assert body["from_org"]["code"] == world.source.code
    assert body["to_org"]["id"] == world.target.pk
    assert body["to_workplace"]["id"] == place.pk
    assert body["member_masked_name"] == "张**"
    assert body["actions"] == ["cancel"]
    assert [step["to_status"] for step in body["history"]] == ["requested"]
    assert Transfer.objects.get(pk=body["id"]).requested_by == world.source_officer


def test_an_officer_of_the_target_asks_by_id_number(world: World) -> None:
    status, body = post(
        client_for(world.target_officer),
        URL,
        {"id_number": world.member.id_number, "to_org": world.target.pk},
    )
    assert status == 201, body
    assert body["actions"] == ["approve", "reject", "cancel"]  # it decides, and it asked


def test_the_member_asks_for_their_own_transfer(world: World) -> None:
    account = make_member(MOBILE)
    status, body = post(client_for(account), URL, {"member_id": world.member.pk, "to_org": world.target.pk})
    assert status == 201, body
    assert body["actions"] == ["cancel"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "member_id"),
        ({"member_id": 1, "id_number": "330203196001010011"}, "member_id"),
        ({"to_org": 99_999_999}, "to_org"),
        ({"to_workplace": 99_999_999}, "to_workplace"),
        ({"to_org": 0}, "to_org"),
        ({"reason": "长" * 501}, "reason"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(
    world: World, body: dict[str, Any], field: str
) -> None:
    payload = {"member_id": world.member.pk, "to_org": world.target.pk} | body
    if not body:
        payload = {"to_org": world.target.pk}
    status, answer = post(client_for(world.source_officer), URL, payload)
    assert status == 422, answer
    assert field in answer["fields"]
    assert answer["message"]
    assert not Transfer.objects.exists()


def test_the_errors_are_in_chinese(world: World) -> None:
    status, body = post(
        client_for(world.source_officer), URL, {"member_id": world.member.pk, "to_org": 99999}
    )
    assert status == 422
    assert body["fields"]["to_org"] == ["没有这个工会。"]


def test_the_same_union_and_a_federation_are_refused_on_to_org(world: World) -> None:
    for org in (world.source, world.tree.east):
        status, body = post(
            client_for(world.parent_officer), URL, {"member_id": world.member.pk, "to_org": org.pk}
        )
        assert status == 422, body
        assert "to_org" in body["fields"]
    assert not Transfer.objects.exists()


def test_a_second_open_transfer_is_refused(world: World) -> None:
    ask(world)
    status, body = post(
        client_for(world.source_officer), URL, {"member_id": world.member.pk, "to_org": world.tree.joint.pk}
    )
    assert (status, body["code"]) == (409, "transfer_open")
    assert "已有一条转会申请" in body["message"]
    assert Transfer.objects.count() == 1


def test_an_unknown_id_number_is_refused_on_its_field(world: World) -> None:
    status, body = post(
        client_for(world.target_officer), URL, {"id_number": next_id_number(), "to_org": world.target.pk}
    )
    assert status == 422
    assert "id_number" in body["fields"]


def test_a_member_of_another_union_is_not_found_for_a_sibling_officer(world: World) -> None:
    status, body = post(
        client_for(world.sibling_officer), URL, {"member_id": world.member.pk, "to_org": world.tree.gamma.pk}
    )
    assert (status, body["code"]) == (404, "not_found")
    assert not Transfer.objects.exists()


# --- deciding -----------------------------------------------------------------------------------


def test_the_target_accepts_and_the_answer_points_to_the_new_membership(world: World) -> None:
    transfer = ask(world)
    status, body = post(client_for(world.target_officer), f"{URL}/{transfer.pk}/approve", {"comment": "欢迎"})
    assert status == 200, body
    assert body["status"] == "approved"
    assert body["actions"] == []
    new = Member.objects.get(pk=body["new_member_id"])
    assert (new.org, new.status) == (world.target, MemberStatus.ACTIVE)
    assert active_rows(world.member) == [new]


def test_accepting_twice_is_an_invalid_transition(world: World) -> None:
    transfer = ask(world)
    client = client_for(world.target_officer)
    post(client, f"{URL}/{transfer.pk}/approve", {})
    status, body = post(client, f"{URL}/{transfer.pk}/approve", {})
    assert (status, body["code"]) == (409, "invalid_transition")
    assert len(active_rows(world.member)) == 1


def test_the_source_may_not_accept(world: World) -> None:
    transfer = ask(world)
    status, body = post(client_for(world.source_officer), f"{URL}/{transfer.pk}/approve", {})
    assert (status, body["code"]) == (403, "no_authority")
    assert "东区乙公司工会" in body["message"]
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED


def test_a_rejection_without_a_reason_names_the_field(world: World) -> None:
    transfer = ask(world)
    client = client_for(world.target_officer)
    for body in ({}, {"reason": "  "}):
        status, answer = post(client, f"{URL}/{transfer.pk}/reject", body)
        assert status == 422, answer
        assert "reason" in answer["fields"]
    status, answer = post(client, f"{URL}/{transfer.pk}/reject", {"reason": "不在本单位工作"})
    assert status == 200
    assert (answer["status"], answer["reject_reason"]) == ("rejected", "不在本单位工作")


def test_the_member_cancels_their_transfer(world: World) -> None:
    transfer = ask(world)
    status, body = post(client_for(make_member(MOBILE)), f"{URL}/{transfer.pk}/cancel", {})
    assert status == 200, body
    assert body["status"] == "cancelled"


@pytest.mark.parametrize("transfer_id", ["0", "99999999", "99999999999999999999999"])
def test_a_missing_transfer_is_404_or_a_path_error_never_500(world: World, transfer_id: str) -> None:
    client = client_for(world.target_officer)
    assert client.get(f"{URL}/{transfer_id}").status_code in {404, 422}
    assert send_json(client, "post", f"{URL}/{transfer_id}/approve", {}).status_code in {404, 422}


# --- following ----------------------------------------------------------------------------------


def test_both_unions_list_the_transfer_by_direction(world: World, django_assert_max_num_queries) -> None:
    # given: one transfer from acme to beta, and one from beta to gamma
    transfer = ask(world)
    other = Member.objects.bulk_create([member_row(world.target)])[0]
    outward = request_transfer(other, actor=world.target_officer, to_org=world.tree.gamma)
    target = client_for(world.target_officer)
    # when / then
    with django_assert_max_num_queries(12):
        incoming = target.get(URL, {"direction": "incoming"}).json()
    assert [item["id"] for item in incoming["items"]] == [transfer.pk]
    assert [item["id"] for item in target.get(URL, {"direction": "outgoing"}).json()["items"]] == [outward.pk]
    assert {item["id"] for item in target.get(URL).json()["items"]} == {transfer.pk, outward.pk}
    source_outgoing = client_for(world.source_officer).get(URL, {"direction": "outgoing"}).json()
    assert [item["id"] for item in source_outgoing["items"]] == [transfer.pk]
    # gamma's officer sees the transfer into gamma, never the one between acme and beta
    assert [item["id"] for item in client_for(world.sibling_officer).get(URL).json()["items"]] == [outward.pk]


def test_the_status_filter_and_bad_query_values(world: World) -> None:
    transfer = ask(world)
    client = client_for(world.target_officer)
    assert client.get(URL, {"status": "approved"}).json()["count"] == 0
    assert client.get(URL, {"status": "requested"}).json()["items"][0]["id"] == transfer.pk
    for bad in ({"direction": "sideways"}, {"status": "done"}, {"page": "0"}):
        response = client.get(URL, bad)
        assert response.status_code == 422
        assert set(response.json()["fields"]) == set(bad)


def test_a_member_lists_only_their_own_transfers(world: World) -> None:
    account = make_member(MOBILE)
    mine = request_transfer(world.member, actor=account, to_org=world.target)
    other = Member.objects.bulk_create([member_row(world.source)])[0]
    request_transfer(other, actor=world.source_officer, to_org=world.target)
    body = client_for(account).get(URL).json()
    assert [item["id"] for item in body["items"]] == [mine.pk]
    assert client_for(make_member("13700000077")).get(URL).json()["items"] == []


def test_the_member_follows_the_transfer_after_it_is_accepted(world: World) -> None:
    account = make_member(MOBILE)
    transfer = request_transfer(world.member, actor=account, to_org=world.target)
    approve_transfer(transfer, actor=world.target_officer)
    body = client_for(account).get(f"{URL}/{transfer.pk}").json()
    assert body["status"] == "approved"
    assert [step["to_status"] for step in body["history"]] == ["requested", "approved"]


# --- leaving ------------------------------------------------------------------------------------


def test_an_officer_records_a_death(world: World) -> None:
    status, body = post(
        client_for(world.source_officer),
        f"{URL}/leave",
        {"member_id": world.member.pk, "status": "deceased", "reason": "病故"},
    )
    assert status == 200, body
    assert (body["status"], body["end_reason"]) == ("deceased", "病故")
    assert body["ended_on"] == timezone.localdate().isoformat()


def test_an_officer_must_give_a_reason_and_a_past_date(world: World) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    status, body = post(
        client_for(world.source_officer), f"{URL}/leave", {"member_id": world.member.pk, "on": tomorrow}
    )
    assert status == 422
    assert set(body["fields"]) == {"reason", "on"}
    assert body["fields"]["reason"] == ["请填写原因。"]
    assert Member.objects.get(pk=world.member.pk).is_active


def test_a_read_only_officer_is_refused_and_a_sibling_does_not_find_the_member(world: World) -> None:
    auditor = officer_at(world.source, "acme.auditor", Role.AUDITOR)
    status, body = post(client_for(auditor), f"{URL}/leave", {"member_id": world.member.pk, "reason": "x"})
    assert (status, body["code"]) == (403, "no_authority")
    status, body = post(
        client_for(world.sibling_officer), f"{URL}/leave", {"member_id": world.member.pk, "reason": "x"}
    )
    assert status == 404
    assert Member.objects.get(pk=world.member.pk).is_active


def test_a_member_leaves_with_their_password_and_the_open_transfer_is_cancelled(world: World) -> None:
    # given
    account = make_member(MOBILE)
    transfer = request_transfer(world.member, actor=account, to_org=world.target)
    client = client_for(account)
    # when: a wrong password, then the right one
    status, body = post(client, f"{URL}/leave", {"member_id": world.member.pk, "password": "wrong"})
    assert status == 422
    assert body["fields"]["password"] == ["密码不正确。"]
    assert Member.objects.get(pk=world.member.pk).is_active
    status, body = post(client, f"{URL}/leave", {"member_id": world.member.pk, "password": PASSWORD})
    # then
    assert status == 200, body
    assert body["status"] == "left"
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED


def test_a_member_cannot_record_their_own_death_nor_skip_the_password(world: World) -> None:
    client = client_for(make_member(MOBILE))
    status, body = post(client, f"{URL}/leave", {"member_id": world.member.pk, "status": "deceased"})
    assert status == 422
    assert "password" in body["fields"]
    status, body = post(
        client, f"{URL}/leave", {"member_id": world.member.pk, "status": "deceased", "password": PASSWORD}
    )
    assert status == 403
    assert Member.objects.get(pk=world.member.pk).is_active


def test_wrong_passwords_pause_leaving(world: World) -> None:
    client = client_for(make_member(MOBILE))
    for _ in range(5):
        post(client, f"{URL}/leave", {"member_id": world.member.pk, "password": "wrong"})
    status, body = post(client, f"{URL}/leave", {"member_id": world.member.pk, "password": PASSWORD})
    assert (status, body["code"]) == (409, "too_many_attempts")
    assert Member.objects.get(pk=world.member.pk).is_active


def test_an_ended_membership_cannot_end_again(world: World) -> None:
    client = client_for(world.source_officer)
    post(client, f"{URL}/leave", {"member_id": world.member.pk, "reason": "退休"})
    status, body = post(client, f"{URL}/leave", {"member_id": world.member.pk, "reason": "退休"})
    assert (status, body["code"]) == (409, "membership_ended")


def test_anonymous_callers_are_told_to_sign_in() -> None:
    assert Client().get(URL).status_code == 401
    assert send_json(Client(), "post", f"{URL}/leave", {"member_id": 1}).status_code == 401
