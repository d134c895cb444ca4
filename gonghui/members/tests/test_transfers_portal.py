"""Portal pages of a member's own transfer and leaving: find the union to move to (by its name
or code, or by the new workplace's name or credit code), ask, follow and cancel; leave with the
password. Every page is in Chinese and none answers 500, whatever is typed into its address.

The world is test_transfers.build_world: the member 张伟明 belongs to acme; beta is where they
move to. The member signs in with the mobile number the union registered (MOBILE).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD, make_member
from gonghui.members.models import Member, MemberStatus, Transfer, TransferStatus
from gonghui.members.services.transfers import reject_transfer, request_transfer
from gonghui.members.tests.test_transfers import MOBILE, World, build_world
from gonghui.orgs.tests.factories import client_for, make_workplace

pytestmark = pytest.mark.django_db
HOME = "/me/transfer/"
NEW = "/me/transfer/new/"
LEAVE = "/me/leave/"


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def account(world: World) -> User:
    return make_member(MOBILE)


@pytest.fixture
def client(account: User) -> Client:
    return client_for(account)


def text(response) -> str:
    return response.content.decode()


def choose_links(response) -> list[str]:
    return re.findall(r'href="/me/transfer/new/\?([a-z]+=\d+)"', text(response))


# --- finding the union ---------------------------------------------------------------------------


def test_the_page_shows_the_current_union_and_the_search(client: Client, world: World) -> None:
    page = text(client.get(HOME))
    assert "转到其他工会" in page
    assert "东区甲公司工会" in page
    assert 'name="q"' in page


def test_a_union_is_found_by_name_or_code(client: Client, world: World) -> None:
    assert choose_links(client.get(HOME, {"q": "乙公司"})) == [f"union={world.target.pk}"]
    assert choose_links(client.get(HOME, {"q": "ｅ－ｂ"})) == [f"union={world.target.pk}"]  # full-width
    # federations hold no members, so they are not offered
    assert choose_links(client.get(HOME, {"q": "东区总工会"})) == []


def test_a_workplace_is_found_by_name_or_credit_code_with_its_union(client: Client, world: World) -> None:
    place = make_workplace(world.tree.east, world.target, name="东区新材料有限公司")
    for query in ("新材料", place.credit_code):
        response = client.get(HOME, {"q": query})
        assert choose_links(response) == [f"workplace={place.pk}"]
        assert "东区新材料有限公司 · 东区乙公司工会" in text(response)


def test_a_workplace_without_a_union_says_so(client: Client, world: World) -> None:
    make_workplace(world.tree.west, None, name="西区无工会公司")
    response = client.get(HOME, {"q": "无工会"})
    assert choose_links(response) == []
    assert "该单位尚无工会覆盖" in text(response)


def test_short_and_fruitless_searches_are_explained(client: Client) -> None:
    assert "请至少输入两个字。" in text(client.get(HOME, {"q": "乙"}))
    assert "没有找到。" in text(client.get(HOME, {"q": "不存在的工会"}))


# --- asking, following, cancelling ---------------------------------------------------------------


def test_the_member_asks_for_a_transfer_to_the_chosen_workplace(
    client: Client, account: User, world: World, django_capture_on_commit_callbacks
) -> None:
    # given
    place = make_workplace(world.tree.east, world.target, name="东区新材料有限公司")
    confirm = client.get(NEW, {"workplace": place.pk})
    assert "东区乙公司工会" in text(confirm)
    assert "东区新材料有限公司" in text(confirm)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{NEW}?workplace={place.pk}", {"reason": "换了工作"})
    # then
    assert response.status_code == 302
    assert response["Location"] == HOME
    transfer = Transfer.objects.get()
    assert (transfer.to_org, transfer.to_workplace, transfer.reason) == (world.target, place, "换了工作")
    assert transfer.requested_by == account
    page = text(client.get(HOME))
    assert "您的转会申请" in page
    assert "待转入工会审核" in page
    assert 'name="q"' not in page  # no second request while one is open
    assert "撤销申请" in page


def test_the_member_cancels_the_request(client: Client, world: World) -> None:
    client.post(f"{NEW}?union={world.target.pk}", {})
    transfer = Transfer.objects.get()
    response = client.post(f"/me/transfer/{transfer.pk}/cancel/", follow=True)
    assert "您的转会申请已撤销。" in text(response)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED
    assert "以往申请" in text(response)
    assert 'name="q"' in text(response)


def test_a_rejection_and_its_reason_are_shown(client: Client, account: User, world: World) -> None:
    transfer = request_transfer(world.member, actor=account, to_org=world.target)
    reject_transfer(transfer, actor=world.target_officer, reason="不在本单位工作")
    page = text(client.get(HOME))
    assert "已驳回" in page
    assert "不在本单位工作" in page


def test_another_persons_transfer_cannot_be_cancelled(client: Client, world: World) -> None:
    other = Member.objects.get(pk=world.member.pk)
    transfer = request_transfer(other, actor=world.source_officer, to_org=world.target)
    stranger = client_for(make_member("13700000066"))
    response = stranger.post(f"/me/transfer/{transfer.pk}/cancel/", follow=True)
    assert "没有这条转会记录。" in text(response)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED


@pytest.mark.parametrize(
    "query",
    ["", "?union=abc", "?union=0", "?union=99999999", "?workplace=-1", "?union=99999999999999999999999"],
)
def test_a_target_that_is_not_a_search_result_sends_back_to_the_search(client: Client, query: str) -> None:
    response = client.get(f"{NEW}{query}", follow=True)
    assert response.status_code == 200
    assert "请搜索要转入的工会或新单位，并从结果中选择。" in text(response)
    assert not Transfer.objects.exists()


def test_the_own_union_and_a_second_request_are_refused_on_the_form(client: Client, world: World) -> None:
    response = client.post(f"{NEW}?union={world.source.pk}", {})
    assert response.status_code == 422
    assert "该会员已经是东区甲公司工会的会员。" in text(response)
    request_transfer(world.member, actor=world.source_officer, to_org=world.tree.joint)
    response = client.post(f"{NEW}?union={world.target.pk}", {})
    assert response.status_code == 422
    assert "已有一条转会申请在等待审核" in text(response)
    assert Transfer.objects.count() == 1


def test_an_account_without_a_membership_is_told_so(world: World) -> None:
    client = client_for(make_member("13700000088"))
    for url in (HOME, NEW, LEAVE):
        response = client.get(url)
        assert response.status_code == 200
        assert "您目前没有有效的工会会籍" in text(response)


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    for url in (HOME, NEW, LEAVE):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# --- leaving --------------------------------------------------------------------------------------


def test_leaving_needs_the_password(client: Client, world: World) -> None:
    page = text(client.get(LEAVE))
    assert "会员有退会的自由" in page
    assert 'type="password"' in page
    response = client.post(LEAVE, {"password": ""})
    assert response.status_code == 422
    assert "请输入登录密码确认。" in text(response)
    response = client.post(LEAVE, {"password": "wrong"})
    assert response.status_code == 422
    assert "密码不正确。" in text(response)
    assert Member.objects.get(pk=world.member.pk).is_active


def test_the_member_leaves_and_the_open_transfer_is_cancelled(
    client: Client, account: User, world: World
) -> None:
    transfer = request_transfer(world.member, actor=account, to_org=world.target)
    assert "您转入东区乙公司工会的转会申请将被撤销。" in text(client.get(LEAVE))
    response = client.post(LEAVE, {"password": PASSWORD, "reason": "个人原因"}, follow=True)
    assert "您已退出东区甲公司工会" in text(response)
    member = Member.objects.get(pk=world.member.pk)
    assert (member.status, member.end_reason) == (MemberStatus.LEFT, "个人原因")
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED


def test_the_me_page_links_to_transfer_and_leaving(client: Client) -> None:
    page = text(client.get("/me/"))
    assert f'href="{HOME}"' in page
    assert f'href="{LEAVE}"' in page


def test_an_officer_does_not_see_the_transfers_they_asked_for_others_as_their_own(world: World) -> None:
    request_transfer(world.member, actor=world.source_officer, to_org=world.target)
    response = client_for(world.source_officer).get(HOME)
    assert response.status_code == 200
    assert "您目前没有有效的工会会籍" in text(response)
    assert "data-transfer-id" not in text(response)
