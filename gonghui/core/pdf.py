"""Letters, posters and certificates as PDFs (A4, Chinese), rendered by WeasyPrint from Django
templates.

Rendering is synchronous: each document is one to three pages, well under a second. Nothing is
fetched while rendering: the stylesheet is passed in as text, the font is the system's Noto Sans
CJK (installed by `./dev setup`), and the URL fetcher refuses every URL, so a stray link in a
template fails the render instead of reaching out to the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


def pdf_document(template: str, stylesheet: str, context: Mapping[str, Any]) -> Any:
    """The laid-out document (a weasyprint Document: its pages, ready to write as PDF).
    `template` and `stylesheet` are template names (the stylesheet is rendered too)."""
    # Imported here: WeasyPrint loads Pango when imported, which only PDF requests need.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    no_network = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    html = render_to_string(template, dict(context))
    css = CSS(string=render_to_string(stylesheet, dict(context)), url_fetcher=no_network)
    return HTML(string=html, url_fetcher=no_network).render(stylesheets=[css])


def render_pdf(template: str, stylesheet: str, context: Mapping[str, Any]) -> bytes:
    pdf: bytes = pdf_document(template, stylesheet, context).write_pdf()
    return pdf


def qr_svg(url: str, *, scale: int) -> SafeString:
    """A QR code of `url` as inline SVG, sharp at any print size."""
    # segno writes the SVG itself from the URL's modules: nothing a person typed is in it.
    return mark_safe(segno.make(url, error="q").svg_inline(scale=scale, border=2))  # noqa: S308
