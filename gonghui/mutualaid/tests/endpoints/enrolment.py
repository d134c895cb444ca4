"""Scoped endpoints: mutual aid enrolment (console and API).

The plan is run by the own union's district federation (the parent); the batches belong to the
own union, whose members are enrolled. The own union's officer and the district's may enrol
them and record the payment; the sibling district's officer sees nothing (404)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.members.models import Member
from gonghui.members.tests.factories import make_members
from gonghui.mutualaid.models import AidPlan, AidPlanStatus, EnrolmentBatch
from gonghui.mutualaid.tests.factories import make_enrolment, make_plan, make_rule
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/mutualaid/enrolment"
API = "/api/v1/mutualaid/enrolment-batches"


def _plan(org: Org) -> AidPlan:
    """An open plan of this year run by the federation above `org`, and members of `org`."""
    year = timezone.localdate().year
    plan = make_plan(
        Org.objects.get_parent(org), year=year, name=f"{year}年度互助", status=AidPlanStatus.OPEN
    )
    make_rule(plan)
    make_members(org, 2)
    return plan


def _batch(org: Org) -> EnrolmentBatch:
    plan = _plan(org)
    return make_enrolment(plan, Member.objects.filter(org=org).first()).batch  # type: ignore[arg-type]


def _union_of(plan: AidPlan) -> Org:
    return Org.objects.get(code="SCOPE-AX")


def _confirm_url(plan: AidPlan) -> str:
    return f"{CONSOLE}/plans/{plan.pk}/unions/{_union_of(plan).pk}/"


def _org_plan(org: Org) -> AidPlan:
    return AidPlan.objects.get(org=Org.objects.get_parent(org))


def _list_file(world: ScopeWorld, plan: AidPlan) -> dict[str, Any]:
    member = Member.objects.filter(org=world.own).order_by("pk").first()
    assert member is not None
    content = f"姓名,身份证号\r\n{member.name},{member.id_number}\r\n".encode()
    return {"mode": "enrol", "file": SimpleUploadedFile("名单.csv", content, content_type="text/csv")}


def _payment(world: ScopeWorld, batch: EnrolmentBatch) -> dict[str, Any]:
    return {
        "amount": f"{batch.total_contribution:.2f}",
        "reference": "HX20270001",
        "paid_on": timezone.localdate().isoformat(),
    }


def _api_batch(world: ScopeWorld, plan: AidPlan) -> dict[str, Any]:
    return {"plan": _org_plan(world.own).pk, "org": world.own.pk, "member_ids": None}


ENDPOINTS: list[ScopedEndpoint] = [
    # --- console ---
    ScopedEndpoint(
        covers="console:mutualaid:enrolment_list",
        action="list",
        url=lambda batch: f"{CONSOLE}/",
        make=_batch,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:enrolment_confirm", action="detail", url=_confirm_url, make=_plan
    ),
    ScopedEndpoint(
        covers="console:mutualaid:enrolment_confirm",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/plans/{_org_plan(org).pk}/unions/{org.pk}/",
        make=_plan,
        data=lambda world, plan: {},
        model=EnrolmentBatch,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:mutualaid:enrolment_upload",
        action="detail",
        url=lambda plan: f"{_confirm_url(plan)}list/",
        make=_plan,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:enrolment_upload",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/plans/{_org_plan(org).pk}/unions/{org.pk}/list/",
        make=_plan,
        data=_list_file,
        model=EnrolmentBatch,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:enrolment_batch",
        action="detail",
        url=lambda batch: f"{CONSOLE}/batches/{batch.pk}/",
        make=_batch,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:enrolment_payment",
        action="update",
        method="POST",
        url=lambda batch: f"{CONSOLE}/batches/{batch.pk}/payment/",
        make=_batch,
        data=_payment,
        ok=frozenset({302}),
    ),
    # --- API ---
    ScopedEndpoint(covers=f"GET {API}", action="list", url=lambda batch: API, make=_batch),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        make=_plan,
        data=_api_batch,
        model=EnrolmentBatch,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{batch_id}}", action="detail", url=lambda batch: f"{API}/{batch.pk}", make=_batch
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{batch_id}}/payment",
        action="update",
        method="POST",
        url=lambda batch: f"{API}/{batch.pk}/payment",
        make=_batch,
        data=_payment,
    ),
]

UNSCOPED: dict[str, str] = {}
