"""On a 390 px phone a member finds 互助保障, sees their coverage, submits a hospital claim with two
invoices and a photo of the documents; a claim handler of the federation checks and approves it
in the console; the member sees the payout and how it was worked out, step by step."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.mutualaid.models import AidClaim, AidClaimStatus, AidPlanStatus
from gonghui.mutualaid.tests.factories import make_enrolment, make_member_with_account, make_plan, make_rule
from gonghui.orgs.tests.factories import make_tree, officer_at
from tests.browser.conftest import _new_page, axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390
MEMBER_PASSWORD = "Member-pass-2027"


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


def invoice_photo(tmp_path: Path) -> Path:
    path = tmp_path / "发票.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (245, 245, 240)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_member_claims_for_a_hospital_stay_and_sees_the_payout_explained(
    live_server: Any, phone390: Any, desktop: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    start = today - timedelta(days=200)  # a plan year around today, whatever today is
    tree = make_tree()
    plan = make_plan(
        tree.east,
        year=start.year,
        name="职工住院医疗互助",
        coverage_start=start,
        coverage_end=start + timedelta(days=364),
        status=AidPlanStatus.OPEN,
        second_review_rate=Decimal("0"),
    )
    make_rule(plan, waiting_days=30)  # deductible 1,000.00; 50% of the first 10,000.00 above, then 70%
    member, user = make_member_with_account(tree.acme)
    make_enrolment(plan, member)
    officer = officer_at(tree.east, "east.handler")
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    phone = phone390

    # 1. The member signs in and opens 互助保障 from the services page.
    sign_in(phone, live_server.url, user.get_username(), MEMBER_PASSWORD)
    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="服务").click()
    phone.get_by_role("link", name="互助保障").click()
    phone.get_by_text("职工住院医疗互助").first.wait_for()
    assert phone.get_by_text("合规费用中前 1,000.00 元由个人承担（起付线）。").is_visible()
    assert phone.get_by_text("保障中").is_visible()
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "mutualaid-1-coverage")

    # 2. The claim form: a hospital stay, two invoices (the second row added), the bank card and
    # a photo of the documents.
    phone.get_by_role("button", name="申请互助金").click()
    phone.get_by_label("住院").check()
    phone.get_by_label("就诊医院").fill("示范市第一人民医院")
    phone.get_by_label("疾病或伤情类别").select_option("cardiovascular")
    phone.get_by_label("入院日期").fill((today - timedelta(days=30)).isoformat())
    phone.get_by_label("出院日期").fill((today - timedelta(days=25)).isoformat())
    assert not phone.get_by_label("就诊日期").is_visible()  # only the stay's dates are asked
    phone.locator('input[name="lines-0-invoice_number"]').fill("FP20260001")
    phone.locator('input[name="lines-0-amount"]').fill("12000.00")
    phone.locator('input[name="lines-0-excluded"]').fill("1000")
    phone.get_by_role("button", name="再添加一张发票").click()
    phone.locator('input[name="lines-1-invoice_number"]').fill("FP20260002")
    phone.locator('input[name="lines-1-amount"]').fill("1500")
    phone.locator('input[name="lines-1-excluded"]').fill("500")
    assert phone.locator('input[name="lines-TOTAL_FORMS"]').input_value() == "2"
    phone.get_by_label("开户人姓名").fill("王小明")
    phone.get_by_label("银行卡号或账号").fill("6222 0212 3456 7890")
    phone.get_by_label("材料照片").set_input_files([str(invoice_photo(tmp_path))])
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "mutualaid-2-claim-form")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_load_state("networkidle")

    # 3. The claim's page: submitted, the payout to come when it is checked.
    claim = AidClaim.objects.get()
    assert [line.invoice_number for line in claim.lines.all()] == ["FP20260001", "FP20260002"]
    assert claim.attachments.count() == 1
    phone.get_by_text(f"您的互助金申请 {claim.reference} 已提交").wait_for()
    assert phone.get_by_text("已提交，等待审核").is_visible()
    assert phone.get_by_text("审核时将按就诊日生效的保障规则核算赔付金额").is_visible()
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "mutualaid-3-submitted")

    # 4. The claim handler checks and approves it in the console.
    sign_in(desktop, live_server.url, "east.handler", PASSWORD)
    enter_one_time_code(desktop, device)
    desktop.goto(live_server.url + reverse("console:mutualaid:claim_detail", args=[claim.pk]))
    check = reverse("console:mutualaid:claim_check", args=[claim.pk])
    desktop.locator(f'form[action="{check}"] button[type="submit"]').click()
    desktop.wait_for_load_state("networkidle")
    claim.refresh_from_db()
    assert claim.status == AidClaimStatus.CHECKED
    assert claim.payout == Decimal("5700.00")
    screenshot(desktop, "mutualaid-4-console-checked")
    approve = reverse("console:mutualaid:claim_approve", args=[claim.pk])
    desktop.locator(f'form[action="{approve}"] button[type="submit"]').click()
    desktop.wait_for_load_state("networkidle")
    claim.refresh_from_db()
    assert claim.status == AidClaimStatus.APPROVED
    screenshot(desktop, "mutualaid-5-console-approved")

    # 5. The member sees the payout and how it was worked out.
    phone.reload()
    phone.get_by_text("已审批，等待发放").wait_for()
    assert phone.locator(".aid-status__payout").inner_text() == "5,700.00 元"
    steps = phone.locator(".payout-steps__list li").all_inner_texts()
    assert steps[-1] == "赔付金额：5,700.00 元"
    assert any("1,000.00" in step for step in steps)  # the deductible step
    assert phone.get_by_text("审核并核算赔付金额").is_visible()
    fits_the_screen(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "mutualaid-6-payout")

    # 6. My claims lists it with the payout.
    phone.get_by_role("link", name="我的申请").first.click()
    phone.get_by_text(claim.reference, exact=False).first.wait_for()
    assert phone.get_by_text("赔付金额：5,700.00 元").is_visible()
    screenshot(phone, "mutualaid-7-my-claims")
    assert phone.console_errors == []
    assert desktop.console_errors == []
