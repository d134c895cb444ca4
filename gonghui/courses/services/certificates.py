"""The certificate PDF (A4 landscape, Chinese) and its public verification.

Rendered by gonghui.core.pdf. The QR code carries the public verify address, whose random token
is the only key: the page says only whether the certificate is valid, the masked name, the course
and the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.errors import NotFound
from gonghui.core.pdf import qr_svg, render_pdf
from gonghui.courses.models import Certificate


def certificate_with_relations(pk: int) -> Certificate:
    return Certificate.objects.select_related("enrolment__member", "enrolment__term__course__org").get(pk=pk)


def render_certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    enrolment = certificate.enrolment
    context = {
        "certificate": certificate,
        "name": enrolment.member.name,
        "term": enrolment.term,
        "course": enrolment.term.course,
        "qr_svg": qr_svg(verify_url, scale=6),
        "verify_url": verify_url,
    }
    return render_pdf("courses/certificate_pdf.html", "courses/certificate_pdf.css", context)


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
