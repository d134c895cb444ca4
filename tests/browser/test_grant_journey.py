"""In the browser: a union officer proposes a grant from a household's hardship file, the
federation's finance officer approves it (the fund's ledger shows the payment and the balance
after it), and the member finds it on their phone under 我获得的帮扶. Each page is checked with
axe and photographed for review (artifacts/)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.assistance.models import Fund, Grant, GrantStatus
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_funds import (
    assert_ledger_consistent,
    handler_at,
    keeper_at,
    make_file_on_record,
)
from gonghui.benefits.tests.factories import make_member_with_account
from gonghui.orgs.tests.factories import make_tree
from tests.browser.conftest import _new_page, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
MEMBER_PASSWORD = "Member-pass-2026"


@pytest.fixture
def phone390(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": WIDTH, "height": 844})


def enter_one_time_code(page: Any, device: TOTPDevice) -> None:
    code = str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(6)
    page.get_by_label("身份验证器App中的六位验证码").fill(code)
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")


def test_a_grant_from_proposal_to_the_members_phone(
    live_server: Any,
    desktop: Any,
    phone390: Any,
    browser: Any,
) -> None:
    tree = make_tree()
    fund = fund_with(tree.east, "20000.00", name="东区困难职工帮扶基金")
    member, member_user = make_member_with_account(tree.acme)
    file = make_file_on_record(member)
    handler_at(tree.acme, "acme.officer")
    keeper = keeper_at(tree.east, "east.finance")
    device = TOTPDevice.objects.create(user=keeper, name="手机", confirmed=True)

    # 1. The union officer starts from the household's file: the form knows who it is for.
    sign_in(desktop, live_server.url, "acme.officer", PASSWORD)
    desktop.goto(f"{live_server.url}{reverse('console:assistance:grant_new')}?file={file.pk}")
    desktop.get_by_text(file.reference).first.wait_for()
    desktop.locator('select[name="fund"]').select_option(str(fund.pk))
    desktop.locator('select[name="purpose"]').select_option("medical")
    desktop.locator('input[name="amount"]').fill("3000")
    desktop.locator('textarea[name="reason"]').fill("配偶重病住院，自付医疗费用较高")
    assert axe_violations(desktop) == []
    screenshot(desktop, "assistance-grant-1-propose")
    desktop.locator("form.gh-form button[type=submit]").click()
    desktop.wait_for_load_state("networkidle")
    grant = Grant.objects.get()
    assert grant.hardship_file == file
    desktop.get_by_text("救助已申报，由基金管理人员审批。").wait_for()
    screenshot(desktop, "assistance-grant-2-proposed")

    # 2. The federation's finance officer approves it from the queue.
    keeper_page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    sign_in(keeper_page, live_server.url, "east.finance", PASSWORD)
    enter_one_time_code(keeper_page, device)
    keeper_page.goto(live_server.url + reverse("console:assistance:grant_list"))
    keeper_page.locator(f'tr[data-row-id="{grant.pk}"] a').first.click()
    keeper_page.wait_for_load_state("networkidle")
    assert axe_violations(keeper_page) == []
    screenshot(keeper_page, "assistance-grant-3-decide")
    keeper_page.locator("#approve-form button[type=submit]").click()
    keeper_page.wait_for_load_state("networkidle")
    keeper_page.get_by_text("救助已审批，救助金已从基金支出。").wait_for()
    assert Grant.objects.get().status == GrantStatus.APPROVED
    keeper_page.goto(live_server.url + reverse("console:assistance:fund_detail", args=[fund.pk]))
    assert "17000.00" in keeper_page.locator("[data-balance]").inner_text()
    assert axe_violations(keeper_page) == []
    screenshot(keeper_page, "assistance-grant-4-ledger")
    assert Fund.objects.get().balance == Decimal("17000.00")
    assert_ledger_consistent(fund)
    keeper_page.context.close()

    # 3. The member sees it on their phone.
    sign_in(phone390, live_server.url, member_user.get_username(), MEMBER_PASSWORD)
    phone390.goto(live_server.url + reverse("portal:hardship_grants"))
    phone390.locator(f'[data-grant-id="{grant.pk}"]').wait_for()
    assert "3000.00" in phone390.locator(f'[data-grant-id="{grant.pk}"]').inner_text()
    assert phone390.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert axe_violations(phone390) == []
    screenshot(phone390, "assistance-grant-5-member")
