"""Online joining in the member portal: the three steps without an account, what each wrong
input says, the texted code, the transfer offer for an ID already active, the status page,
withdrawal and the limits on the anonymous endpoints."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD, make_member, make_officer
from gonghui.core.idnumbers import make_id_number, parse_id_number
from gonghui.core.sms import outbox_messages
from gonghui.members.models import GigOccupation, JoinApplication, JoinRoute, JoinStatus, Member, Transfer
from gonghui.members.portal_views import join
from gonghui.members.services import registry
from gonghui.members.tests.factories import make_join_application
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.tests.factories import Tree, add_org, make_workplace

pytestmark = pytest.mark.django_db

MOBILE = "13700001111"
ID_NUMBER = make_id_number("330203", date(1995, 3, 8), 11, "male")
PERSON = {"name": "张骑手", "id_number": ID_NUMBER, "mobile": MOBILE}
RIDER_WORK = {
    "employer_kind": "none",
    "gig_occupation": GigOccupation.DELIVERY_RIDER,
    "gig_platform": "美团",
    "home_district": "东区",
    "home_township": "东湖街道",
}
NEW_PASSWORD = "Rider-2026-ok"


@pytest.fixture
def riders(tree: Tree) -> Org:
    union = add_org(tree.east, "E-R", "东区快递外卖行业工会", OrgKind.INDUSTRY_UNION)
    JoinRoute.objects.create(district="东区", occupation=GigOccupation.DELIVERY_RIDER, org=union)
    JoinRoute.objects.create(district="东区", township="东湖街道", org=tree.joint)
    return union


def page(response: Any) -> str:
    return response.content.decode()


def through_step_two(client: Client, work: dict[str, str] | None = None) -> None:
    response = client.post("/join/", PERSON)
    assert response.status_code == 302
    assert response["Location"] == "/join/employer/"
    response = client.post("/join/employer/", work or RIDER_WORK)
    assert response.status_code == 302, page(response)
    assert response["Location"] == "/join/confirm/"


def texted_code(mobile: str = MOBILE) -> str:
    match = re.search(r"\d{6}", outbox_messages(mobile)[0])
    assert match is not None
    return match.group()


def submit(client: Client) -> Any:
    assert client.post("/join/code/").status_code == 302
    return client.post(
        "/join/confirm/", {"code": texted_code(), "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )


# --- the happy path -----------------------------------------------------------------------------


def test_a_rider_joins_without_an_account_and_lands_signed_in_on_the_status_page(
    client: Client, riders: Org
) -> None:
    start = client.get("/join/")
    assert start.status_code == 200
    assert "无论单位是否建立工会，职工都可以申请入会" in page(start)

    through_step_two(client)
    confirm = client.get("/join/confirm/")
    assert "东区快递外卖行业工会" in page(confirm)
    assert "137****1111" in page(confirm)
    assert MOBILE not in page(confirm)
    assert ID_NUMBER not in page(confirm)

    response = submit(client)

    assert response.status_code == 302
    assert response["Location"] == "/me/join/"
    application = JoinApplication.objects.get()
    assert (application.org, application.status, application.mobile) == (riders, JoinStatus.SUBMITTED, MOBILE)
    user = User.objects.get(username=MOBILE)
    assert application.applicant == user
    assert user.check_password(NEW_PASSWORD)
    status = client.get("/me/join/")
    assert "加入东区快递外卖行业工会的申请" in page(status)
    assert "待审核" in page(status)
    assert "您的入会申请已提交。审批结果将以短信通知您。" in page(status)
    # What was typed is no longer kept in the session.
    assert join.SESSION_KEY not in client.session


def test_the_id_and_mobile_numbers_are_kept_encrypted_in_the_session(client: Client) -> None:
    client.post("/join/", PERSON)
    stored = client.session[join.SESSION_KEY]
    assert stored["name"] == "张骑手"
    assert ID_NUMBER not in str(stored)
    assert MOBILE not in str(stored)


def test_a_signed_in_member_confirms_without_a_code(client: Client, riders: Org) -> None:
    member = make_member(MOBILE)
    client.force_login(member)
    assert client.post("/join/", {"name": "张骑手", "id_number": ID_NUMBER}).status_code == 302
    client.post("/join/employer/", RIDER_WORK)
    response = client.post("/join/confirm/", {})
    assert response.status_code == 302
    assert JoinApplication.objects.get().applicant == member


def test_an_employer_is_found_by_name_or_credit_code_and_chosen(client: Client, tree: Tree) -> None:
    workplace = make_workplace(tree.town, tree.acme, name="东区甲精工有限公司")
    by_name = client.get("/join/employers/", {"q": "甲精工"})
    by_code = client.get("/join/employers/", {"q": workplace.credit_code.lower()})
    assert f'value="{workplace.pk}"' in page(by_name)
    assert f'value="{workplace.pk}"' in page(by_code)
    assert "请至少输入两个字" in page(client.get("/join/employers/", {"q": "甲"}))
    assert "未找到单位" in page(client.get("/join/employers/", {"q": "不存在的单位"}))

    client.post("/join/", PERSON)
    client.post("/join/employer/", {"employer_kind": "listed", "workplace": workplace.pk})
    assert "东区甲公司工会" in page(client.get("/join/confirm/"))


# --- what each wrong input says -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "请填写与身份证一致的姓名。"),
        ({"id_number": ""}, "请填写身份证号。"),
        (
            {"id_number": ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")},
            "身份证号校验位不符，请逐位核对。",
        ),
        (
            {
                "id_number": make_id_number(
                    "330203", timezone.localdate() - timedelta(days=365 * 15), 11, "male"
                )
            },
            "年满 16 周岁的职工才能入会。",
        ),
        ({"mobile": ""}, "请填写手机号。"),
        ({"mobile": "12345"}, "手机号码应为11位数字。"),
    ],
)
def test_step_one_names_each_problem_in_chinese(
    client: Client, changes: dict[str, str], message: str
) -> None:
    response = client.post("/join/", {**PERSON, **changes})
    assert response.status_code == 200
    assert message in page(response)
    assert join.SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("work", "message"),
    [
        ({}, "请选择您的工作情况。"),
        ({"employer_kind": "listed"}, "请搜索您的单位并从结果中选择。"),
        ({"employer_kind": "listed", "workplace": "999999"}, "请搜索您的单位并从结果中选择。"),
        ({"employer_kind": "unlisted", "home_district": "东区"}, "请填写单位名称。"),
        ({**RIDER_WORK, "gig_occupation": ""}, "请选择您从事的平台工作类型。"),
        ({**RIDER_WORK, "home_district": ""}, "请选择您居住或工作的区县。"),
        ({**RIDER_WORK, "home_district": "火星区"}, "选择一个有效的选项"),
        ({**RIDER_WORK, "home_township": "别的街道"}, "选择一个有效的选项"),
    ],
)
def test_step_two_names_each_problem_in_chinese(
    client: Client, riders: Org, work: dict[str, str], message: str
) -> None:
    client.post("/join/", PERSON)
    response = client.post("/join/employer/", work)
    assert response.status_code == 200
    assert message in page(response)


def test_without_a_route_step_two_says_whom_to_call(client: Client, tree: Tree) -> None:
    JoinRoute.objects.create(district="西区", org=tree.gamma)  # a district to choose, not ours
    JoinRoute.objects.create(district="东区", township="东湖街道", org=tree.joint, is_active=False)
    client.post("/join/", PERSON)
    response = client.post("/join/employer/", {**RIDER_WORK, "home_district": "西区", "home_township": ""})
    assert response.status_code == 302  # 西区 has a route
    Org.objects.filter(pk=tree.gamma.pk).update(status="dissolved")
    response = client.post("/join/employer/", {**RIDER_WORK, "home_district": "西区", "home_township": ""})
    assert response.status_code == 200
    assert "西区暂无受理网上入会的工会" in page(response)
    assert "12351" in page(response)


def test_choosing_a_district_offers_its_townships(client: Client, riders: Org) -> None:
    JoinRoute.objects.create(district="西区", township="西湖街道", org=riders)
    east = page(client.get("/join/townships/", {"home_district": "东区"}))
    assert '<option value="东湖街道">' in east
    assert "西湖街道" not in east
    assert "不确定，或其他" in east
    unknown = page(client.get("/join/townships/", {"home_district": "火星区"}))
    assert "东湖街道" not in unknown
    assert "西湖街道" not in unknown


def test_the_later_steps_send_a_newcomer_back_to_the_start(client: Client) -> None:
    assert client.get("/join/employer/")["Location"] == "/join/"
    assert client.get("/join/confirm/")["Location"] == "/join/"


def test_a_wrong_code_or_different_passwords_are_refused_and_nothing_is_opened(
    client: Client, riders: Org
) -> None:
    through_step_two(client)
    client.post("/join/code/")
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(
        "/join/confirm/", {"code": wrong, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert "验证码不正确。" in page(response)
    response = client.post("/join/confirm/", {"code": code, "password": NEW_PASSWORD, "password_again": "x"})
    assert "两次输入的密码不一致。" in page(response)
    response = client.post("/join/confirm/", {"code": "12ab56", "password": NEW_PASSWORD})
    assert "验证码为六位数字。" in page(response)
    assert not User.objects.filter(username=MOBILE).exists()
    assert not JoinApplication.objects.exists()


def test_a_code_is_sent_once_a_minute(client: Client, riders: Org) -> None:
    through_step_two(client)
    client.post("/join/code/")
    again = client.post("/join/code/", HTTP_HX_REQUEST="true")
    assert "验证码刚刚已发送，请" in page(again)
    assert len(outbox_messages(MOBILE)) == 1


def test_an_existing_account_is_asked_to_sign_in_and_comes_back(client: Client, riders: Org) -> None:
    make_member(MOBILE)
    through_step_two(client)
    response = submit(client)
    assert response.status_code == 200
    assert "该手机号已注册账号。请登录" in page(response)
    assert "/accounts/login/?next=%2Fjoin%2Fconfirm%2F" in page(response)
    assert not JoinApplication.objects.exists()


def test_a_second_application_for_the_same_id_is_refused_with_a_link_to_the_first(
    client: Client, riders: Org
) -> None:
    make_join_application(riders, id_number=ID_NUMBER, mobile="13700009999")
    through_step_two(client)
    response = submit(client)
    assert "该身份证号已有一份待审批的入会申请" in page(response)
    assert JoinApplication.objects.count() == 1


# --- an ID active elsewhere: the transfer offer ----------------------------------------------


def test_an_id_active_elsewhere_is_offered_a_transfer_to_the_union_it_applied_to(
    client: Client, riders: Org, tree: Tree
) -> None:
    Member.objects.create(
        **registry.member_values(
            registry.NewMember(
                name="张骑手", id_number=parse_id_number(ID_NUMBER), org=tree.gamma, mobile=MOBILE
            )
        )
    )
    through_step_two(client)
    response = submit(client)

    text = page(response)
    assert "该身份证号已是西区丙公司工会的在册会员" in text
    assert "您可以申请将会籍转入东区快递外卖行业工会" in text
    assert not JoinApplication.objects.exists()

    response = client.post("/join/transfer/")
    assert response.status_code == 302
    assert response["Location"] == "/me/join/"
    transfer = Transfer.objects.get()
    assert transfer.to_org == riders
    assert "已申请将会籍转入东区快递外卖行业工会" in page(client.get("/me/join/"))


def test_asking_for_a_transfer_with_nothing_to_transfer_is_refused(client: Client, riders: Org) -> None:
    client.force_login(make_member(MOBILE))
    response = client.post("/join/transfer/", follow=True)
    assert "没有可转接的会籍" in page(response)
    assert not Transfer.objects.exists()


# --- after submitting ---------------------------------------------------------------------------


def test_the_applicant_sees_the_decision_and_may_withdraw_while_it_waits(client: Client, riders: Org) -> None:
    member = make_member(MOBILE)
    waiting = make_join_application(riders, applicant=member)
    rejected = make_join_application(
        riders, applicant=member, status=JoinStatus.REJECTED, reject_reason="不在本区工作"
    )
    client.force_login(member)

    status = page(client.get("/me/join/"))
    assert "不在本区工作" in status
    assert "已驳回" in status
    assert "撤回申请" in status

    response = client.post(f"/me/join/{waiting.pk}/withdraw/", follow=True)
    assert "您的入会申请已撤回。" in page(response)
    waiting.refresh_from_db()
    assert waiting.status == JoinStatus.WITHDRAWN
    # Someone else's application, or a decided one: nothing happens.
    client.post(f"/me/join/{rejected.pk}/withdraw/", follow=True)
    rejected.refresh_from_db()
    assert rejected.status == JoinStatus.REJECTED
    other = make_join_application(riders, applicant=make_member("13700002222"))
    response = client.post(f"/me/join/{other.pk}/withdraw/", follow=True)
    assert "没有这份申请。" in page(response)
    other.refresh_from_db()
    assert other.status == JoinStatus.SUBMITTED


def test_the_status_page_needs_a_sign_in(client: Client) -> None:
    assert "/accounts/login/" in client.get("/me/join/")["Location"]


def test_an_officer_is_told_to_sign_out_first(client: Client, riders: Org) -> None:
    client.force_login(make_officer("zhang.san"))
    response = client.post("/join/", PERSON)
    assert response.status_code == 200
    assert "您当前登录的是工作人员账号" in page(response)
    assert client.get("/join/confirm/")["Location"] == "/join/"


# --- the anonymous endpoints are limited per address ------------------------------------------


def test_employer_search_is_limited_per_address(client: Client, tree: Tree) -> None:
    most, _seconds = join.SEARCH_LIMIT
    for _ in range(most):
        assert "请求过于频繁" not in page(client.get("/join/employers/", {"q": "东区"}))
    assert "请求过于频繁，请稍后再试。" in page(client.get("/join/employers/", {"q": "东区"}))
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert "请求过于频繁" not in page(other.get("/join/employers/", {"q": "东区"}))


def test_the_id_check_reads_the_birth_date_and_sex(client: Client) -> None:
    facts = page(client.post("/join/id-check/", {"id_number": ID_NUMBER}))
    assert "1995年3月8日" in facts
    assert "男" in facts
    wrong = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    assert "身份证号校验位不符" in page(client.post("/join/id-check/", {"id_number": wrong}))


def test_texting_codes_is_limited_per_address(client: Client, riders: Org) -> None:
    most, _seconds = join.CODE_LIMIT
    client.post("/join/", PERSON)
    for _ in range(most):
        client.post("/join/code/", HTTP_HX_REQUEST="true")
    response = client.post("/join/code/", HTTP_HX_REQUEST="true")
    assert "请求过于频繁，请稍后再试。" in page(response)


def test_password_is_not_echoed(client: Client, riders: Org) -> None:
    through_step_two(client)
    response = client.post("/join/confirm/", {"code": "123456", "password": PASSWORD, "password_again": "x"})
    assert PASSWORD not in page(response)
