"""REST API of mutual aid plans and their benefit rules, mounted at /api/v1/mutualaid/plans.

Reads need MUTUALAID_VIEW on the federation running the plan (or above it); writes need
MUTUALAID_MANAGE there (the services check). A plan out of scope answers 404, exactly like a
missing one; one the caller sees but may not manage answers 403 on a write. Amounts and rates
are decimal strings ("60.00", "0.50"), never JSON numbers, in and out. A rule is never changed:
`POST /{plan_id}/rules` adds the next version for its claim type.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.accounts.models import User
from gonghui.api import request_user
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.errors import NotFound
from gonghui.core.inputs import CleanText
from gonghui.mutualaid.models import (
    AID_PLAN_TRANSITIONS,
    MAX_NAME,
    MAX_NOTE,
    MAX_YEAR,
    MIN_YEAR,
    AidPlan,
    AidPlanAction,
    AidPlanStatus,
    BenefitRule,
    ClaimType,
)
from gonghui.mutualaid.services import plans as services
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible

router = Router(tags=["mutualaid"])

Amount = Annotated[
    str, Field(max_length=24, description='Yuan as a decimal string with at most 2 places, e.g. "60.00".')
]


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


class BandOut(Schema):
    up_to: Decimal | None = Field(description="Upper limit above the deductible; null: open-ended.")
    rate: Decimal = Field(description="Reimbursement rate from 0 to 1.")


class RuleOut(Schema):
    id: int
    claim_type: ClaimType
    version: int
    effective_from: date
    deductible: Decimal
    per_claim_cap: Decimal
    per_year_cap: Decimal
    waiting_days: int
    bands: list[BandOut]
    note: str
    created_by: str = Field(description="The display name of who added the version (empty if unknown).")
    created_at: datetime


class ClaimTypeRulesOut(Schema):
    claim_type: ClaimType
    in_force_version: int | None = Field(description="The version in force today; null when none is.")
    versions: list[RuleOut] = Field(description="Every version, oldest first.")


class PlanOut(Schema):
    id: int
    org: OrgRef
    year: int
    name: str
    coverage_start: date
    coverage_end: date
    contribution_per_member: Decimal
    second_review_rate: Decimal
    status: AidPlanStatus


class PlanStepOut(Schema):
    action: AidPlanAction
    from_status: str = Field(description="Empty for the first step.")
    to_status: AidPlanStatus
    time: datetime


class PlanDetailOut(PlanOut):
    actions: list[AidPlanAction] = Field(description="The steps the caller may take now.")
    rules: list[ClaimTypeRulesOut] = Field(description="One entry per claim type the plan has a rule for.")
    history: list[PlanStepOut]


class PlanPage(PageOut):
    items: list[PlanOut]


class PlanQuery(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, description="Only plans of this year.")
    org: Id | None = Field(None, description="Only plans run by this federation.")
    status: AidPlanStatus | None = None
    page: PageNumber = 1


class PlanIn(Schema):
    org: Id = Field(description="The federation running the plan (MUTUALAID_MANAGE there).")
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    name: Annotated[CleanText, Field(max_length=MAX_NAME)]
    coverage_start: date
    coverage_end: date = Field(
        description="At most one year after the start (before the same day a year later)."
    )
    contribution_per_member: Amount


class BandIn(Schema):
    up_to: Amount | None = Field(description="Upper limit above the deductible; null for the last band only.")
    rate: Annotated[str, Field(max_length=12, description='A decimal from 0 to 1, e.g. "0.50".')]


class RuleIn(Schema):
    claim_type: ClaimType
    effective_from: date = Field(description="In the coverage period, not before the previous version's.")
    deductible: Amount
    per_claim_cap: Amount
    per_year_cap: Amount
    waiting_days: int = Field(ge=0, le=366)
    bands: list[BandIn] = Field(max_length=20, description="Ascending; the last one open-ended.")
    note: Annotated[CleanText, Field(max_length=MAX_NOTE)] = ""


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _org_ref(org: Org) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def _plan_out(plan: AidPlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "org": _org_ref(plan.org),
        "year": plan.year,
        "name": plan.name,
        "coverage_start": plan.coverage_start,
        "coverage_end": plan.coverage_end,
        "contribution_per_member": plan.contribution_per_member,
        "second_review_rate": plan.second_review_rate,
        "status": plan.status,
    }


def _rule_out(rule: BenefitRule) -> dict[str, Any]:
    author = rule.created_by
    return {
        "id": rule.pk,
        "claim_type": rule.claim_type,
        "version": rule.version,
        "effective_from": rule.effective_from,
        "deductible": rule.deductible,
        "per_claim_cap": rule.per_claim_cap,
        "per_year_cap": rule.per_year_cap,
        "waiting_days": rule.waiting_days,
        "bands": rule.bands,
        "note": rule.note,
        "created_by": (author.display_name or author.get_username()) if author is not None else "",
        "created_at": rule.created_at,
    }


def _visible_plan(user: User, pk: int) -> AidPlan:
    plan = visible(AidPlan, user, Perm.MUTUALAID_VIEW).select_related("org").filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def _detail(user: User, plan: AidPlan) -> dict[str, Any]:
    today = timezone.localdate()
    rules = list(
        visible(BenefitRule, user, Perm.MUTUALAID_VIEW)
        .filter(plan=plan)
        .select_related("created_by")
        .order_by("claim_type", "version")
    )
    sections = []
    for claim_type in ClaimType:
        versions = [rule for rule in rules if rule.claim_type == claim_type]
        if not versions:
            continue
        try:
            in_force: int | None = services.rule_in_force(plan, claim_type, today).version
        except NotFound:
            in_force = None
        sections.append(
            {
                "claim_type": claim_type,
                "in_force_version": in_force,
                "versions": [_rule_out(rule) for rule in versions],
            }
        )
    return {
        **_plan_out(plan),
        "actions": [
            transition.action
            for transition in AID_PLAN_TRANSITIONS.available(plan.status)
            if has_perm_at(user, transition.perm, plan.org.path)
        ],
        "rules": sections,
        "history": [
            {
                "action": step.action,
                "from_status": step.from_status,
                "to_status": step.to_status,
                "time": step.created_at,
            }
            for step in plan.history.order_by("created_at", "id")
        ],
    }


# --------------------------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------------------------


@router.get("", response=PlanPage, summary="Mutual aid plans in the caller's scope")
def list_plans(request: HttpRequest, query: Query[PlanQuery]) -> dict[str, Any]:
    """Latest year first. Needs MUTUALAID_VIEW somewhere; an empty list otherwise."""
    rows = visible(AidPlan, request_user(request), Perm.MUTUALAID_VIEW).select_related("org")
    if query.year is not None:
        rows = rows.filter(year=query.year)
    if query.org is not None:
        rows = rows.filter(org_id=query.org)
    if query.status is not None:
        rows = rows.filter(status=query.status)
    meta, items = page_of(rows.order_by("-year", "org__path", "name", "id"), query.page)
    return {**meta, "items": [_plan_out(plan) for plan in items]}


@router.post(
    "",
    response={201: PlanDetailOut},
    summary="Create a plan (a draft)",
    openapi_extra={"responses": {"403": {"description": "`forbidden`: MUTUALAID_VIEW but not MANAGE."}}},
)
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    """A draft plan of a federation; add its rules, then open it."""
    user = request_user(request)
    org = Org.objects.filter(pk=payload.org).first()
    if org is None:
        raise NotFound(_("The organisation was not found."))
    plan = services.create_plan(
        org=org,
        year=payload.year,
        name=payload.name,
        coverage_start=payload.coverage_start,
        coverage_end=payload.coverage_end,
        contribution_per_member=payload.contribution_per_member,
        actor=user,
    )
    return Status(201, _detail(user, _visible_plan(user, plan.pk)))


@router.get("/{int:plan_id}", response=PlanDetailOut, summary="One plan, with its rules and their versions")
def get_plan(request: HttpRequest, plan_id: PathId) -> dict[str, Any]:
    user = request_user(request)
    return _detail(user, _visible_plan(user, plan_id))


_STEP_ERRORS = {
    "responses": {
        "403": {"description": "`forbidden`: the caller may see the plan but not manage it."},
        "409": {"description": "`invalid_transition`; `conflict`: no rule yet (opening)."},
    }
}


@router.post(
    "/{int:plan_id}/open", response=PlanDetailOut, summary="Open a draft plan", openapi_extra=_STEP_ERRORS
)
def open_plan(request: HttpRequest, plan_id: PathId) -> dict[str, Any]:
    """Draft → open: unions can enrol their members and claims can be made. Needs a rule."""
    user = request_user(request)
    plan = services.open_plan(_visible_plan(user, plan_id), actor=user)
    return _detail(user, _visible_plan(user, plan.pk))


@router.post(
    "/{int:plan_id}/close", response=PlanDetailOut, summary="Close a plan", openapi_extra=_STEP_ERRORS
)
def close_plan(request: HttpRequest, plan_id: PathId) -> dict[str, Any]:
    """Open → closed: no new rule versions; the rules stay for recomputing past claims."""
    user = request_user(request)
    plan = services.close_plan(_visible_plan(user, plan_id), actor=user)
    return _detail(user, _visible_plan(user, plan.pk))


@router.post(
    "/{int:plan_id}/rules",
    response={201: RuleOut},
    summary="Add a version of a plan's benefit rule",
    openapi_extra={
        "responses": {
            "403": {"description": "`forbidden`: the caller may see the plan but not manage it."},
            "409": {"description": "`conflict`: the plan is closed."},
            "422": {"description": "`validation_error`: e.g. `bands.1.up_to`, `effective_from`."},
        }
    },
)
def add_rule_version(request: HttpRequest, plan_id: PathId, payload: RuleIn) -> Status[dict[str, Any]]:
    """Version n + 1 for the claim type (1 when it has none), in force for treatment from
    `effective_from` on; claims treated earlier keep the version in force then."""
    user = request_user(request)
    rule = services.add_rule_version(
        _visible_plan(user, plan_id),
        claim_type=payload.claim_type,
        effective_from=payload.effective_from,
        deductible=payload.deductible,
        per_claim_cap=payload.per_claim_cap,
        per_year_cap=payload.per_year_cap,
        waiting_days=payload.waiting_days,
        bands=[band.model_dump() for band in payload.bands],
        note=payload.note,
        actor=user,
    )
    return Status(201, _rule_out(BenefitRule.objects.select_related("created_by").get(pk=rule.pk)))
