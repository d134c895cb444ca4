"""Supervision notices as PDFs (A4, Chinese official letter layout), one template per kind,
rendered by gonghui.core.pdf from the notice as issued."""

from __future__ import annotations

from typing import Any

from gonghui.core.pdf import pdf_document
from gonghui.supervision.models import Notice

STYLESHEET = "supervision/notice_pdf.css"


def notice_document(notice: Notice) -> Any:
    """The laid-out notice (a weasyprint Document: its pages, ready to write as PDF)."""
    context = {"notice": notice, "findings": list(notice.findings.order_by("created_at", "id"))}
    return pdf_document(f"supervision/notice_pdf_{notice.kind}.html", STYLESHEET, context)


def render_notice_pdf(notice: Notice) -> bytes:
    pdf: bytes = notice_document(notice).write_pdf()
    return pdf


def notice_filename(notice: Notice) -> str:
    return f"supervision-{notice.kind}-{notice.year}-{notice.org_id}-{notice.sequence}.pdf"
