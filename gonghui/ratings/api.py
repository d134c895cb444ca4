"""REST API of vitality ratings: mounted by gonghui.api at /api/v1/ratings.

Checklists are read-only here (they are managed in the console). A rating is started with
POST /assessments, filled in with PUT …/answers, reviewed with PUT …/review and moved through its
workflow with POST …/transitions. Reviewed scores, stars and the opinion are null until the rating
is published, except for those who may review it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.core.api_types import MAX_ID, PathId
from gonghui.core.inputs import CleanText
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.ratings import selectors, services
from gonghui.ratings.models import (
    MAX_ITEM_SCORE,
    MAX_YEAR,
    MIN_YEAR,
    STAR_LEVELS,
    Assessment,
    AssessmentAction,
    AssessmentAnswer,
    AssessmentStatus,
    Checklist,
    ChecklistItem,
    ChecklistStatus,
    SixHaves,
)

router = Router(tags=["ratings"])

MAX_PAGE = 100
MAX_OFFSET = 1_000_000
MAX_ITEMS = 200  # answers or scores in one request: far more than any checklist has

Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Rows per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]


# --- output ------------------------------------------------------------------------------------


class ChecklistItemOut(Schema):
    id: int
    section: SixHaves
    section_label: str
    text: str
    max_score: int
    order: int


class ChecklistOut(Schema):
    id: int
    year: int
    title: str
    issued_by_id: int
    issued_by_name: str
    status: ChecklistStatus
    thresholds: list[int] = Field(description="Minimum reviewed total for 1, 2, 3, 4 and 5 stars.")
    published_at: datetime | None


class ChecklistDetailOut(ChecklistOut):
    max_total: int = Field(description="The highest total a union can reach: the sum of the items' maxima.")
    items: list[ChecklistItemOut]


class ChecklistPage(Schema):
    count: int
    items: list[ChecklistOut]


class AssessmentOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    checklist_id: int
    status: AssessmentStatus
    self_score: int
    review_score: int | None = Field(description="Null until published, except for those who may review.")
    stars: int | None = Field(description="0 (below one star) to 5; null like review_score.")
    return_reason: str = Field(description="Why it was last returned for rework; empty once resubmitted.")
    submitted_at: datetime | None
    reviewed_at: datetime | None
    published_at: datetime | None


class AnswerOut(Schema):
    item_id: int
    section: SixHaves
    text: str
    max_score: int
    self_score: int | None
    evidence: str
    review_score: int | None
    review_note: str


class HistoryOut(Schema):
    action: AssessmentAction
    from_status: AssessmentStatus | Literal[""]
    to_status: AssessmentStatus
    actor: str
    comment: str
    created_at: datetime


class AssessmentDetailOut(AssessmentOut):
    reviewer_org_id: int | None
    reviewer_org_name: str
    opinion: str
    allowed_actions: list[AssessmentAction] = Field(description="The transitions you may take now.")
    answers: list[AnswerOut]
    history: list[HistoryOut]


class AssessmentPage(Schema):
    count: int
    items: list[AssessmentOut]


class StarCount(Schema):
    stars: int = Field(description="0 means below one star.")
    unions: int


class CountsOut(Schema):
    org_id: int
    org_name: str
    unions: int = Field(description="Active grassroots and joint unions in the subtree.")
    rated: int = Field(description="Of those, how many have a published rating for the year.")
    three_star_plus: int
    share: float | None = Field(description="3-star-and-above unions as a percentage of the unions.")
    by_stars: list[StarCount]


class SummaryOut(CountsOut):
    year: int
    children: list[CountsOut] = Field(description="The same figures for each org directly under this one.")


def _checklist_out(checklist: Checklist) -> dict[str, Any]:
    return {
        "id": checklist.pk,
        "year": checklist.year,
        "title": checklist.title,
        "issued_by_id": checklist.issued_by_id,
        "issued_by_name": checklist.issued_by.name,
        "status": checklist.status,
        "thresholds": list(checklist.thresholds),
        "published_at": checklist.published_at,
    }


def _item_out(item: ChecklistItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "section": item.section,
        "section_label": item.get_section_display(),
        "text": item.text,
        "max_score": item.max_score,
        "order": item.order,
    }


def _assessment_out(assessment: Assessment, user: Any) -> dict[str, Any]:
    shown = selectors.rating_shown_to(user, assessment)
    return {
        "id": assessment.pk,
        "org_id": assessment.org_id,
        "org_name": assessment.org.name,
        "year": assessment.year,
        "checklist_id": assessment.checklist_id,
        "status": assessment.status,
        "self_score": assessment.self_score,
        "review_score": assessment.review_score if shown else None,
        "stars": assessment.stars if shown else None,
        "return_reason": assessment.return_reason,
        "submitted_at": assessment.submitted_at,
        "reviewed_at": assessment.reviewed_at,
        "published_at": assessment.published_at,
    }


def _answer_out(answer: AssessmentAnswer, shown: bool) -> dict[str, Any]:
    return {
        "item_id": answer.item_id,
        "section": answer.item.section,
        "text": answer.item.text,
        "max_score": answer.item.max_score,
        "self_score": answer.self_score,
        "evidence": answer.evidence,
        "review_score": answer.review_score if shown else None,
        "review_note": answer.review_note if shown else "",
    }


def _detail(assessment_id: int, user: Any) -> dict[str, Any]:
    rows = Assessment.objects.select_related("org", "reviewer_org")
    assessment = get_visible(rows, user, Perm.RATING_VIEW, pk=assessment_id)
    shown = selectors.rating_shown_to(user, assessment)
    answers = assessment.answers.select_related("item").order_by("item__order", "item_id")
    history = assessment.history.select_related("actor")
    return {
        **_assessment_out(assessment, user),
        "reviewer_org_id": assessment.reviewer_org_id if shown else None,
        "reviewer_org_name": assessment.reviewer_org.name if shown and assessment.reviewer_org else "",
        "opinion": assessment.opinion if shown else "",
        "allowed_actions": selectors.allowed_actions(user, assessment),
        "answers": [_answer_out(answer, shown) for answer in answers],
        "history": [
            {
                "action": entry.action,
                "from_status": entry.from_status,
                "to_status": entry.to_status,
                "actor": str(entry.actor) if entry.actor else "",
                "comment": entry.comment,
                "created_at": entry.created_at,
            }
            for entry in history
        ],
    }


def _counts_out(counts: selectors.RatingCounts) -> dict[str, Any]:
    return {
        "org_id": counts.org.pk,
        "org_name": counts.org.name,
        "unions": counts.unions,
        "rated": counts.rated,
        "three_star_plus": counts.three_star_plus,
        "share": None if counts.share is None else float(counts.share),
        "by_stars": [
            {"stars": stars, "unions": counts.by_stars[stars]} for stars in (*reversed(STAR_LEVELS), 0)
        ],
    }


# --- input -------------------------------------------------------------------------------------


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org_id: int = Field(ge=1, le=MAX_ID, description="The grassroots or joint union to rate.")
    year: Year


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    item_id: int = Field(ge=1, le=MAX_ID)
    self_score: int | None = Field(ge=0, le=MAX_ITEM_SCORE, description="Null clears the score.")
    evidence: Annotated[CleanText, Field(max_length=services.MAX_EVIDENCE)] = ""


class AnswersIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answers: list[AnswerIn] = Field(max_length=MAX_ITEMS, description="Items not listed keep their answers.")


class ReviewScoreIn(Schema):
    model_config = ConfigDict(extra="forbid")

    item_id: int = Field(ge=1, le=MAX_ID)
    review_score: int | None = Field(ge=0, le=MAX_ITEM_SCORE, description="Null clears the score.")
    note: Annotated[CleanText, Field(max_length=services.MAX_NOTE)] = ""


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    scores: list[ReviewScoreIn] = Field(
        max_length=MAX_ITEMS, description="Items not listed keep their scores."
    )
    opinion: Annotated[CleanText, Field(max_length=services.MAX_OPINION)] = ""


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["submit", "approve", "return", "publish"] = Field(
        description="submit (the union), approve, return or publish (a superior org's reviewer)."
    )
    comment: Annotated[CleanText, Field(max_length=services.MAX_COMMENT)] = Field(
        "", description="Required for return: the reason, shown to the union."
    )


# --- checklists --------------------------------------------------------------------------------


@router.get(
    "/checklists", response=ChecklistPage, summary="Checklists issued in your scope or applying to it"
)
def list_checklists(
    request: HttpRequest,
    year: Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Checklists issued by orgs in your scope, and the published ones issued above it (those your
    unions are assessed against), newest year first."""
    rows = selectors.checklists_for(request_user(request))
    if year is not None:
        rows = rows.filter(year=year)
    return {"count": rows.count(), "items": [_checklist_out(c) for c in rows[offset : offset + limit]]}


@router.get("/checklists/{checklist_id}", response=ChecklistDetailOut, summary="A checklist with its items")
def get_checklist(request: HttpRequest, checklist_id: PathId) -> dict[str, Any]:
    user = request_user(request)
    checklist = selectors.checklist_for(user, checklist_id)
    items = list(checklist.items.all())
    return {
        **_checklist_out(checklist),
        "max_total": sum(item.max_score for item in items),
        "items": [_item_out(item) for item in items],
    }


# --- assessments -------------------------------------------------------------------------------


@router.get("/assessments", response=AssessmentPage, summary="Ratings in your scope")
def list_assessments(
    request: HttpRequest,
    year: Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR)] = None,
    status: AssessmentStatus | None = None,
    min_stars: Annotated[
        int | None, Query(ge=1, le=5, description="Published ratings with this many stars or more.")
    ] = None,
    org_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only the subtree of this org.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    user = request_user(request)
    under = get_visible(Org, user, Perm.RATING_VIEW, pk=org_id) if org_id is not None else None
    rows = selectors.assessments_for(user, year=year, status=status, min_stars=min_stars, under=under)
    return {
        "count": rows.count(),
        "items": [
            _assessment_out(a, user) for a in rows.order_by("-year", "org__path")[offset : offset + limit]
        ],
    }


@router.post("/assessments", response={201: AssessmentDetailOut}, summary="Start a union's self-assessment")
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[dict[str, Any]]:
    """Opens the rating of `org_id` for `year` against the published checklist of its nearest
    issuing federation. Needs the union's own officers' rights (or a federation's above it)."""
    user = request_user(request)
    assessment = services.start_assessment(org=payload.org_id, year=payload.year, actor=user)
    return Status(201, _detail(assessment.pk, user))


@router.get("/assessments/{assessment_id}", response=AssessmentDetailOut, summary="A rating with its answers")
def get_assessment(request: HttpRequest, assessment_id: PathId) -> dict[str, Any]:
    return _detail(assessment_id, request_user(request))


@router.put(
    "/assessments/{assessment_id}/answers",
    response=AssessmentDetailOut,
    summary="Save self-assessment answers",
)
def update_answers(request: HttpRequest, assessment_id: PathId, payload: AnswersIn) -> dict[str, Any]:
    """While the union assesses itself: a score (0 to the item's maximum) and evidence per item.
    Field errors point at `answers.<index>.self_score`."""
    user = request_user(request)
    inputs = [services.AnswerInput(a.item_id, a.self_score, a.evidence) for a in payload.answers]
    services.save_answers(assessment_id, answers=inputs, actor=user)
    return _detail(assessment_id, user)


@router.put("/assessments/{assessment_id}/review", response=AssessmentDetailOut, summary="Save review scores")
def update_review(request: HttpRequest, assessment_id: PathId, payload: ReviewIn) -> dict[str, Any]:
    """A superior org's reviewer scores a submitted self-assessment item by item (approve it with
    the `approve` transition). An officer of the union itself gets 403, whatever their role."""
    user = request_user(request)
    inputs = [services.ReviewInput(s.item_id, s.review_score, s.note) for s in payload.scores]
    services.review_assessment(assessment_id, scores=inputs, opinion=payload.opinion, actor=user)
    return _detail(assessment_id, user)


@router.post(
    "/assessments/{assessment_id}/transitions", response=AssessmentDetailOut, summary="Move a rating on"
)
def create_transition(request: HttpRequest, assessment_id: PathId, payload: TransitionIn) -> dict[str, Any]:
    """draft → submitted (submit) → reviewed (approve) → published (publish); return sends a
    submitted or reviewed rating back to draft with a reason. Anything else: 409 invalid_transition."""
    user = request_user(request)
    services.transition_assessment(assessment_id, action=payload.action, actor=user, comment=payload.comment)
    return _detail(assessment_id, user)


# --- counts ------------------------------------------------------------------------------------


@router.get("/summary", response=SummaryOut, summary="Rated and 3-star-and-above unions in a subtree")
def summary(
    request: HttpRequest,
    org_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    year: Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description="Default: this year.")] = None,
) -> dict[str, Any]:
    """Published ratings of the year under `org_id`, with the same figures for each org directly
    under it."""
    root = get_visible(Org, request_user(request), Perm.RATING_VIEW, pk=org_id)
    year = year or timezone.localdate().year
    return {
        **_counts_out(selectors.subtree_counts(root, year)),
        "year": year,
        "children": [_counts_out(counts) for counts in selectors.child_counts(root, year)],
    }
