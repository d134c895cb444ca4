"""On a 390 px phone a member opens 福利, claims a cinema voucher and finds it in 我的券 with its
QR code; the cinema's till account signs in, types the code, sees what to hand over and
confirms; a second till that looked the same code up a moment earlier is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gonghui.benefits.models import Voucher, VoucherStatus
from gonghui.benefits.tests.factories import (
    make_campaign,
    make_member_with_account,
    make_merchant,
    make_merchant_account,
)
from gonghui.orgs.models import FederationLevel, OrgKind
from gonghui.orgs.tests.factories import add_org
from tests.browser.conftest import _new_page, axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390
MOBILE = "13912340001"


@pytest.fixture
def phone390(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": WIDTH, "height": 844})


@pytest.fixture
def second_till(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": WIDTH, "height": 844})


@pytest.fixture
def till(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": WIDTH, "height": 844})


def fits_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_a_member_claims_a_voucher_and_a_merchant_redeems_it_once(
    live_server: Any, phone390: Any, till: Any, second_till: Any
) -> None:
    city = add_org(None, "C", "示范市总工会", OrgKind.FEDERATION, level=FederationLevel.CITY)
    district = add_org(city, "C-1", "明州区总工会", OrgKind.FEDERATION, level=FederationLevel.DISTRICT)
    union = add_org(district, "C-1-A", "明州区甲公司工会")
    cinema = make_merchant(district, name="甬城影院")
    make_campaign(
        district,
        title="周五福利：1 元观影",
        stock=100,
        merchants=[cinema],
        description="每周五上午十点开抢，凭券到甬城影院观影。",
    )
    make_member_with_account(union, mobile=MOBILE)
    make_merchant_account(cinema, username="till.cinema")
    phone = phone390

    # 1. The member signs in and opens 福利 from the bottom navigation.
    sign_in(phone, live_server.url, MOBILE, "Member-pass-2026")
    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="福利").click()
    phone.get_by_text("周五福利：1 元观影").wait_for()
    phone.get_by_text("进行中").first.wait_for()
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "benefits-1-list")

    # 2. The campaign: what it gives, to whom, and the button.
    phone.get_by_role("link", name="周五福利：1 元观影").click()
    phone.get_by_text("甬城影院").first.wait_for()
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "benefits-2-campaign")
    phone.get_by_role("button", name="立即领取").click()
    phone.wait_for_load_state("networkidle")

    # 3. The voucher with its code in groups of four and its QR code (read once the page says
    # the claim succeeded: on a busy machine the row may not be committed at "networkidle").
    phone.get_by_text("领取成功").wait_for()
    voucher = Voucher.objects.get()
    assert phone.get_by_role("img", name="电子券二维码").is_visible()
    for group in voucher.display_code.split():
        phone.get_by_text(group, exact=True).wait_for()
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "benefits-3-voucher")

    # 4. It is in 我的券 under 可使用.
    phone.get_by_role("link", name="我的券").click()
    phone.get_by_text("电影票").wait_for()
    assert phone.get_by_role("link", name="可使用").get_attribute("aria-current") == "page"
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "benefits-4-my-vouchers")

    # 5. The cinema's till signs in and lands on the till; the cashier types the code.
    sign_in(till, live_server.url, "till.cinema", "Till-pass-2026")
    assert till.url.endswith("/benefits/desk/")
    till.get_by_label("券码").fill(voucher.display_code.lower())
    till.get_by_label("券码").press("Enter")
    till.get_by_text("确认核销").wait_for()
    assert till.get_by_text("电影票").first.is_visible()
    fits_the_screen(till)
    assert axe_violations(till) == []
    screenshot(till, "benefits-5-till-lookup")

    # A second till looks the same code up at the same moment.
    sign_in(second_till, live_server.url, "till.cinema", "Till-pass-2026")
    second_till.get_by_label("券码").fill(voucher.code)
    second_till.get_by_role("button", name="查询").click()
    second_till.get_by_role("button", name="确认核销").wait_for()

    # 6. The first till confirms: hand over the ticket.
    till.get_by_role("button", name="确认核销").click()
    till.get_by_text("核销成功，请发放：").wait_for()
    assert Voucher.objects.get().status == VoucherStatus.REDEEMED
    fits_the_screen(till)
    screenshot(till, "benefits-6-till-redeemed")

    # 7. The second till's confirmation is refused: nothing is handed over twice.
    second_till.get_by_role("button", name="确认核销").click()
    second_till.get_by_text("请勿重复发放").wait_for()
    assert "甬城影院" in second_till.get_by_role("alert").first.inner_text()
    fits_the_screen(second_till)
    screenshot(second_till, "benefits-7-second-redemption-refused")

    # The member's voucher is now under 已使用.
    phone.goto(f"{live_server.url}/benefits/vouchers/?state=used")
    phone.get_by_text("电影票").wait_for()
    screenshot(phone, "benefits-8-used")
    for page in (phone, till, second_till):
        assert page.console_errors == []
