"""REST API of collective contracts (/api/v1/contracts), for officers.

Contracts in the caller's CONTRACTS_VIEW scope, registering one (a draft), its workflow steps
(bring into force, terminate), renewal, filing; coverage per child of an org; members'
bargaining topics with answering them. Writes need CONTRACTS_CHANGE on the contract's (or the
topic's) union. Out-of-scope objects are 404, exactly like missing ones. Errors are
`{code, message, fields}`: 409 `invalid_transition`, `overlapping_contract`, `already_renewed`,
`renewal_overlaps`, `not_renewable`, `term_over`, `number_taken`, `already_answered`; 422 with
the fields.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.contracts.models import (
    BargainingTopic,
    CollectiveContract,
    ContractKind,
    ContractScope,
    ContractStatus,
    ReviewResult,
    TopicCategory,
    TopicStatus,
)
from gonghui.contracts.selectors import (
    CoverageFigures,
    contracts_for,
    coverage_definition,
    coverage_orgs,
    coverage_report,
    default_coverage_org,
    filter_contracts,
    own_union_ids,
    proposer_label,
    topic_counts,
    topics_for,
)
from gonghui.contracts.services import contracts, topics
from gonghui.contracts.services.contracts import ClauseInput, ContractInput
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.errors import NotFound
from gonghui.core.inputs import CleanText
from gonghui.orgs.models import Industry, Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.orgs.selectors import org_in_scope

router = Router(tags=["contracts"])


class ClauseSchema(Schema):
    topic: TopicCategory
    text: str = Field(max_length=contracts.CLAUSE_MAX * 2)


class CoveredWorkplaceOut(Schema):
    id: int
    name: str
    credit_code: str


class ContractOut(Schema):
    id: int
    org: OrgRef
    scope: ContractScope
    kind: ContractKind
    title: str
    number: str
    signed_on: date
    term_start: date
    term_end: date
    workers_covered: int
    wage_increase: Decimal | None = Field(description="Percent; wage agreements only.")
    minimum_wage: Decimal | None = Field(description="Yuan a month; wage agreements only.")
    area_description: str
    industry: Industry | Literal[""]
    employer_representative: str
    union_representative: str
    filed_on: date | None
    review_result: ReviewResult
    review_note: str
    status: ContractStatus
    reminder_due_on: date
    ended_on: date | None
    end_reason: str
    previous_id: int | None
    renewal_id: int | None
    workplace_count: int


class ContractDetailOut(ContractOut):
    workplaces: list[CoveredWorkplaceOut]
    clauses: list[ClauseSchema]


class ContractListOut(PageOut):
    items: list[ContractOut]


class ContractQuery(Schema):
    kind: ContractKind | None = None
    scope: ContractScope | None = None
    status: ContractStatus | None = None
    expiring: bool = Field(False, description="In force and past the expiry reminder day.")
    page: PageNumber = 1


class TermsIn(Schema):
    title: CleanText = Field(max_length=contracts.TITLE_MAX)
    number: CleanText = Field("", max_length=contracts.NUMBER_MAX)
    signed_on: date
    term_start: date
    term_end: date
    workers_covered: int = Field(ge=1, le=contracts.MAX_WORKERS)
    wage_increase: Decimal | None = Field(None, description="Percent, wage agreements only.")
    minimum_wage: Decimal | None = Field(None, description="Yuan a month, wage agreements only.")
    area_description: CleanText = Field("", max_length=contracts.AREA_MAX)
    industry: Industry | Literal[""] = ""
    employer_representative: CleanText = Field(max_length=contracts.REPRESENTATIVE_MAX)
    union_representative: CleanText = Field(max_length=contracts.REPRESENTATIVE_MAX)
    workplaces: list[CleanText] = Field(
        max_length=contracts.MAX_WORKPLACES, description="Credit codes of the covered workplaces."
    )
    clauses: list[ClauseSchema] = Field([], max_length=contracts.MAX_CLAUSES)

    def data(self, *, scope: str, kind: str) -> ContractInput:
        return ContractInput(
            scope=scope,
            kind=kind,
            title=self.title,
            number=self.number,
            signed_on=self.signed_on,
            term_start=self.term_start,
            term_end=self.term_end,
            workers_covered=self.workers_covered,
            wage_increase=self.wage_increase,
            minimum_wage=self.minimum_wage,
            area_description=self.area_description,
            industry=self.industry,
            employer_representative=self.employer_representative,
            union_representative=self.union_representative,
            workplace_codes=self.workplaces,
            clauses=[ClauseInput(topic=clause.topic, text=clause.text) for clause in self.clauses],
        )


class ContractIn(TermsIn):
    org: str = Field(max_length=32, description="Code of the registering union.")
    scope: ContractScope
    kind: ContractKind


class ActionIn(Schema):
    action: Literal["bring_into_force", "terminate"]
    comment: str = Field("", max_length=contracts.REASON_MAX * 2)
    ended_on: date | None = Field(None, description="Terminating: the day the contract ended.")
    reason: str = Field("", max_length=contracts.REASON_MAX * 2, description="Terminating: why.")


class FilingIn(Schema):
    filed_on: date
    review_result: ReviewResult = ReviewResult.NONE
    review_note: str = Field("", max_length=contracts.REVIEW_NOTE_MAX * 2)


class FiguresOut(Schema):
    workplaces: int
    unionised: int
    covered: int
    covered_unionised: int
    rate_unionised: Decimal | None = Field(description="Covered unionised ÷ unionised workplaces, percent.")
    rate_all: Decimal | None = Field(description="Covered ÷ all workplaces, percent.")
    employees: int
    covered_employees: int
    rate_employees: Decimal | None
    by_kind: dict[str, int]


class CoverageLineOut(Schema):
    org: OrgRef
    is_self: bool = Field(description="The org's own workplaces, not those under its children.")
    figures: FiguresOut


class CoverageOut(Schema):
    org: OrgRef
    day: date
    definition: str
    lines: list[CoverageLineOut]
    total: FiguresOut


class CoverageQuery(Schema):
    org: Id | None = Field(None, description="The org; the top of my scope by default.")
    day: date | None = Field(None, description="Today by default.")


class TopicOut(Schema):
    id: int
    org: OrgRef
    proposer: str = Field(description="The member's name for officers of their own union, masked for others.")
    category: TopicCategory
    text: str
    status: TopicStatus
    reply: str
    replied_at: datetime | None
    created_at: datetime


class CategoryCountOut(Schema):
    category: TopicCategory
    open: int
    adopted: int
    not_adopted: int


class TopicListOut(PageOut):
    counts: list[CategoryCountOut]
    items: list[TopicOut]


class TopicQuery(Schema):
    category: TopicCategory | None = None
    status: TopicStatus | None = None
    page: PageNumber = 1


class AnswerIn(Schema):
    status: Literal["adopted", "not_adopted"]
    reply: str = Field(max_length=topics.REPLY_MAX * 2)


def _org_ref(org: Org) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def contract_out(contract: CollectiveContract) -> dict[str, Any]:
    renewal = getattr(contract, "renewal", None)
    count = getattr(contract, "workplace_count", None)
    return {
        "id": contract.pk,
        "org": _org_ref(contract.org),
        **{
            name: getattr(contract, name)
            for name in (
                "scope",
                "kind",
                "title",
                "number",
                "signed_on",
                "term_start",
                "term_end",
                "workers_covered",
                "wage_increase",
                "minimum_wage",
                "area_description",
                "industry",
                "employer_representative",
                "union_representative",
                "filed_on",
                "review_result",
                "review_note",
                "status",
                "reminder_due_on",
                "ended_on",
                "end_reason",
                "previous_id",
            )
        },
        "renewal_id": renewal.pk if renewal is not None else None,
        "workplace_count": count if count is not None else contract.coverage.count(),
    }


def _rows() -> Any:
    return CollectiveContract.objects.select_related("org", "renewal").annotate(
        workplace_count=Count("coverage")
    )


def _detail(request: HttpRequest, contract_id: int) -> dict[str, Any]:
    contract = get_visible(_rows(), request_user(request), Perm.CONTRACTS_VIEW, pk=contract_id)
    return {
        **contract_out(contract),
        "workplaces": [
            {"id": w.pk, "name": w.name, "credit_code": w.credit_code}
            for w in contract.workplaces.order_by("name", "pk")[: contracts.MAX_WORKPLACES]
        ],
        "clauses": [{"topic": clause.topic, "text": clause.text} for clause in contract.clauses.all()],
    }


def _figures(figures: CoverageFigures) -> dict[str, Any]:
    return {
        "workplaces": figures.workplaces,
        "unionised": figures.unionised,
        "covered": figures.covered,
        "covered_unionised": figures.covered_unionised,
        "rate_unionised": figures.rate_unionised,
        "rate_all": figures.rate_all,
        "employees": figures.employees,
        "covered_employees": figures.covered_employees,
        "rate_employees": figures.rate_employees,
        "by_kind": dict(figures.by_kind) or {kind.value: 0 for kind in ContractKind},
    }


def topic_out(topic: BargainingTopic, own_unions: set[int]) -> dict[str, Any]:
    return {
        "id": topic.pk,
        "org": _org_ref(topic.org),
        "proposer": proposer_label(topic, own_unions),
        "category": topic.category,
        "text": topic.text,
        "status": topic.status,
        "reply": topic.reply,
        "replied_at": topic.replied_at,
        "created_at": topic.created_at,
    }


# --- coverage and topics first: their paths would otherwise read as a contract id ---------------


@router.get("/coverage", response=CoverageOut, summary="Coverage rates per child of an org")
def coverage(request: HttpRequest, query: Query[CoverageQuery]) -> dict[str, Any]:
    user = request_user(request)
    org = (
        default_coverage_org(user) if query.org is None else coverage_orgs(user).filter(pk=query.org).first()
    )
    if org is None:
        raise NotFound(_("There is no such organisation."))
    report = coverage_report(org, query.day or timezone.localdate())
    return {
        "org": _org_ref(org),
        "day": report.day,
        "definition": coverage_definition(),
        "lines": [
            {"org": _org_ref(line.org), "is_self": line.is_self, "figures": _figures(line.figures)}
            for line in report.lines
        ],
        "total": _figures(report.total),
    }


@router.get("/topics", response=TopicListOut, summary="Bargaining topics of the unions in my scope")
def topic_list(request: HttpRequest, query: Query[TopicQuery]) -> dict[str, Any]:
    user = request_user(request)
    rows = topics_for(user)
    counts = topic_counts(rows)
    if query.category:
        rows = rows.filter(category=query.category)
    if query.status:
        rows = rows.filter(status=query.status)
    header, items = page_of(rows.order_by("-created_at", "-pk"), query.page)
    own = own_union_ids(user)
    return {
        **header,
        "counts": [
            {"category": c.category, "open": c.open, "adopted": c.adopted, "not_adopted": c.not_adopted}
            for c in counts
        ],
        "items": [topic_out(topic, own) for topic in items],
    }


@router.post("/topics/{topic_id}/answer", response=TopicOut, summary="Adopt a topic or not, with an answer")
def topic_answer(request: HttpRequest, topic_id: PathId, payload: AnswerIn) -> dict[str, Any]:
    user = request_user(request)
    topics.answer_topic(topic_id, actor=user, status=payload.status, reply=payload.reply)
    topic = get_visible(topics_for(user), user, Perm.CONTRACTS_VIEW, pk=topic_id)
    return topic_out(topic, own_union_ids(user))


# --- contracts ---------------------------------------------------------------------------------


@router.get("", response=ContractListOut, summary="Collective contracts in my scope")
def contract_list(request: HttpRequest, query: Query[ContractQuery]) -> dict[str, Any]:
    rows = filter_contracts(
        contracts_for(request_user(request))
        .select_related("renewal")
        .annotate(workplace_count=Count("coverage")),
        kind=query.kind or "",
        scope=query.scope or "",
        status=query.status or "",
        expiring=query.expiring,
        today=timezone.localdate(),
    ).order_by("term_end", "pk")
    header, items = page_of(rows, query.page)
    return {**header, "items": [contract_out(contract) for contract in items]}


@router.post("", response={201: ContractDetailOut}, summary="Register a contract (as a draft)")
def contract_create(request: HttpRequest, payload: ContractIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    org = org_in_scope(user, Perm.CONTRACTS_CHANGE, payload.org)
    contract = contracts.register_contract(
        actor=user, org_id=org.pk, data=payload.data(scope=payload.scope, kind=payload.kind)
    )
    return Status(201, _detail(request, contract.pk))


@router.get("/{contract_id}", response=ContractDetailOut, summary="One contract")
def contract_detail(request: HttpRequest, contract_id: PathId) -> dict[str, Any]:
    return _detail(request, contract_id)


@router.post("/{contract_id}/action", response=ContractDetailOut, summary="Bring into force or terminate")
def contract_action(request: HttpRequest, contract_id: PathId, payload: ActionIn) -> dict[str, Any]:
    contracts.take_action(
        contract_id,
        actor=request_user(request),
        action=payload.action,
        comment=payload.comment,
        ended_on=payload.ended_on,
        reason=payload.reason,
    )
    return _detail(request, contract_id)


@router.post("/{contract_id}/renew", response={201: ContractDetailOut}, summary="Register the renewal")
def contract_renew(request: HttpRequest, contract_id: PathId, payload: TermsIn) -> Status[dict[str, Any]]:
    previous = get_visible(CollectiveContract, request_user(request), Perm.CONTRACTS_VIEW, pk=contract_id)
    contract = contracts.renew_contract(
        previous.pk, actor=request_user(request), data=payload.data(scope=previous.scope, kind=previous.kind)
    )
    return Status(201, _detail(request, contract.pk))


@router.put(
    "/{contract_id}",
    response=ContractDetailOut,
    summary="Correct a draft",
    description="Every field, the covered workplaces and the clauses, as when registering; the union, "
    "the scope and the kind stay. 409 `not_a_draft` once the contract is in force.",
)
def contract_change(request: HttpRequest, contract_id: PathId, payload: TermsIn) -> dict[str, Any]:
    draft = get_visible(CollectiveContract, request_user(request), Perm.CONTRACTS_VIEW, pk=contract_id)
    contracts.change_draft(
        draft.pk, actor=request_user(request), data=payload.data(scope=draft.scope, kind=draft.kind)
    )
    return _detail(request, draft.pk)


@router.put("/{contract_id}/filing", response=ContractDetailOut, summary="Record the filing and its review")
def contract_filing(request: HttpRequest, contract_id: PathId, payload: FilingIn) -> dict[str, Any]:
    contracts.record_filing(
        contract_id,
        actor=request_user(request),
        filed_on=payload.filed_on,
        review_result=payload.review_result,
        review_note=payload.review_note,
    )
    return _detail(request, contract_id)
