"""The notices as PDFs: A4, Chinese, one template per kind, with the number, the addressee, the
findings, the requirements, the deadline, the issuing union and the date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gonghui.supervision.documents import notice_document, render_notice_pdf
from gonghui.supervision.models import NoticeKind
from gonghui.supervision.tests.factories import issue, plan, with_findings, workplace_of

pytestmark = pytest.mark.django_db

A4 = (794, 1123)  # 210 × 297 mm in CSS pixels, the unit of weasyprint pages
TITLES = {
    NoticeKind.REMINDER: "劳动法律监督提示函",
    NoticeKind.RECOMMENDATION: "劳动法律监督建议书",
    NoticeKind.OPINION: "劳动法律监督意见书",
}


def page_text(page: Any) -> str:
    # Box tree internals of WeasyPrint (pinned in pyproject.toml): a TextBox holds its text.
    from weasyprint.formatting_structure.boxes import TextBox

    return "".join(box.text for box in page._page_box.descendants() if isinstance(box, TextBox))


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_each_kind_renders_as_an_a4_letter(tree, east_admin, kind):
    inspection = plan(tree.east, workplace_of(tree.town), east_admin, inspected_on=date(2026, 11, 2))
    inspection = with_findings(inspection, east_admin)
    notice = issue(
        inspection,
        east_admin,
        kind=kind,
        issued_on=date(2026, 11, 5),
        rectification_deadline=date(2026, 12, 7),
        requirements="一、立即足额支付拖欠工资；\n二、建立工资支付台账。",
    )
    pdf = render_notice_pdf(notice)
    assert pdf.startswith(b"%PDF-")
    document = notice_document(notice)
    for page in document.pages:
        assert (round(page.width), round(page.height)) == A4
    text = "".join(page_text(page) for page in document.pages)
    assert TITLES[kind] in text
    assert notice.number in text
    assert "〔2026〕" in text
    assert "甬城精密机械有限公司：" in text
    assert "拖欠3名职工10月工资" in text
    assert "二、建立工资支付台账。" in text
    assert "请于2026年12月7日前完成整改" in text
    assert "东区总工会" in text
    assert "2026年11月5日" in text
    assert "2026年11月2日" in text  # the inspection date in the opening


def test_the_chinese_text_is_set_in_the_cjk_font(tree, east_admin):
    notice = issue(
        with_findings(plan(tree.east, workplace_of(tree.town), east_admin), east_admin), east_admin
    )
    fonts = {
        box.style["font_family"][0]
        for page in notice_document(notice).pages
        for box in page._page_box.descendants()
        if hasattr(box, "text")
    }
    assert fonts == {"Noto Sans CJK SC"}
