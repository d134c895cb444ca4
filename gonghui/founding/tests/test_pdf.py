"""The founding notice as a PDF: A4, Chinese, rendered from the notice as issued."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.founding.documents import notice_document, render_notice_pdf
from gonghui.founding.tests.factories import add_workplace, issue, make_city, officer_at

pytestmark = pytest.mark.django_db

A4 = (794, 1123)  # 210 × 297 mm in CSS pixels (96 per inch), the unit of weasyprint pages


@pytest.fixture
def notice():
    city = make_city()
    admin = officer_at(city.district, "district.admin")
    return issue(add_workplace(city.joint, "明州甲机械有限公司", employees=120), city.district, admin)


def page_text(page: Any) -> str:
    """The text laid out on a weasyprint page, in reading order."""
    # Box tree internals of WeasyPrint 70 (pinned in pyproject.toml): a TextBox holds its text.
    from weasyprint.formatting_structure.boxes import TextBox

    return "".join(box.text for box in page._page_box.descendants() if isinstance(box, TextBox))


def test_the_notice_renders_as_a_two_page_a4_pdf(notice):
    pdf = render_notice_pdf(notice)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    document = notice_document(notice)
    assert len(document.pages) == 2
    for page in document.pages:
        assert (round(page.width), round(page.height)) == A4


def test_the_letter_names_the_workplace_its_code_the_law_and_the_deadline(notice):
    letter, receipt = (page_text(page) for page in notice_document(notice).pages)
    deadline = notice.response_deadline
    assert "建立工会组织告知书" in letter
    assert notice.number in letter
    assert "明州甲机械有限公司（统一社会信用代码：" in letter
    assert notice.credit_code in letter
    assert "《中华人民共和国工会法》第十一条" in letter
    assert f"请贵单位于{deadline.year}年{deadline.month}月{deadline.day}日前与我会联系" in letter
    assert "王芳" in letter
    assert "0574-87650001" in letter
    assert "明州区总工会" in letter
    assert "送达回证" in receipt
    assert "明州甲机械有限公司" in receipt


def test_the_chinese_text_is_set_in_the_cjk_font(notice):
    fonts = {
        box.style["font_family"][0]
        for page in notice_document(notice).pages
        for box in page._page_box.descendants()
        if hasattr(box, "text")
    }
    assert fonts == {"Noto Sans CJK SC"}
    document = notice_document(notice)
    document.write_pdf()  # fonts are subset and embedded while writing
    embedded = [font.name for font in document.fonts.values()]
    assert embedded
    assert all(b"Noto-Sans-CJK-SC" in name for name in embedded)
