"""The poster of a service point (A4, Chinese) with its check-in QR code, rendered by WeasyPrint.

Like the founding notice (gonghui/founding/documents.py): the stylesheet is passed in as text,
the font is the system's Noto Sans CJK, and the URL fetcher refuses every URL, so nothing is
fetched while rendering. The QR code is inline SVG (segno), sharp at any print size."""

from __future__ import annotations

from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from gonghui.services.models import Facility, ServicePoint


def poster_document(point: ServicePoint, checkin_url: str) -> Any:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    no_network = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    # segno writes the SVG itself from the URL's modules: nothing a person typed is in it.
    qr_svg = mark_safe(segno.make(checkin_url, error="q").svg_inline(scale=10, border=2))  # noqa: S308
    context = {
        "point": point,
        "qr_svg": qr_svg,
        "facilities": [label for value, label in Facility.choices if value in point.facilities],
    }
    html = render_to_string("services/poster_pdf.html", context)
    stylesheet = CSS(string=render_to_string("services/poster_pdf.css"), url_fetcher=no_network)
    return HTML(string=html, url_fetcher=no_network).render(stylesheets=[stylesheet])


def render_poster_pdf(point: ServicePoint, checkin_url: str) -> bytes:
    pdf: bytes = poster_document(point, checkin_url).write_pdf()
    return pdf


def poster_filename(point: ServicePoint) -> str:
    return f"service-point-{point.pk}-poster.pdf"
