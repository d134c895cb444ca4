"""In Chromium: a worker reports unpaid wages online on a 390 px phone; a case handler accepts
the dispute, starts mediation and records a settlement (the agreement downloads as a PDF); the
worker sees it settled and rates the handling. The pages pass axe under the CSP."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.tests.factories import PASSWORD, make_member
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import make_tree, make_workplace, officer_at
from gonghui.rights.models import Dispute, DisputeStatus
from gonghui.rights.tests.factories import make_centre, make_mediator
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_390 = {"width": 390, "height": 844}


def test_a_worker_reports_unpaid_wages_and_rates_the_settlement(
    live_server: Any, browser: Any, desktop: Any
) -> None:
    tree = make_tree()
    place = make_workplace(tree.town, tree.acme, name="示范精工机械有限公司")
    make_member("13700004444", display_name="王小明")
    handler = officer_at(tree.acme, "acme.handler", Role.CASE_HANDLER)
    mediator = make_mediator(
        make_centre(tree.acme, name="甲公司劳动争议调解工作室"), account=False, name="周主席"
    )

    context = browser.new_context(viewport=PHONE_390, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    phone = context.new_page()
    errors: list[str] = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(phone, live_server.url, "13700004444", PASSWORD)
    phone.goto(f"{live_server.url}/help/disputes/new/")
    phone.get_by_label("用一句话说说遇到了什么问题？").fill("三月、四月工资一直没有发")
    phone.get_by_label("您的单位").fill("示范精工")
    phone.locator(f'[data-workplace-id="{place.pk}"]').check()
    phone.locator("#id_claims-0-type").select_option("wage_arrears")
    phone.locator("#id_claims-0-amount_claimed").fill("8600")
    assert axe_violations(phone) == []
    screenshot(phone, "portal-dispute-new")
    phone.locator("form.gh-form button[type=submit]").click()
    phone.wait_for_load_state("networkidle")
    dispute = Dispute.objects.get()
    assert (dispute.org, dispute.workplace, dispute.status) == (tree.acme, place, DisputeStatus.RECEIVED)
    assert dispute.number in phone.content()
    screenshot(phone, "portal-dispute-received")

    sign_in(desktop, live_server.url, handler.username, PASSWORD)
    desktop.goto(f"{live_server.url}/console/rights/")
    assert dispute.number in desktop.content()
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-rights-disputes")
    desktop.goto(f"{live_server.url}/console/rights/{dispute.pk}/")
    desktop.locator("#id_accept-centre").select_option(str(mediator.centre_id))
    desktop.locator("#id_accept-mediator").select_option(str(mediator.pk))
    desktop.locator("#accept-form button[type=submit]").click()
    desktop.wait_for_load_state("networkidle")
    desktop.locator("#start-form button[type=submit]").click()
    desktop.wait_for_load_state("networkidle")
    claim = dispute.claims.get()
    desktop.locator("#id_settle-terms").fill("用人单位于2026年12月15日前一次性支付三月、四月工资共计8000元。")
    desktop.locator(f"#id_settle-agreed_{claim.pk}").fill("8000")
    desktop.locator("#settle-form button[type=submit]").click()
    desktop.wait_for_load_state("networkidle")
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.SETTLED
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-rights-dispute-settled")
    with desktop.expect_download() as download:
        desktop.locator("[data-settlement-pdf]").click()
    pdf = download.value.path()
    assert pdf is not None
    with open(pdf, "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    phone.goto(f"{live_server.url}/help/disputes/{dispute.pk}/")
    assert "已达成调解协议" in phone.content()
    phone.locator('input[name="rating-rating"][value="5"]').check()
    phone.get_by_label("评价内容（选填）").fill("调解员很耐心，工资已经谈妥")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state("networkidle")
    assert Dispute.objects.get(pk=dispute.pk).rating == 5
    assert axe_violations(phone) == []
    screenshot(phone, "portal-dispute-rated")
    assert errors == []
    assert desktop.console_errors == []
    context.close()
