"""The founding notice as a PDF (A4, Chinese), rendered by WeasyPrint from a Django template.

Rendering is synchronous: a notice is one letter and its receipt, two pages, well under a second.
Nothing is fetched while rendering: the stylesheet is passed in as text, the font is the system's
Noto Sans CJK (installed by `./dev setup`), and the URL fetcher refuses every URL, so a stray
link in the template fails the render instead of reaching out to the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from gonghui.founding.models import FoundingNotice

TEMPLATES = Path(__file__).resolve().parent / "templates" / "founding"


def notice_document(notice: FoundingNotice) -> Any:
    """The laid-out notice (a weasyprint Document: its pages, ready to write as PDF)."""
    # Imported here: WeasyPrint loads Pango when imported, which only PDF requests need.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    no_network = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    html = render_to_string("founding/notice_pdf.html", {"notice": notice})
    stylesheet = CSS(string=render_to_string("founding/notice_pdf.css"), url_fetcher=no_network)
    page = HTML(string=html, base_url=str(TEMPLATES), url_fetcher=no_network)
    return page.render(stylesheets=[stylesheet])


def render_notice_pdf(notice: FoundingNotice) -> bytes:
    pdf: bytes = notice_document(notice).write_pdf()
    return pdf


def notice_filename(notice: FoundingNotice) -> str:
    return f"founding-notice-{notice.year}-{notice.issuing_org_id}-{notice.sequence}.pdf"
