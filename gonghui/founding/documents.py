"""The founding notice as a PDF (A4, Chinese), rendered by WeasyPrint from a Django template.

One letter and its receipt, two pages; rendered by gonghui.core.pdf.
"""

from __future__ import annotations

from typing import Any

from gonghui.core.pdf import pdf_document
from gonghui.founding.models import FoundingNotice


def notice_document(notice: FoundingNotice) -> Any:
    """The laid-out notice (a weasyprint Document: its pages, ready to write as PDF)."""
    return pdf_document("founding/notice_pdf.html", "founding/notice_pdf.css", {"notice": notice})


def render_notice_pdf(notice: FoundingNotice) -> bytes:
    pdf: bytes = notice_document(notice).write_pdf()
    return pdf


def notice_filename(notice: FoundingNotice) -> str:
    return f"founding-notice-{notice.year}-{notice.issuing_org_id}-{notice.sequence}.pdf"
