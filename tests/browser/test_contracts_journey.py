"""In Chromium: a district officer registers a regional wage agreement covering several
workplaces, brings it into force and sees the coverage rate rise; a member proposes a
bargaining topic on a phone, the officer adopts it and the member reads the union's answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.contracts.models import BargainingTopic, CollectiveContract, ContractStatus
from gonghui.contracts.tests.factories import make_contract, make_member_with_account, make_workplace
from gonghui.orgs.tests.factories import make_tree, officer_at
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _one_time_code(page: Any, device: TOTPDevice) -> None:
    code = str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(6)
    page.get_by_label("身份验证器App中的六位验证码").fill(code)
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")


def test_register_a_regional_wage_agreement_and_answer_a_topic(
    live_server: Any, phone: Any, desktop: Any
) -> None:
    tree = make_tree()
    small = make_workplace(tree.town, None, name="东湖小微五金厂", employee_count=30)
    beta = make_workplace(None, tree.beta, name="东区乙公司", employee_count=50)
    acme = make_workplace(None, tree.acme, name="东区甲公司", employee_count=100)
    make_contract(tree.acme, [acme], title="东区甲公司集体合同")
    officer = officer_at(tree.east, "east.admin")  # a federation role: two factors
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    make_member_with_account(tree.acme, "13700004444", name="王小红")
    page = desktop
    for tab in (phone, desktop):
        # The journey is long and the first requests render every template afresh: allow a busy machine.
        tab.set_default_timeout(30_000)

    sign_in(page, live_server.url, "east.admin", PASSWORD)
    _one_time_code(page, device)
    page.goto(f"{live_server.url}/console/contracts/coverage/")
    assert page.get_by_role("heading", level=1).inner_text() == "集体合同覆盖情况"
    assert page.locator("#rate-all").inner_text() == "33.3%"
    assert page.locator("#rate-unionised").inner_text() == "50.0%"
    assert axe_violations(page) == []
    screenshot(page, "contracts-1-coverage-before")

    page.goto(f"{live_server.url}/console/contracts/new/")
    today = timezone.localdate()
    start = today
    form = page.locator("form.gh-form")
    form.locator('[name="org"]').fill("E")
    form.locator('[name="scope"]').select_option("region")
    form.locator('[name="kind"]').select_option("wage")
    form.locator('[name="title"]').fill("东区中小企业区域性工资专项集体协议")
    form.locator('[name="signed_on"]').fill(today.isoformat())
    form.locator('[name="term_start"]').fill(start.isoformat())
    form.locator('[name="term_end"]').fill((start + timedelta(days=730)).isoformat())
    form.locator('[name="workers_covered"]').fill("80")
    form.locator('[name="wage_increase"]').fill("6.5")
    form.locator('[name="area_description"]').fill("东区中小企业")
    form.locator('[name="employer_representative"]').fill("东区企业联合会")
    form.locator('[name="union_representative"]').fill("东区总工会")
    form.locator('[name="workplaces"]').fill(f"{small.credit_code}\n{beta.credit_code}")
    form.locator('[name="clause-0-topic"]').select_option("wages")
    form.locator('[name="clause-0-text"]').fill("职工月平均工资增长不低于6.5%")
    assert axe_violations(page) == []
    screenshot(page, "contracts-2-register")
    page.get_by_role("button", name="登记合同").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "东区中小企业区域性工资专项集体协议"
    assert "合同已登记为草稿" in page.content()
    contract = CollectiveContract.objects.get(title="东区中小企业区域性工资专项集体协议")
    assert contract.workplaces.count() == 2
    page.get_by_role("button", name="生效").click()
    page.wait_for_load_state("networkidle")
    assert "合同已生效" in page.content()
    assert axe_violations(page) == []
    screenshot(page, "contracts-3-in-force")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_FORCE

    page.goto(f"{live_server.url}/console/contracts/coverage/")
    assert page.locator("#rate-all").inner_text() == "100.0%"
    assert page.locator("#rate-unionised").inner_text() == "100.0%"
    page.locator("#coverage-chart canvas").wait_for()
    screenshot(page, "contracts-4-coverage-after")
    assert page.console_errors == []

    sign_in(phone, live_server.url, "13700004444", "Member-pass-2026")
    phone.goto(f"{live_server.url}/bargaining-topics/")
    assert phone.get_by_role("heading", level=1).inner_text() == "集体协商议题"
    phone.get_by_label("议题类别").select_option("hours")
    phone.get_by_label("您的建议").fill("旺季连续加班太多，建议约定每月加班不超过36小时。")
    assert axe_violations(phone) == []
    screenshot(phone, "contracts-5-portal-propose")
    phone.get_by_role("button", name="提交议题").click()
    phone.wait_for_load_state("networkidle")
    assert "感谢您的建议" in phone.content()
    topic = BargainingTopic.objects.get()

    page.goto(f"{live_server.url}/console/contracts/topics/")
    row = page.locator(f'[data-row-id="{topic.pk}"]')
    assert row.locator("[data-proposer]").inner_text() == "王**"  # not their own union's officer
    row.get_by_label("已采纳为协商议题").check()
    row.locator('textarea[name$="-reply"]').fill("已列入下一轮协商议题，协商结果将在厂务公开栏公布。")
    assert axe_violations(page) == []
    screenshot(page, "contracts-6-topics")
    row.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state("networkidle")
    assert "答复已保存" in page.content()

    phone.reload()
    answer = phone.locator(f'[data-topic-id="{topic.pk}"] [data-reply]')
    assert "已列入下一轮协商议题" in answer.inner_text()
    assert axe_violations(phone) == []
    screenshot(phone, "contracts-7-portal-answer")
    assert phone.console_errors == []
