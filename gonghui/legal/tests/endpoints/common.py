"""Objects of the own union for the legal endpoints of the scoping test base."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.documents import store_document
from gonghui.legal.models import AidStatus, LegalAid, LegalAidDocument, LegalConsultation
from gonghui.legal.tests.factories import make_aid, make_consultation, make_lawyer
from gonghui.orgs.models import Org

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def consultation(org: Org) -> LegalConsultation:
    return make_consultation(org)


def aid(org: Org) -> LegalAid:
    return make_aid(org)


def review_aid(org: Org) -> LegalAid:
    return make_aid(org, status=AidStatus.UNDER_REVIEW)


def document(org: Org) -> LegalAidDocument:
    found = LegalAidDocument(aid=make_aid(org))
    store_document(found, actor=None, name="合同.pdf", content=PDF)
    return found


def pdf_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("工资条.pdf", PDF, content_type="application/pdf")


def assigned_aid(org: Org) -> LegalAid:
    return make_aid(org, status=AidStatus.ASSIGNED)


def successor_for(aid: LegalAid) -> int:
    """Another active lawyer serving the case's union: the one a reassignment names."""
    return make_lawyer(aid.org).pk
