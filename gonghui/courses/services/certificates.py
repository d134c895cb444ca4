"""The certificate PDF (A4 landscape, Chinese) and its public verification.

Rendered like the service point poster (gonghui/services/poster.py): the stylesheet is passed in
as text, the font is the system's Noto Sans CJK and the URL fetcher refuses every URL. The QR
code carries the public verify address, whose random token is the only key: the page says only
whether the certificate is valid, the masked name, the course and the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from gonghui.core.errors import NotFound
from gonghui.courses.models import Certificate


def certificate_with_relations(pk: int) -> Certificate:
    return Certificate.objects.select_related("enrolment__member", "enrolment__term__course__org").get(pk=pk)


def render_certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    no_network = URLFetcher(allowed_protocols=(), fail_on_errors=True)
    # segno writes the SVG from the URL's modules: nothing a person typed is in it.
    qr_svg = mark_safe(segno.make(verify_url, error="q").svg_inline(scale=6, border=2))  # noqa: S308
    enrolment = certificate.enrolment
    context = {
        "certificate": certificate,
        "name": enrolment.member.name,
        "term": enrolment.term,
        "course": enrolment.term.course,
        "qr_svg": qr_svg,
        "verify_url": verify_url,
    }
    html = render_to_string("courses/certificate_pdf.html", context)
    stylesheet = CSS(string=render_to_string("courses/certificate_pdf.css"), url_fetcher=no_network)
    pdf: bytes = HTML(string=html, url_fetcher=no_network).render(stylesheets=[stylesheet]).write_pdf()
    return pdf


def certificate_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.number}.pdf"


@dataclass(frozen=True)
class VerifiedCertificate:
    masked_name: str
    course: str
    issued_on: date


def verify_certificate(token: str) -> VerifiedCertificate:
    found: Any = (
        Certificate.objects.select_related("enrolment__member", "enrolment__term__course")
        .filter(token=token)
        .first()
        if token and len(token) <= 32
        else None
    )
    if found is None:
        raise NotFound(_("There is no such certificate."), code="certificate_unknown")
    return VerifiedCertificate(
        masked_name=found.enrolment.member.masked_name,
        course=found.enrolment.term.course.title,
        issued_on=found.issued_on,
    )
