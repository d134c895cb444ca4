"""On a 390 px phone a member finds 困难帮扶, applies for their household with a document photo
and follows the application; a union officer accepts and grades it in the console; the member
sees the file on record with its next re-check. Screenshots go to artifacts/."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.assistance.models import HardshipFile, HardshipFileStatus
from gonghui.assistance.tests.factories import make_threshold
from gonghui.assistance.tests.factories_files import household_id, make_member_with_account
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import make_tree, officer_at
from tests.browser.conftest import _new_page, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WIDTH = 390
MEMBER_PASSWORD = "Member-pass-2027"


@pytest.fixture
def phone390(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": WIDTH, "height": 844})


@pytest.fixture
def wide(browser: Any) -> Iterator[Any]:
    yield from _new_page(browser, {"width": 1280, "height": 800})


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "诊断证明.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), (250, 250, 245)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_member_applies_and_an_officer_accepts_the_file(
    live_server: Any, phone390: Any, wide: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"

    tree = make_tree()
    make_threshold(tree.city, year=timezone.localdate().year, amount="1190.00")
    member, user = make_member_with_account(tree.acme, name="王建国")
    officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER, display_name="甲公司工会")
    page = phone390

    sign_in(page, live_server.url, user.username, MEMBER_PASSWORD)
    page.goto(f"{live_server.url}/services/")
    page.get_by_role("link", name="困难帮扶").first.click()
    page.wait_for_load_state("networkidle")
    assert "需准备的材料" in page.content()
    screenshot(page, "assistance-portal-landing")
    page.get_by_role("button", name="申请困难帮扶").click()
    page.wait_for_load_state("networkidle")

    page.locator('select[name="own_occupation"]').select_option("employed")
    page.locator('input[name="own_monthly_income"]').fill("2100")
    page.locator('select[name="household-0-relation"]').select_option("spouse")
    page.locator('input[name="household-0-name"]').fill("李秀英")
    page.locator('input[name="household-0-id_number"]').fill(household_id())
    page.locator('select[name="household-0-occupation"]').select_option("unable")
    page.locator('input[name="household-0-monthly_income"]').fill("0")
    page.locator('input[name="household-0-health"]').fill("尿毒症，每周透析三次")
    page.get_by_role("button", name="添加家庭成员").click()
    page.wait_for_load_state("networkidle")
    assert page.locator('input[name="household-0-name"]').input_value() == "李秀英"
    page.locator('select[name="household-1-relation"]').select_option("child")
    page.locator('input[name="household-1-name"]').fill("王小雨")
    page.locator('input[name="household-1-id_number"]').fill(household_id())
    page.locator('select[name="household-1-occupation"]').select_option("student")
    page.get_by_label("因病").check()
    page.get_by_label("子女就学").check()
    page.locator('textarea[name="situation"]').fill(
        "妻子患尿毒症长期透析，女儿读初中，家庭收入仅靠本人工资。"
    )
    page.locator('input[name="documents"]').set_input_files(str(photo(tmp_path)))
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    screenshot(page, "assistance-portal-apply")
    assert axe_violations(page) == []
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state("networkidle")

    hardship_file = HardshipFile.objects.get()
    assert hardship_file.household_size == 3
    assert str(hardship_file.per_capita_income) == "700.00"
    assert "您的申请已提交所在工会，正在审核中。" in page.content()
    assert member.id_number not in page.content()
    screenshot(page, "assistance-portal-file-applied")
    assert page.console_errors == []

    sign_in(wide, live_server.url, "acme.officer", PASSWORD)
    wide.goto(f"{live_server.url}/console/assistance/files/")
    wide.get_by_role("link", name=hardship_file.reference).click()
    wide.wait_for_load_state("networkidle")
    assert "低于示范市总工会设定的低收入标准" in wide.content()
    screenshot(wide, "assistance-console-file-detail")
    assert axe_violations(wide) == []
    wide.locator('select[name="approve-grade"]').select_option("severe")
    wide.locator('textarea[name="approve-opinion"]').fill("经入户走访核实，情况属实。")
    wide.locator("#approve-form button[type=submit]").click()
    wide.wait_for_load_state("networkidle")
    assert HardshipFile.objects.get().status == HardshipFileStatus.ON_FILE
    assert wide.console_errors == []

    page.goto(f"{live_server.url}/hardship/")
    page.wait_for_load_state("networkidle")
    assert "下次年度复核" in page.content()
    screenshot(page, "assistance-portal-on-record")
