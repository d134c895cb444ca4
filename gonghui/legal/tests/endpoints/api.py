"""Scoped endpoints: the officers' legal API. Objects belong to the own union; the worker's own
`/legal/me` operations need no org scoping (found by the caller's account, test_api)."""

from __future__ import annotations

from typing import Any

from gonghui.legal.models import Lawyer, LegalAid, LegalConsultation
from gonghui.legal.tests.endpoints.common import aid, assigned_aid, consultation, review_aid, successor_for
from gonghui.legal.tests.factories import make_lawyer
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld

API = "/api/v1/legal"
CREATED = frozenset({201})


def _log(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {"org": world.own.code, "channel": "walk_in", "topic": "contract", "question": "试用期多长？"}


def _application(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "applicant_name": "赵敏",
        "applicant_mobile": "13911112222",
        "matter_type": "wages",
        "description": "拖欠工资",
        "employer_name": "某公司",
        "household_size": 2,
        "household_monthly_income": "1000",
    }


def _lawyer(world: ScopeWorld, org: Any) -> dict[str, Any]:
    return {
        "org": world.own.code,
        "name": "陈律师",
        "law_firm": "某律师事务所",
        "licence_number": "13302202110888888",
        "practice_areas": "劳动争议",
    }


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers=f"GET {API}/consultations",
        action="list",
        url=lambda c: f"{API}/consultations",
        make=consultation,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/consultations",
        action="create",
        method="POST",
        url=lambda org: f"{API}/consultations",
        data=_log,
        model=LegalConsultation,
        ok=CREATED,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/consultations/{{consultation_id}}",
        action="detail",
        url=lambda c: f"{API}/consultations/{c.pk}",
        make=consultation,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/consultations/{{consultation_id}}/answer",
        action="update",
        method="POST",
        url=lambda c: f"{API}/consultations/{c.pk}/answer",
        make=consultation,
        data=lambda world, c: {"text": "可以申请仲裁。"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/consultations/{{consultation_id}}/refer",
        action="update",
        method="POST",
        url=lambda c: f"{API}/consultations/{c.pk}/refer",
        make=consultation,
        data=lambda world, c: {"lawyer_id": None},
    ),
    ScopedEndpoint(covers=f"GET {API}/aid", action="list", url=lambda a: f"{API}/aid", make=aid),
    ScopedEndpoint(
        covers=f"POST {API}/aid",
        action="create",
        method="POST",
        url=lambda org: f"{API}/aid",
        data=_application,
        model=LegalAid,
        ok=CREATED,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/aid/{{aid_id}}", action="detail", url=lambda a: f"{API}/aid/{a.pk}", make=aid
    ),
    ScopedEndpoint(
        covers=f"POST {API}/aid/{{aid_id}}/reassign",
        action="update",
        method="POST",
        url=lambda a: f"{API}/aid/{a.pk}/reassign",
        make=assigned_aid,
        data=lambda world, a: {"lawyer_id": successor_for(a), "reason": "原律师调离"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/aid/{{aid_id}}/eligibility",
        action="update",
        method="POST",
        url=lambda a: f"{API}/aid/{a.pk}/eligibility",
        make=aid,
        data=lambda world, a: {"household_size": 3, "household_monthly_income": "4500"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/aid/{{aid_id}}/steps",
        action="update",
        method="POST",
        url=lambda a: f"{API}/aid/{a.pk}/steps",
        make=review_aid,
        data=lambda world, a: {"action": "reject", "reason": "不属于援助范围"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/aid/{{aid_id}}/messages",
        action="update",
        method="POST",
        url=lambda a: f"{API}/aid/{a.pk}/messages",
        make=aid,
        data=lambda world, a: {"text": "请补充材料。"},
        ok=CREATED,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/lawyers", action="list", url=lambda lawyer: f"{API}/lawyers", make=make_lawyer
    ),
    ScopedEndpoint(
        covers=f"POST {API}/lawyers",
        action="create",
        method="POST",
        url=lambda org: f"{API}/lawyers",
        data=_lawyer,
        model=Lawyer,
        ok=CREATED,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/lawyers/{{lawyer_id}}",
        action="detail",
        url=lambda lawyer: f"{API}/lawyers/{lawyer.pk}",
        make=make_lawyer,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/lawyers/{{lawyer_id}}",
        action="update",
        method="PUT",
        url=lambda lawyer: f"{API}/lawyers/{lawyer.pk}",
        make=make_lawyer,
        data=lambda world, lawyer: {
            "name": "改名律师",
            "law_firm": lawyer.law_firm,
            "licence_number": lawyer.licence_number,
            "practice_areas": lawyer.practice_areas,
        },
    ),
    ScopedEndpoint(
        covers=f"POST {API}/lawyers/{{lawyer_id}}/account",
        action="update",
        method="POST",
        url=lambda lawyer: f"{API}/lawyers/{lawyer.pk}/account",
        make=lambda org: make_lawyer(org, account=False),
        data=lambda world, lawyer: {"username": "scope.lawyer", "password": "Quiet-harbour-2026"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/lawyers/{{lawyer_id}}/deactivate",
        action="update",
        method="POST",
        url=lambda lawyer: f"{API}/lawyers/{lawyer.pk}/deactivate",
        make=make_lawyer,
        data=lambda world, lawyer: {},
    ),
]

_OWN = "the signed-in worker's own questions and applications: found by the account, never by org (test_api)"
ME = f"{API}/me"
UNSCOPED: dict[str, str] = {
    f"GET {ME}/consultations": _OWN,
    f"POST {ME}/consultations": _OWN,
    f"GET {ME}/consultations/{{consultation_id}}": _OWN,
    f"POST {ME}/consultations/{{consultation_id}}/messages": _OWN,
    f"GET {ME}/aid": _OWN,
    f"POST {ME}/aid": _OWN,
    f"GET {ME}/aid/{{aid_id}}": _OWN,
    f"POST {ME}/aid/{{aid_id}}/messages": _OWN,
    f"POST {ME}/aid/{{aid_id}}/rating": _OWN,
}
