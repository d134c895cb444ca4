"""Console pages of transfers and leaving: the list by direction, one transfer and its next
step, starting a transfer (of a member, or into one's union by ID number) and recording a
leaving. Every refusal shows a Chinese message and changes nothing; nothing answers 500.

The world is test_transfers.build_world: the member belongs to acme ("source"), transfers go
to beta ("target"); gamma's officer is in a sibling district.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.tests.factories import make_member
from gonghui.members.models import Member, MemberStatus, Transfer, TransferStatus
from gonghui.members.services.transfers import cancel_transfer, request_transfer
from gonghui.members.tests.factories import member_row, next_id_number
from gonghui.members.tests.test_transfers import World, active_rows, build_world
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, credit_code, make_workplace, officer_at

pytestmark = pytest.mark.django_db
LIST = "/console/members/transfers/"


@pytest.fixture
def world() -> World:
    return build_world()


def ask(world: World, member: Member | None = None) -> Transfer:
    return request_transfer(member or world.member, actor=world.source_officer, to_org=world.target)


def text(response) -> str:
    return response.content.decode()


def row_ids(response) -> set[str]:
    return set(re.findall(r'data-row-id="(\d+)"', text(response)))


# --- the list ------------------------------------------------------------------------------------


def test_the_target_sees_the_transfer_as_incoming_and_the_source_as_outgoing(world: World) -> None:
    # given
    transfer = ask(world)
    target, source = client_for(world.target_officer), client_for(world.source_officer)
    # then
    assert row_ids(target.get(LIST)) == {str(transfer.pk)}  # incoming is the default tab
    assert row_ids(target.get(LIST, {"tab": "outgoing"})) == set()
    assert row_ids(source.get(LIST)) == set()
    assert row_ids(source.get(LIST, {"tab": "outgoing"})) == {str(transfer.pk)}
    assert row_ids(source.get(LIST, {"tab": "all"})) == {str(transfer.pk)}
    assert row_ids(client_for(world.sibling_officer).get(LIST, {"tab": "all"})) == set()
    page = text(target.get(LIST))
    assert "转会" in page
    assert "张**" in page
    assert "张伟明" not in page


def test_the_status_filter_and_unknown_values(world: World) -> None:
    transfer = ask(world)
    client = client_for(world.target_officer)
    assert row_ids(client.get(LIST, {"status": "requested"})) == {str(transfer.pk)}
    assert row_ids(client.get(LIST, {"status": "approved"})) == set()
    # an unknown status or tab is ignored rather than an error
    assert client.get(LIST, {"status": "nonsense", "tab": "sideways"}).status_code == 200
    assert "没有符合条件的转会。" in text(client.get(LIST, {"status": "cancelled"}))


def test_the_list_needs_the_same_few_queries_for_one_row_or_fifty(
    world: World, django_assert_max_num_queries
) -> None:
    # given: 50 transfers into beta
    client = client_for(world.target_officer)
    ask(world)
    client.get(LIST)  # warm the session and grant caches
    with django_assert_max_num_queries(14) as one:
        client.get(LIST)
    others = Member.objects.bulk_create(member_row(world.source) for _ in range(49))
    for member in others:
        ask(world, member)
    # when
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(LIST)
    # then
    assert len(row_ids(response)) == 50


def test_an_htmx_request_gets_only_the_table(world: World) -> None:
    ask(world)
    response = client_for(world.target_officer).get(LIST, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="transfer-table"' in text(response)
    assert "<html" not in text(response)


def test_a_member_account_may_not_open_the_console(world: World) -> None:
    assert client_for(make_member("13700000055")).get(LIST).status_code == 403
    assert Client().get(LIST).status_code == 302


# --- one transfer and its next step ------------------------------------------------------------


def test_the_target_sees_accept_and_reject_and_the_source_only_cancel(world: World) -> None:
    transfer = ask(world)
    url = f"{LIST}{transfer.pk}/"
    target = text(client_for(world.target_officer).get(url))
    assert "同意转入" in target
    assert "驳回" in target
    assert 'value="cancel"' not in target
    source = text(client_for(world.source_officer).get(url))
    assert 'value="cancel"' in source
    assert 'value="approve"' not in source
    viewer = text(client_for(world.viewer_at_target).get(url))
    assert "等待东区乙公司工会审核" in viewer
    assert client_for(world.sibling_officer).get(url).status_code == 404


def test_accepting_moves_the_membership(world: World) -> None:
    transfer = ask(world)
    client = client_for(world.target_officer)
    response = client.post(f"{LIST}{transfer.pk}/step/", {"action": "approve", "comment": "欢迎"})
    assert response.status_code == 302
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.APPROVED
    [active] = active_rows(world.member)
    assert active.org == world.target
    page = text(client.get(response["Location"]))
    assert "已办理" in page
    assert "这次转会已办结。" in page


def test_a_rejection_without_a_reason_shows_the_message_next_to_the_field(world: World) -> None:
    transfer = ask(world)
    response = client_for(world.target_officer).post(f"{LIST}{transfer.pk}/step/", {"action": "reject"})
    assert response.status_code == 422
    assert "请填写驳回理由。" in text(response)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED


def test_a_step_on_a_closed_transfer_is_explained(world: World) -> None:
    transfer = ask(world)
    cancel_transfer(transfer, actor=world.source_officer)
    client = client_for(world.target_officer)
    response = client.post(f"{LIST}{transfer.pk}/step/", {"action": "approve"}, follow=True)
    assert response.status_code == 200
    assert "当前状态为“已撤销”，不能执行“同意转入”。" in text(response)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED
    assert active_rows(world.member) == [world.member]


def test_a_step_without_authority_is_refused_with_a_message(world: World) -> None:
    transfer = ask(world)
    response = client_for(world.source_officer).post(
        f"{LIST}{transfer.pk}/step/", {"action": "approve"}, follow=True
    )
    assert "只有转入工会东区乙公司工会或其上级组织的工作人员可以审核。" in text(response)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED


def test_an_unknown_action_is_a_form_error(world: World) -> None:
    transfer = ask(world)
    response = client_for(world.target_officer).post(f"{LIST}{transfer.pk}/step/", {"action": "delete"})
    assert response.status_code == 422
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED


# --- starting a transfer ---------------------------------------------------------------------------


def test_an_officer_transfers_a_member_by_the_target_code(world: World) -> None:
    place = make_workplace(world.tree.east, world.target)
    client = client_for(world.source_officer)
    url = f"/console/members/{world.member.pk}/transfer/"
    assert "转入工会代码" in text(client.get(url))
    response = client.post(url, {"to_org": "e-b", "to_workplace": place.credit_code, "reason": "调动"})
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{transfer.pk}/"
    assert (transfer.to_org, transfer.to_workplace, transfer.reason) == (world.target, place, "调动")
    # with a transfer open, the page says so instead of offering the form again
    page = text(client.get(url))
    assert "正在等待审核" in page
    assert 'name="to_org"' not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to_org": "NOPE"}, "没有这个代码的组织。"),
        ({"to_org": "E-T-A"}, "该会员已经是东区甲公司工会的会员。"),
        ({"to_org": "E-B", "to_workplace": "123"}, "统一社会信用代码应为18位。"),
        ({"to_org": "E-B", "to_workplace": credit_code(77)}, "单位库中没有这个统一社会信用代码的单位。"),
        ({"to_org": ""}, "此项为必填项。"),
    ],
)
def test_bad_targets_are_explained_and_nothing_is_created(
    world: World, data: dict[str, str], message: str
) -> None:
    response = client_for(world.source_officer).post(f"/console/members/{world.member.pk}/transfer/", data)
    assert response.status_code == 422
    assert "请更正以下错误。" in text(response)
    assert message in text(response)
    assert not Transfer.objects.exists()


def test_a_sibling_officer_does_not_find_the_member(world: World) -> None:
    response = client_for(world.sibling_officer).post(
        f"/console/members/{world.member.pk}/transfer/", {"to_org": "W-G"}
    )
    assert response.status_code == 404
    assert not Transfer.objects.exists()


def test_the_target_asks_for_a_member_of_another_union_by_id_number(world: World) -> None:
    client = client_for(world.target_officer)
    url = f"{LIST}new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"id_number": next_id_number(), "to_org": "E-B"})
    assert response.status_code == 422
    assert "没有使用这个身份证号的在籍会员" in text(response)
    response = client.post(url, {"id_number": world.member.id_number, "to_org": "W-G"})
    assert "只能申请转入您管理的工会。" in text(response)
    response = client.post(url, {"id_number": world.member.id_number.lower(), "to_org": "E-B"})
    assert response.status_code == 302
    assert Transfer.objects.get().requested_by == world.target_officer


# --- recording a leaving ----------------------------------------------------------------------------


def test_an_officer_records_a_leaving(world: World) -> None:
    client = client_for(world.source_officer)
    url = f"/console/members/{world.member.pk}/leave/"
    assert "会员有退会的自由" in text(client.get(url))
    when = timezone.localdate() - timedelta(days=2)
    response = client.post(url, {"status": "left", "on": when.isoformat(), "reason": "本人书面申请"})
    assert response.status_code == 302
    assert response["Location"] == f"/console/members/{world.member.pk}/"
    member = Member.objects.get(pk=world.member.pk)
    assert (member.status, member.ended_on, member.end_reason) == (MemberStatus.LEFT, when, "本人书面申请")
    assert "该会籍已终止。" in text(client.get(url))


def test_a_leaving_with_a_future_date_or_no_reason_is_explained(world: World) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(world.source_officer).post(
        f"/console/members/{world.member.pk}/leave/",
        {"status": "left", "on": tomorrow.isoformat(), "reason": ""},
    )
    assert response.status_code == 422
    assert Member.objects.get(pk=world.member.pk).is_active
    response = client_for(world.source_officer).post(
        f"/console/members/{world.member.pk}/leave/",
        {"status": "left", "on": tomorrow.isoformat(), "reason": "x"},
    )
    assert response.status_code == 422
    assert "日期不能晚于今天。" in text(response)
    assert Member.objects.get(pk=world.member.pk).is_active


def test_a_read_only_officer_sees_why_they_cannot_record_it(world: World) -> None:
    auditor = officer_at(world.source, "acme.auditor", Role.AUDITOR)
    client = client_for(auditor)
    url = f"/console/members/{world.member.pk}/leave/"
    assert "只有可以管理本工会会员的工作人员才能登记。" in text(client.get(url))
    response = client.post(url, {"status": "left", "on": timezone.localdate().isoformat(), "reason": "x"})
    assert response.status_code == 422
    assert "只有可以管理本工会会员的工作人员才能登记。" in text(response)
    assert Member.objects.get(pk=world.member.pk).is_active
