"""A district officer founds a union: from the org tree to a workplace without a union, a founding
notice (PDF), and a founding application taken through to the new union."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.founding.models import ApplicationStatus, FoundingApplication, FoundingNotice, NoticeStatus
from gonghui.founding.tests.factories import add_workplace, make_city, officer_at
from gonghui.orgs.models import Workplace
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def enter_one_time_code(page, device: TOTPDevice) -> None:
    code = str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(6)
    page.get_by_label("身份验证器App中的六位验证码").fill(code)
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")


def test_a_district_officer_issues_a_notice_and_founds_the_union(live_server, desktop, tmp_path: Path):
    city = make_city()
    workplace = add_workplace(city.joint, "明州甲机械有限公司", employees=120)
    add_workplace(city.joint, "东湖物流有限公司", employees=48)
    add_workplace(city.joint, "东湖便利店", employees=6)
    officer = officer_at(city.district, "district.admin")  # a federation role: two factors
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    page = desktop

    sign_in(page, live_server.url, "district.admin", PASSWORD)
    enter_one_time_code(page, device)
    sidebar = page.get_by_role("navigation", name="后台导航")

    # The org tree starts at the officer's district with its first level open; open a union there.
    sidebar.get_by_role("link", name="组织管理").click()
    tree = page.locator("ul.org-tree--root")
    tree.locator(f'li[data-org-id="{city.town.pk}"] > details > summary').click()
    tree.get_by_role("link", name="东湖社区联合工会").wait_for()
    screenshot(page, "founding-1-tree")
    tree.get_by_role("link", name="东湖街道总工会").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("东湖街道总工会")
    screenshot(page, "founding-1-org-page")

    # Workplaces without a union, largest first; the small shop is under the threshold.
    sidebar.get_by_role("link", name="建会管理").click()
    assert page.get_by_role("heading", level=1).inner_text() == "未建会单位"
    table = page.locator("#unfounded-table")
    names = table.locator("tbody tr td:first-child").all_inner_texts()
    assert [name.splitlines()[0] for name in names] == ["明州甲机械有限公司", "东湖物流有限公司"]
    assert axe_violations(page) == []
    screenshot(page, "founding-2-unfounded")

    # Issue the founding notice.
    page.get_by_role("link", name="发告知书 （明州甲机械有限公司）").click()
    assert page.get_by_role("heading", level=1).inner_text() == "发出建会告知书"
    assert page.get_by_text("《中华人民共和国工会法》第十一条").first.is_visible()
    assert page.get_by_label("发文单位").input_value() == str(city.district.pk)
    screenshot(page, "founding-3-notice-form")
    page.get_by_role("button", name="发出告知书").click()
    notice = FoundingNotice.objects.get()
    assert page.get_by_text(f"已发出建会告知书 {notice.number}").is_visible()
    assert notice.number.startswith("明州区总建告〔")

    # The PDF link downloads the letter.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    saved = tmp_path / "notice.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")

    # Record its delivery.
    page.get_by_label("送达方式").select_option(label="直接送达")
    page.get_by_label("签收人").fill("赵六")
    page.get_by_role("button", name="登记送达").click()
    assert page.get_by_text("已登记送达。").is_visible()
    assert FoundingNotice.objects.get().status == NoticeStatus.DELIVERED
    screenshot(page, "founding-4-notice-delivered")

    # The workplace applies; the officer enters the application under the township federation.
    sidebar.get_by_role("link", name="建会管理").click()
    page.get_by_role("link", name="录入申请 （明州甲机械有限公司）").click()
    page.get_by_label("上级组织").select_option(label="东湖街道总工会")
    page.get_by_label("发起方").select_option(label="单位申请")
    page.get_by_label("预计会员人数").fill("90")
    page.get_by_label("联系人").fill("李明")
    page.get_by_label("联系电话").fill("138 0574 0001")
    page.get_by_role("button", name="提交申请").click()
    assert page.get_by_text("建会申请已提交。").is_visible()

    # Review, approve, create the union.
    page.get_by_role("button", name="开始审核").click()
    assert page.get_by_text("已办理，申请当前为“审核中”。").is_visible()
    page.get_by_label("意见").fill("材料齐全，同意组建")
    page.get_by_role("button", name="批准").click()
    assert page.get_by_text("已办理，申请当前为“已批准”。").is_visible()
    screenshot(page, "founding-5-approved")
    page.get_by_role("button", name="建立工会").click()
    assert page.get_by_text("已办理，申请当前为“已建会”。").is_visible()
    assert page.get_by_text("明州甲机械有限公司工会委员会").first.is_visible()
    assert axe_violations(page) == []
    screenshot(page, "founding-6-union-created")

    application = FoundingApplication.objects.get()
    assert application.status == ApplicationStatus.UNION_CREATED
    assert Workplace.objects.get(pk=workplace.pk).union == application.created_org
    sidebar.get_by_role("link", name="建会管理").click()
    remaining = page.locator("#unfounded-table tbody tr td:first-child").all_inner_texts()
    assert [name.splitlines()[0] for name in remaining] == ["东湖物流有限公司"]
    assert page.console_errors == []


def test_a_district_officer_delegates_approval_authority_to_a_joint_union(live_server, desktop):
    city = make_city()
    officer = officer_at(city.district, "district.admin")
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    page = desktop
    sign_in(page, live_server.url, "district.admin", PASSWORD)
    enter_one_time_code(page, device)

    page.goto(f"{live_server.url}/console/founding/authority/")
    assert page.get_by_role("heading", level=1).inner_text() == "审批权限"
    page.get_by_role("button", name="授权 （东湖社区联合工会）").click()
    assert page.get_by_text("东湖社区联合工会现可审批其下的建会申请。").is_visible()
    assert page.get_by_role("button", name="收回 （东湖社区联合工会）").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "founding-7-authority")
    assert page.console_errors == []
