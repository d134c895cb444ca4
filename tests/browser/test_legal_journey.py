"""In Chromium: a worker asks a legal question on a phone, a case handler answers it in the
console, the worker reads the answer; a legal aid application is reviewed, granted and assigned
to a volunteer lawyer, who sees only that case on their desk. The pages pass axe under the CSP."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.accounts.tests.factories import PASSWORD
from gonghui.legal.models import AidStatus, LegalAid, LegalConsultation
from gonghui.legal.tests.factories import PASSWORD as LAWYER_PASSWORD
from gonghui.legal.tests.factories import make_aid, make_lawyer, make_member_with_account
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import make_tree, officer_at
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ask_answer_read_and_aid_to_the_lawyers_desk(live_server: Any, phone: Any, desktop: Any) -> None:
    tree = make_tree()
    make_member_with_account(tree.acme, "13700004444")
    officer_at(tree.acme, "acme.handler", Role.CASE_HANDLER)
    lawyer = make_lawyer(tree.acme, name="周明")
    other_lawyer = make_lawyer(tree.acme, name="吴婷")
    aid = make_aid(tree.acme, applicant_name="李强")
    elsewhere = make_aid(tree.acme, status=AidStatus.ASSIGNED, lawyer=other_lawyer, applicant_name="赵敏")

    # The worker asks on a phone.
    sign_in(phone, live_server.url, "13700004444", "Member-pass-2026")
    phone.goto(f"{live_server.url}/legal/ask/")
    assert phone.get_by_role("heading", level=1).inner_text() == "法律咨询"
    phone.get_by_label("咨询哪方面的问题？").select_option("wages")
    phone.get_by_label("您的问题").fill("公司拖欠我两个月工资，该怎么办？")
    assert axe_violations(phone) == []
    screenshot(phone, "portal-legal-ask")
    phone.get_by_role("button", name="提交问题").click()
    phone.wait_for_load_state("networkidle")
    consultation = LegalConsultation.objects.get()
    assert "待答复" in phone.content()
    assert phone.console_errors == []

    # A case handler answers in the console.
    sign_in(desktop, live_server.url, "acme.handler", PASSWORD)
    desktop.goto(f"{live_server.url}/console/legal/?queue=awaiting")
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-legal-consultations")
    desktop.locator(f'tr[data-row-id="{consultation.pk}"] a').click()
    desktop.wait_for_load_state("networkidle")
    desktop.locator("textarea[name=text]").fill("可先书面催告，仍不支付可申请劳动仲裁。")
    desktop.get_by_role("button", name="提交答复").click()
    desktop.wait_for_load_state("networkidle")
    assert LegalConsultation.objects.get().status == "answered"
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-legal-consultation")

    # The worker reads the answer.
    phone.goto(f"{live_server.url}/legal/questions/{consultation.pk}/")
    assert "可先书面催告，仍不支付可申请劳动仲裁。" in phone.content()
    assert axe_violations(phone) == []
    screenshot(phone, "portal-legal-answer")

    # The handler reviews, grants and assigns the aid application.
    desktop.goto(f"{live_server.url}/console/legal/aid/{aid.pk}/")
    assert axe_violations(desktop) == []
    desktop.get_by_role("button", name="开始审核").click()
    desktop.wait_for_load_state("networkidle")
    desktop.get_by_role("button", name="给予法律援助").click()
    desktop.wait_for_load_state("networkidle")
    desktop.locator("select[name=lawyer]").select_option(str(lawyer.pk))
    desktop.get_by_role("button", name="指派", exact=True).click()
    desktop.wait_for_load_state("networkidle")
    found = LegalAid.objects.get(pk=aid.pk)
    assert (found.status, found.lawyer_id) == (AidStatus.ASSIGNED, lawyer.pk)
    screenshot(desktop, "console-legal-aid")
    assert desktop.console_errors == []

    # The lawyer sees only that case on the desk.
    desktop.context.clear_cookies()
    assert lawyer.user is not None
    sign_in(desktop, live_server.url, lawyer.user.username, LAWYER_PASSWORD)
    desktop.goto(f"{live_server.url}/console/legal/desk/")
    assert desktop.locator(f'tr[data-row-id="{aid.pk}"]').count() == 1
    assert desktop.locator(f'tr[data-row-id="{elsewhere.pk}"]').count() == 0
    assert "赵敏" not in desktop.content()
    assert axe_violations(desktop) == []
    screenshot(desktop, "console-legal-desk")
    desktop.goto(f"{live_server.url}/console/legal/aid/")
    assert desktop.locator(f'tr[data-row-id="{aid.pk}"]').count() == 0
