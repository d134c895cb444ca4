"""A delivery rider without a fixed employer joins online from a 390 px wide phone, an officer of
the city federation (second factor) approves in the console, and the new member shows the card."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.core.idnumbers import make_id_number
from gonghui.core.sms import outbox_messages
from gonghui.members.models import GigOccupation, JoinApplication, JoinRoute, JoinStatus, Member
from gonghui.orgs.models import FederationLevel, OrgKind
from gonghui.orgs.tests.factories import add_org, officer_at
from tests.browser.conftest import _new_page, axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "13912345678"
ID_NUMBER = make_id_number("330203", date(1995, 3, 8), 11, "male")
WIDTH = 390


@pytest.fixture
def phone390(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": WIDTH, "height": 844})


def fits_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def enter_one_time_code(page: Any, device: TOTPDevice) -> None:
    code = str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(6)
    page.get_by_label("身份验证器App中的六位验证码").fill(code)
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")


def texted_code() -> str:
    match = re.search(r"\d{6}", outbox_messages(MOBILE)[0])
    assert match is not None
    return match.group()


def test_a_rider_joins_online_an_officer_approves_and_the_member_shows_the_card(
    live_server: Any, phone390: Any, desktop: Any
) -> None:
    city = add_org(None, "C", "示范市总工会", OrgKind.FEDERATION, level=FederationLevel.CITY)
    district = add_org(
        city, "C-1", "明州区总工会", OrgKind.FEDERATION, level=FederationLevel.DISTRICT, district="明州区"
    )
    couriers = add_org(city, "C-H1", "示范市快递物流行业工会", OrgKind.INDUSTRY_UNION)
    JoinRoute.objects.create(district="明州区", org=district)
    JoinRoute.objects.create(district="明州区", occupation=GigOccupation.DELIVERY_RIDER, org=couriers)
    officer = officer_at(city, "city.admin")  # a federation role: two factors
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    phone = phone390

    # 1. From the portal's services, without an account: who I am.
    phone.goto(f"{live_server.url}/services/")
    phone.get_by_role("link", name="入会").first.click()
    phone.get_by_label("姓名").fill("张骑手")
    phone.get_by_label("身份证号").fill(ID_NUMBER)
    phone.get_by_text("出生日期：1995年3月8日").wait_for()  # read from the ID as it is typed
    phone.get_by_label("手机号").fill(MOBILE)
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "join-1-about-you")
    phone.get_by_role("button", name="下一步").click()

    # 2. No fixed employer: the kind of platform work and the district decide the union.
    phone.get_by_label("无固定单位：平台或灵活就业").check()
    assert phone.get_by_label("单位名称或统一社会信用代码").is_hidden()
    phone.get_by_label("平台工作", exact=True).select_option(GigOccupation.DELIVERY_RIDER)
    phone.get_by_label("平台", exact=True).fill("美团")
    phone.get_by_label("所在区县").select_option("明州区")
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "join-2-work")
    phone.get_by_role("button", name="下一步").click()

    # 3. Where it goes, a texted code and a password.
    phone.get_by_text("示范市快递物流行业工会").first.wait_for()
    phone.get_by_role("button", name="获取验证码").click()
    phone.get_by_text("验证码已发送至 139****5678。").wait_for()
    assert phone.get_by_role("button", name=re.compile("重新发送")).is_disabled()
    phone.get_by_label("短信验证码").fill(texted_code())
    phone.get_by_label("设置密码").fill("Rider-2026-ok")
    phone.get_by_label("再次输入密码").fill("Rider-2026-ok")
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "join-3-confirm")
    phone.get_by_role("button", name="提交申请").click()

    phone.get_by_role("heading", name="我的申请").wait_for()
    assert "加入示范市快递物流行业工会的申请" in phone.content()
    fits_the_screen(phone)
    screenshot(phone, "join-4-submitted")
    application = JoinApplication.objects.get()
    assert application.org == couriers

    # 4. The city federation's officer approves it in the console.
    sign_in(desktop, live_server.url, "city.admin", PASSWORD)
    enter_one_time_code(desktop, device)
    desktop.get_by_role("navigation", name="后台导航").get_by_role("link", name="入会申请").click()
    desktop.locator(f'tr[data-row-id="{application.pk}"] a').first.click()
    assert desktop.get_by_role("heading", level=1).inner_text() == "张**的入会申请"
    assert axe_violations(desktop) == []
    screenshot(desktop, "join-5-console-application")
    desktop.get_by_role("button", name="批准").click()
    desktop.get_by_text("已批准：申请人已成为会员，并已收到短信通知。").wait_for()
    screenshot(desktop, "join-6-console-approved")
    member = Member.objects.get()
    assert (member.org, member.is_gig_worker, member.gig_platform) == (couriers, True, "美团")
    assert JoinApplication.objects.get().status == JoinStatus.APPROVED
    assert "申请已通过" in outbox_messages(MOBILE)[0]

    # 5. The member (still signed in on the phone) sees the decision and shows the card.
    phone.goto(f"{live_server.url}/me/join/")
    assert "已批准" in phone.content()
    phone.get_by_role("button", name="出示我的会员卡").click()
    phone.locator('img[src^="data:image/svg+xml"]').first.wait_for()
    assert "示范市快递物流行业工会" in phone.content()
    fits_the_screen(phone)
    screenshot(phone, "join-7-member-card")
    assert phone.console_errors == []
    assert desktop.console_errors == []
