"""Objects of one union for the scoping test base: each belongs to `org` (its inspecting union)
and concerns a workplace in `org`'s area."""

from __future__ import annotations

from datetime import timedelta

from gonghui.core.documents import store_document
from gonghui.orgs.models import Org
from gonghui.supervision.models import FollowUpDocument, Inspection, InspectionStatus, Notice
from gonghui.supervision.tests.factories import (
    make_finding,
    make_followup,
    make_inspection,
    make_notice,
    today,
    workplace_of,
)

PDF = b"%PDF-1.4\n%%EOF\n"


def in_progress(org: Org) -> Inspection:
    return make_inspection(org, status=InspectionStatus.IN_PROGRESS)


def with_a_finding(org: Org) -> Inspection:
    inspection = make_inspection(org, status=InspectionStatus.FINDINGS_RECORDED)
    make_finding(inspection)
    return inspection


def overdue_notice(org: Org) -> Notice:
    return make_notice(org, issued_on=today() - timedelta(days=40), deadline=today() - timedelta(days=2))


def evidence(org: Org) -> FollowUpDocument:
    document = FollowUpDocument(followup=make_followup(make_notice(org)))
    store_document(document, actor=None, name="整改照片.pdf", content=PDF)
    return document


def inspected_workplace(org: Org) -> object:
    workplace = workplace_of(org, "被检查单位有限公司")
    make_inspection(org, workplace)
    return workplace
