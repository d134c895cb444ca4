"""Founding pages and API operations for the scoping test base (gonghui.orgs.tests.scoping).

Every object belongs to the world's own union X: the workplace lies in X's area, the notice is
issued by X, the application's new union sits under X, the joint union is a child of X. Where a
step needs approval authority, X is given it, so that both X's officers and those above may act.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.founding.models import (
    ApplicationStatus,
    DeliveryMethod,
    FoundingApplication,
    FoundingNotice,
    Initiator,
    UnionKind,
)
from gonghui.orgs.models import JointUnionArea, Org, OrgKind, Workplace
from gonghui.orgs.tests.factories import add_org, make_workplace
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld


def _workplace(org: Org) -> Workplace:
    return make_workplace(org, name=f"{org.name}辖区未建会单位", employee_count=60)


def _workplace_of(org: Org) -> Workplace:
    return Workplace.objects.get(jurisdiction=org)


def _notice(org: Org) -> FoundingNotice:
    workplace = _workplace(org)
    today = timezone.localdate()
    return FoundingNotice.objects.create(
        workplace=workplace,
        issuing_org=org,
        year=today.year,
        sequence=1,
        number=f"{org.code}建告〔{today.year}〕1号",
        issued_at=timezone.now(),
        issuer_name=org.name,
        workplace_name=workplace.name,
        credit_code=workplace.credit_code,
        employee_count=workplace.employee_count,
        legal_basis="《中华人民共和国工会法》第十一条",
        response_deadline=today + timedelta(days=30),
        contact_name="王芳",
        contact_phone="0574-87650001",
    )


def _application(org: Org) -> FoundingApplication:
    Org.objects.filter(pk=org.pk).update(holds_founding_authority=True)
    return FoundingApplication.objects.create(
        workplace=_workplace(org),
        union_name=f"{org.name}辖区新建工会",
        union_kind=UnionKind.GRASSROOTS,
        parent=org,
        approving_org=org,
        initiated_by=Initiator.TOWNSHIP_FEDERATION,
        contact_name="李明",
        contact_phone="13805740001",
        members_expected=40,
        employee_count=60,
        status=ApplicationStatus.SUBMITTED,
    )


def _joint_union(org: Org) -> Org:
    name = f"{org.name}所属社区联合工会"
    return add_org(org, f"{org.code}-J1", name, OrgKind.JOINT_UNION, area=JointUnionArea.COMMUNITY)


def _notice_data(world: ScopeWorld, workplace: Workplace) -> dict[str, Any]:
    return {
        "issuing_org": world.own.pk,
        "response_deadline": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "contact_name": "王芳",
        "contact_phone": "0574-87650001",
    }


def _delivery_data(world: ScopeWorld, notice: FoundingNotice) -> dict[str, Any]:
    return {
        "delivered_on": timezone.localdate().isoformat(),
        "delivery_method": DeliveryMethod.IN_PERSON,
        "recipient_name": "赵六",
    }


def _application_data(world: ScopeWorld, workplace: Workplace) -> dict[str, Any]:
    return {
        "union_name": "新建工会委员会",
        "union_kind": UnionKind.GRASSROOTS,
        "area": "",
        "parent": world.own.pk,
        "initiated_by": Initiator.WORKPLACE,
        "employee_count": 60,
        "members_expected": 40,
        "contact_name": "李明",
        "contact_phone": "13805740001",
        "preparatory_note": "",
    }


def _review(world: ScopeWorld, application: FoundingApplication) -> dict[str, Any]:
    return {"action": "review"}


CONSOLE = "/console/founding"
API = "/api/v1/founding"

ENDPOINTS = [
    # --- console ---------------------------------------------------------------------------
    ScopedEndpoint(
        covers="console:founding:unfounded", action="list", url=lambda wp: f"{CONSOLE}/", make=_workplace
    ),
    ScopedEndpoint(
        covers="console:founding:notice_issue",
        action="detail",
        url=lambda wp: f"{CONSOLE}/workplaces/{wp.pk}/notice/",
        make=_workplace,
    ),
    ScopedEndpoint(
        covers="console:founding:notice_issue",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/workplaces/{_workplace_of(org).pk}/notice/",
        make=_workplace,
        data=_notice_data,
        model=FoundingNotice,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:founding:notices", action="list", url=lambda n: f"{CONSOLE}/notices/", make=_notice
    ),
    ScopedEndpoint(
        covers="console:founding:notice_detail",
        action="detail",
        url=lambda n: f"{CONSOLE}/notices/{n.pk}/",
        make=_notice,
    ),
    ScopedEndpoint(
        covers="console:founding:notice_pdf",
        action="detail",
        url=lambda n: f"{CONSOLE}/notices/{n.pk}/pdf/",
        make=_notice,
    ),
    ScopedEndpoint(
        covers="console:founding:notice_delivery",
        action="update",
        method="POST",
        url=lambda n: f"{CONSOLE}/notices/{n.pk}/delivery/",
        make=_notice,
        data=_delivery_data,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:founding:applications",
        action="list",
        url=lambda a: f"{CONSOLE}/applications/",
        make=_application,
    ),
    ScopedEndpoint(
        covers="console:founding:application_detail",
        action="detail",
        url=lambda a: f"{CONSOLE}/applications/{a.pk}/",
        make=_application,
    ),
    ScopedEndpoint(
        covers="console:founding:application_new",
        action="detail",
        url=lambda wp: f"{CONSOLE}/workplaces/{wp.pk}/application/",
        make=_workplace,
    ),
    ScopedEndpoint(
        covers="console:founding:application_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/workplaces/{_workplace_of(org).pk}/application/",
        make=_workplace,
        data=_application_data,
        model=FoundingApplication,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:founding:application_transition",
        action="update",
        method="POST",
        url=lambda a: f"{CONSOLE}/applications/{a.pk}/transition/",
        make=_application,
        data=_review,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:founding:authority",
        action="list",
        url=lambda j: f"{CONSOLE}/authority/",
        make=_joint_union,
    ),
    ScopedEndpoint(
        covers="console:founding:authority_change",
        action="update",
        method="POST",
        url=lambda j: f"{CONSOLE}/authority/{j.pk}/",
        make=_joint_union,
        data=lambda world, j: {"holds_founding_authority": "on"},
        ok=frozenset({302}),
    ),
    # --- API -------------------------------------------------------------------------------
    ScopedEndpoint(
        covers=f"GET {API}/workplaces", action="list", url=lambda wp: f"{API}/workplaces", make=_workplace
    ),
    ScopedEndpoint(covers=f"GET {API}/notices", action="list", url=lambda n: f"{API}/notices", make=_notice),
    ScopedEndpoint(
        covers=f"POST {API}/notices",
        action="create",
        method="POST",
        url=lambda org: f"{API}/notices",
        make=_workplace,
        data=lambda world, wp: {"workplace": wp.pk, **_notice_data(world, wp)},
        model=FoundingNotice,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/notices/{{notice_id}}",
        action="detail",
        url=lambda n: f"{API}/notices/{n.pk}",
        make=_notice,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/notices/{{notice_id}}/delivery",
        action="update",
        method="POST",
        url=lambda n: f"{API}/notices/{n.pk}/delivery",
        make=_notice,
        data=_delivery_data,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/notices/{{notice_id}}/pdf",
        action="detail",
        url=lambda n: f"{API}/notices/{n.pk}/pdf",
        make=_notice,
    ),
    ScopedEndpoint(
        covers=f"GET {API}/applications",
        action="list",
        url=lambda a: f"{API}/applications",
        make=_application,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/applications",
        action="create",
        method="POST",
        url=lambda org: f"{API}/applications",
        make=_workplace,
        data=lambda world, wp: {
            **{
                key: value for key, value in _application_data(world, wp).items() if key != "preparatory_note"
            },
            "workplace": wp.pk,
        },
        model=FoundingApplication,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/applications/{{application_id}}",
        action="detail",
        url=lambda a: f"{API}/applications/{a.pk}",
        make=_application,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/applications/{{application_id}}/transitions",
        action="update",
        method="POST",
        url=lambda a: f"{API}/applications/{a.pk}/transitions",
        make=_application,
        data=_review,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/authority/{{org_id}}",
        action="update",
        method="PUT",
        url=lambda j: f"{API}/authority/{j.pk}",
        make=_joint_union,
        data=lambda world, j: {"holds_founding_authority": True},
    ),
]
UNSCOPED: dict[str, str] = {}
