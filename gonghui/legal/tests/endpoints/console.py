"""Scoped endpoints: the officers' legal console pages. Every object belongs to the own union;
the parent district's officers see and act on it, the sibling district's get 404 as for a
missing one (or, creating one, the form's refusal of the union code)."""

from __future__ import annotations

from typing import Any

from gonghui.legal.models import Lawyer, LegalAid, LegalConsultation
from gonghui.legal.tests.endpoints.common import (
    aid,
    assigned_aid,
    consultation,
    document,
    pdf_upload,
    review_aid,
    successor_for,
)
from gonghui.legal.tests.factories import make_lawyer
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/legal"
REDIRECT = frozenset({302})


def _log(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "channel": "hotline",
        "topic": "wages",
        "asked_on": "2026-12-01",
        "question": "加班费怎么算？",
        "answer": "",
    }


def _application(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "applicant_name": "赵敏",
        "applicant_mobile": "13911112222",
        "matter_type": "dismissal",
        "description": "被公司违法解除劳动合同",
        "employer_name": "某科技公司",
        "household_size": "3",
        "household_monthly_income": "3000",
    }


def _lawyer(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "name": "陈律师",
        "law_firm": "某律师事务所",
        "licence_number": "13302202110999999",
        "practice_areas": "劳动争议",
    }


def _lawyer_change(world: ScopeWorld, lawyer: Any) -> dict[str, Any]:
    return {**_lawyer(world, lawyer), "licence_number": lawyer.licence_number, "name": "改名律师"}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:legal:consultation_list",
        action="list",
        url=lambda c: f"{CONSOLE}/",
        make=consultation,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:legal:consultation_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/consultations/new/",
        data=_log,
        model=LegalConsultation,
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:consultation_detail",
        action="detail",
        url=lambda c: f"{CONSOLE}/consultations/{c.pk}/",
        make=consultation,
    ),
    ScopedEndpoint(
        covers="console:legal:consultation_answer",
        action="update",
        method="POST",
        url=lambda c: f"{CONSOLE}/consultations/{c.pk}/answer/",
        make=consultation,
        data=lambda world, c: {"text": "可以申请劳动仲裁。"},
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:consultation_refer",
        action="update",
        method="POST",
        url=lambda c: f"{CONSOLE}/consultations/{c.pk}/refer/",
        make=consultation,
        data=lambda world, c: {"lawyer": ""},
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:aid_list",
        action="list",
        url=lambda a: f"{CONSOLE}/aid/",
        make=aid,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:legal:aid_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/aid/new/",
        data=_application,
        model=LegalAid,
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:aid_detail", action="detail", url=lambda a: f"{CONSOLE}/aid/{a.pk}/", make=aid
    ),
    ScopedEndpoint(
        covers="console:legal:aid_reassign",
        action="update",
        method="POST",
        url=lambda a: f"{CONSOLE}/aid/{a.pk}/reassign/",
        make=assigned_aid,
        data=lambda world, a: {"lawyer": successor_for(a), "reason": "原律师调离"},
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:aid_recheck",
        action="update",
        method="POST",
        url=lambda a: f"{CONSOLE}/aid/{a.pk}/eligibility/",
        make=aid,
        data=lambda world, a: {"household_size": 3, "household_monthly_income": "4500"},
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:aid_step",
        action="update",
        method="POST",
        url=lambda a: f"{CONSOLE}/aid/{a.pk}/step/",
        make=review_aid,
        data=lambda world, a: {"action": "approve"},
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:aid_message",
        action="update",
        method="POST",
        url=lambda a: f"{CONSOLE}/aid/{a.pk}/messages/",
        make=aid,
        data=lambda world, a: {"text": "请补充劳动合同。"},
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:aid_documents",
        action="update",
        method="POST",
        url=lambda a: f"{CONSOLE}/aid/{a.pk}/documents/",
        make=aid,
        data=lambda world, a: {"documents": pdf_upload()},
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:aid_document",
        action="detail",
        url=lambda d: f"{CONSOLE}/aid/{d.aid_id}/documents/{d.pk}/",
        make=document,
    ),
    ScopedEndpoint(
        covers="console:legal:lawyer_list",
        action="list",
        url=lambda lawyer: f"{CONSOLE}/lawyers/",
        make=make_lawyer,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:legal:lawyer_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/lawyers/new/",
        data=_lawyer,
        model=Lawyer,
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:lawyer_detail",
        action="detail",
        url=lambda lawyer: f"{CONSOLE}/lawyers/{lawyer.pk}/",
        make=make_lawyer,
    ),
    ScopedEndpoint(
        covers="console:legal:lawyer_detail",
        action="update",
        method="POST",
        url=lambda lawyer: f"{CONSOLE}/lawyers/{lawyer.pk}/",
        make=make_lawyer,
        data=_lawyer_change,
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:lawyer_account",
        action="update",
        method="POST",
        url=lambda lawyer: f"{CONSOLE}/lawyers/{lawyer.pk}/account/",
        make=lambda org: make_lawyer(org, account=False),
        data=lambda world, lawyer: {"username": "scope.lawyer", "password": "Quiet-harbour-2026"},
        ok=REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:legal:lawyer_deactivate",
        action="update",
        method="POST",
        url=lambda lawyer: f"{CONSOLE}/lawyers/{lawyer.pk}/deactivate/",
        make=make_lawyer,
        ok=REDIRECT,
    ),
]
UNSCOPED: dict[str, str] = {
    "console:legal:desk": "the lawyer's own desk: found by the caller's account (test_lawyer_desk)",
    "console:legal:desk_consultation": "a consultation assigned to the calling lawyer (test_lawyer_desk)",
    "console:legal:desk_aid": "a legal aid case assigned to the calling lawyer (test_lawyer_desk)",
    "console:legal:desk_aid_document": "a document of the calling lawyer's own case (test_lawyer_desk)",
}
