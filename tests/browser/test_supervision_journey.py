"""In Chromium: a district officer records an inspection of a workplace with a finding, issues a
reminder letter (提示函) whose PDF downloads and states the rectification deadline, records the
follow-up, and sees it all on the workplace's supervision history. The pages pass axe under the CSP."""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import make_tree, officer_at
from gonghui.supervision.models import FollowUp, Inspection, InspectionStatus, Notice
from gonghui.supervision.tests.factories import make_supervisor, workplace_of
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_text(pdf: bytes) -> str:
    """The text of a WeasyPrint PDF: its glyph strings mapped through the fonts' ToUnicode maps
    (the subsets of one font family share glyph ids, so one map serves them all)."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    glyphs: dict[str, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for glyph, code in re.findall(rb"<([0-9a-f]+)>\s*<([0-9a-f]+)>", block, re.I):
                glyphs[glyph.decode().lower()] = bytes.fromhex(code.decode()).decode("utf-16-be")
    text: list[str] = []
    for stream in streams:
        for array in re.findall(rb"\[(.*?)\]\s*TJ", stream, re.S):
            for hexes in re.findall(rb"<([0-9a-f]+)>", array, re.I):
                value = hexes.decode().lower()
                text.extend(glyphs.get(value[i : i + 4], "") for i in range(0, len(value), 4))
    return "".join(text)


def enter_one_time_code(page: Any, device: TOTPDevice) -> None:
    code = str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(6)
    page.get_by_label("身份验证器App中的六位验证码").fill(code)
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")


def test_inspection_notice_follow_up_and_history(live_server: Any, desktop: Any, tmp_path: Path) -> None:
    tree = make_tree()
    workplace = workplace_of(tree.town, "东湖精密机械有限公司")
    make_supervisor(tree.east, "陈立新")
    officer = officer_at(tree.east, "east.handler", Role.CASE_HANDLER)
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    page = desktop
    sign_in(page, live_server.url, "east.handler", PASSWORD)
    if officer.otp_required:
        enter_one_time_code(page, device)

    # The landing page, then a new inspection of the workplace.
    page.goto(f"{live_server.url}/console/supervision/")
    assert page.get_by_role("heading", level=1).inner_text() == "劳动法律监督"
    assert axe_violations(page) == []
    page.get_by_role("button", name="登记监督检查").click()
    page.get_by_label("检查工会").fill("E")
    page.get_by_label("单位统一社会信用代码").fill(workplace.credit_code)
    page.get_by_label("类型").select_option(label="专项行动")
    page.get_by_label("专项行动名称").fill("根治欠薪专项行动")
    page.get_by_label("工资按时足额支付").check()
    page.get_by_label("劳动合同").check()
    page.get_by_label("陈立新（东区总工会）").check()
    screenshot(page, "supervision-1-inspection-form")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("监督检查已登记。").is_visible()
    inspection = Inspection.objects.get()

    # Start it, record a finding, finish the findings.
    page.get_by_role("button", name="开始检查").click()
    assert page.get_by_text("已完成：该检查现为“检查中”。").is_visible()
    page.locator("#finding-form").get_by_label("检查项目").select_option(label="工资按时足额支付")
    page.locator("#finding-form").get_by_label("问题描述").fill("拖欠3名职工10月工资共计2.4万元")
    page.locator("#finding-form").get_by_label("严重程度").select_option(label="严重")
    page.locator("#finding-form").get_by_label("法律依据").fill("《劳动法》第五十条")
    page.get_by_role("button", name="登记该问题").click()
    assert page.get_by_text("问题已登记。").is_visible()
    page.get_by_role("button", name="完成问题登记").click()
    assert axe_violations(page) == []
    screenshot(page, "supervision-2-findings")

    # Issue a reminder letter with the usual deadline; download its PDF.
    page.get_by_role("button", name="下发文书").click()
    page.get_by_label("文书种类").select_option(label="提示函")
    page.get_by_label("整改要求").fill("立即足额支付拖欠的工资，并建立工资支付台账。")
    screenshot(page, "supervision-3-notice-form")
    page.get_by_role("button", name="下发").click()
    notice = Notice.objects.get()
    assert page.get_by_text(f"文书{notice.number}已下发。").is_visible()
    deadline = notice.rectification_deadline
    with page.expect_download() as download:
        page.get_by_role("link", name=notice.number).click()
    saved = tmp_path / "notice.pdf"
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-")
    letter = pdf_text(pdf)
    assert "劳动法律监督提示函" in letter
    assert f"请于{deadline.year}年{deadline.month}月{deadline.day}日前完成整改" in letter
    screenshot(page, "supervision-4-notice-issued")

    # The follow-up, with a photo of the new wage ledger as evidence.
    page.get_by_role("link", name="登记回访").click()
    page.get_by_label("结果").select_option(label="已整改")
    page.get_by_label("备注").fill("工资已全部补发")
    evidence = tmp_path / "工资台账.pdf"
    evidence.write_bytes(PHOTO_PDF)
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    page.get_by_role("button", name="保存回访").click()
    assert page.get_by_text("回访已登记。").is_visible()
    assert FollowUp.objects.get().documents.count() == 1
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.RECTIFIED
    screenshot(page, "supervision-5-rectified")

    # The workplace's supervision history shows the inspection, the notice and its follow-up.
    page.get_by_role("link", name="东湖精密机械有限公司").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "东湖精密机械有限公司的劳动法律监督记录"
    assert page.locator(f'[data-inspection-id="{inspection.pk}"]').is_visible()
    row = page.locator(f'[data-notice-id="{notice.pk}"]')
    assert "已整改" in row.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "supervision-6-history")
    assert page.console_errors == []
