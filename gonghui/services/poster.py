"""The poster of a service point (A4, Chinese) with its check-in QR code, rendered by WeasyPrint.

Rendered by gonghui.core.pdf, like every document of the platform."""

from __future__ import annotations

from gonghui.core.pdf import qr_svg, render_pdf
from gonghui.services.models import Facility, ServicePoint


def render_poster_pdf(point: ServicePoint, checkin_url: str) -> bytes:
    context = {
        "point": point,
        "qr_svg": qr_svg(checkin_url, scale=10),
        "facilities": [label for value, label in Facility.choices if value in point.facilities],
    }
    return render_pdf("services/poster_pdf.html", "services/poster_pdf.css", context)


def poster_filename(point: ServicePoint) -> str:
    return f"service-point-{point.pk}-poster.pdf"
