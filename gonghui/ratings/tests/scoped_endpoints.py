"""Every ratings page and API operation, for the scoping test base (gonghui.orgs.tests.scoping).

The base's world: city ── district A (parent) ── union X (own); district B ── union Y (sibling).
Ratings belong to X and are assessed against a checklist issued by A, as in real life.
Checklists belong to whoever issued them: the checklist endpoints use one issued by X itself,
which the services would refuse (X is no federation) but which places it exactly where the base
needs it.

Two kinds of endpoint differ from the base's "parent and own succeed" on purpose:
- Review (GET/POST …/review/, PUT …/review): only a *superior* org reviews. The own officer holds
  RATING_REVIEW through their grant on X itself, which does not count: they get 403 (they can see
  the rating, so not 404). `ok` therefore admits 403; test_review_authority checks that the
  parent officer succeeds and the own officer is refused with nothing changed.
- New checklist (POST /checklists/new/): the form offers the federations where the officer may
  issue checklists; it is posted for A. The parent officer creates it; the own officer, who has
  no federation to offer, gets the form back with its error (422), as the sibling does.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed
from gonghui.ratings.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentStatus,
    Checklist,
    ChecklistItem,
    ChecklistStatus,
    SixHaves,
)

YEAR = timezone.localdate().year
ITEMS = ((SixHaves.OFFICERS, "工会主席依法民主选举产生", 60), (SixHaves.FUNDS, "工会经费足额拨缴", 40))


def _checklist(issuer: Org, *, published: bool = True) -> Checklist:
    checklist = Checklist.objects.create(
        issued_by=issuer,
        year=YEAR,
        title=f"{issuer.name}{YEAR}年度评价标准",
        status=ChecklistStatus.PUBLISHED if published else ChecklistStatus.DRAFT,
        published_at=timezone.now() if published else None,
    )
    for order, (section, text, score) in enumerate(ITEMS):
        ChecklistItem.objects.create(
            checklist=checklist, section=section, text=text, max_score=score, order=order
        )
    return checklist


def _draft_checklist(org: Org) -> Checklist:
    return _checklist(org, published=False)


def _parent(org: Org) -> Org:
    parent: Org = Org.objects.get(path=org.path[: -Org.steplen])
    return parent


def _with_checklist(org: Org) -> Org:
    """`org`, once a published checklist issued by its parent applies to it."""
    _checklist(_parent(org))
    return org


def _with_draft_checklist(org: Org) -> Org:
    _draft_checklist(org)
    return org


def _item(org: Org) -> ChecklistItem:
    return _draft_checklist(org).items.first()  # type: ignore[return-value]


def _assessment(org: Org, status: str = AssessmentStatus.DRAFT, *, scored: bool = False) -> Assessment:
    checklist = _checklist(_parent(org))
    reviewed = status in {AssessmentStatus.REVIEWED, AssessmentStatus.PUBLISHED}
    assessment = Assessment.objects.create(
        org=org,
        checklist=checklist,
        year=YEAR,
        status=status,
        self_score=80 if scored or status != AssessmentStatus.DRAFT else 0,
        review_score=80 if reviewed else None,
        stars=3 if reviewed else None,
    )
    for item in checklist.items.all():
        score = item.max_score * 4 // 5 if scored or status != AssessmentStatus.DRAFT else None
        AssessmentAnswer.objects.create(
            assessment=assessment, item=item, self_score=score, review_score=score if reviewed else None
        )
    return assessment


def _published(org: Org) -> Assessment:
    return _assessment(org, AssessmentStatus.PUBLISHED)


def _submitted(org: Org) -> Assessment:
    return _assessment(org, AssessmentStatus.SUBMITTED)


def _reviewed(org: Org) -> Assessment:
    return _assessment(org, AssessmentStatus.REVIEWED)


def _scored_draft(org: Org) -> Assessment:
    return _assessment(org, scored=True)


def _scores_form(world: ScopeWorld, assessment: Assessment) -> dict[str, Any]:
    """The self-assessment or review form, 30 points for each item, saved."""
    return {f"score_{answer.item_id}": 30 for answer in assessment.answers.all()} | {"then": "save"}


def _answers_json(world: ScopeWorld, assessment: Assessment) -> dict[str, Any]:
    return {"answers": [{"item_id": a.item_id, "self_score": 30} for a in assessment.answers.all()]}


def _review_json(world: ScopeWorld, assessment: Assessment) -> dict[str, Any]:
    return {"scores": [{"item_id": a.item_id, "review_score": 30} for a in assessment.answers.all()]}


def _checklist_of(org: Org) -> Checklist:
    return Checklist.objects.get(issued_by=org)


THRESHOLDS = {"star1_min": 60, "star2_min": 70, "star3_min": 80, "star4_min": 90, "star5_min": 95}
OK_REDIRECT = frozenset({302})
OK_OR_NOT_SUPERIOR = frozenset({200, 403})

ENDPOINTS = [
    # --- console: ratings --------------------------------------------------------------------
    ScopedEndpoint(
        covers="console:ratings:list",
        action="list",
        url=lambda a: "/console/ratings/",
        make=_published,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:ratings:summary",
        action="detail",
        url=lambda org: f"/console/ratings/summary/?org={org.pk}",
    ),
    ScopedEndpoint(
        covers="console:ratings:start",
        action="create",
        url=lambda org: f"/console/ratings/orgs/{org.pk}/start/",
        make=_with_checklist,
        method="POST",
        data=lambda world, org: {"year": YEAR},
        model=Assessment,
        ok=OK_REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:ratings:publish_reviewed",
        action="update",
        url=lambda a: f"/console/ratings/orgs/{a.org_id}/publish/",
        make=_reviewed,
        method="POST",
        data=lambda world, a: {"year": YEAR},
        ok=OK_REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:ratings:detail",
        action="detail",
        url=lambda a: f"/console/ratings/{a.pk}/",
        make=_published,
    ),
    ScopedEndpoint(
        covers="console:ratings:answers",
        action="detail",
        url=lambda a: f"/console/ratings/{a.pk}/answers/",
        make=_assessment,
    ),
    ScopedEndpoint(
        covers="console:ratings:answers",
        action="update",
        url=lambda a: f"/console/ratings/{a.pk}/answers/",
        make=_assessment,
        method="POST",
        data=_scores_form,
        ok=OK_REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:ratings:review",
        action="detail",
        url=lambda a: f"/console/ratings/{a.pk}/review/",
        make=_submitted,
        ok=OK_OR_NOT_SUPERIOR,
    ),
    ScopedEndpoint(
        covers="console:ratings:review",
        action="update",
        url=lambda a: f"/console/ratings/{a.pk}/review/",
        make=_submitted,
        method="POST",
        data=_scores_form,
        ok=frozenset({302, 403}),
    ),
    ScopedEndpoint(
        covers="console:ratings:transition",
        action="update",
        url=lambda a: f"/console/ratings/{a.pk}/transition/",
        make=_scored_draft,
        method="POST",
        data=lambda world, a: {"action": "submit"},
        ok=OK_REDIRECT,
    ),
    # --- console: checklists -----------------------------------------------------------------
    ScopedEndpoint(
        covers="console:ratings:checklists",
        action="list",
        url=lambda c: "/console/ratings/checklists/",
        make=_checklist,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:ratings:checklist_new",
        action="create",
        url=lambda org: "/console/ratings/checklists/new/",
        method="POST",
        data=lambda world, org: {
            "org": world.parent.pk,
            "year": YEAR,
            "title": "甲区活力基层工会评价标准",
            "default_items": "on",
            **THRESHOLDS,
        },
        model=Checklist,
        ok=frozenset({302, 422}),
    ),
    ScopedEndpoint(
        covers="console:ratings:checklist",
        action="detail",
        url=lambda c: f"/console/ratings/checklists/{c.pk}/",
        make=_checklist,
    ),
    ScopedEndpoint(
        covers="console:ratings:checklist_edit",
        action="update",
        url=lambda c: f"/console/ratings/checklists/{c.pk}/edit/",
        make=_draft_checklist,
        method="POST",
        data=lambda world, c: {"title": "修订后的评价标准", **THRESHOLDS},
        ok=OK_REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:ratings:checklist_publish",
        action="update",
        url=lambda c: f"/console/ratings/checklists/{c.pk}/publish/",
        make=_draft_checklist,
        method="POST",
        ok=OK_REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:ratings:checklist_copy",
        action="create",
        url=lambda org: f"/console/ratings/checklists/{_checklist_of(org).pk}/copy/",
        make=lambda org: (_checklist(org), org)[1],
        method="POST",
        data=lambda world, org: {"year": YEAR + 1},
        model=Checklist,
        ok=OK_REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:ratings:item_new",
        action="create",
        url=lambda org: f"/console/ratings/checklists/{_checklist_of(org).pk}/items/new/",
        make=_with_draft_checklist,
        method="POST",
        data=lambda world, org: {
            "section": SixHaves.VENUE,
            "text": "建有职工之家",
            "max_score": 10,
            "order": 5,
        },
        model=ChecklistItem,
        ok=OK_REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:ratings:item_edit",
        action="update",
        url=lambda item: f"/console/ratings/checklists/items/{item.pk}/edit/",
        make=_item,
        method="POST",
        data=lambda world, item: {
            "section": SixHaves.OTHER,
            "text": "改过的要求",
            "max_score": 5,
            "order": 1,
        },
        ok=OK_REDIRECT,
    ),
    ScopedEndpoint(
        covers="console:ratings:item_delete",
        action="delete",
        url=lambda item: f"/console/ratings/checklists/items/{item.pk}/delete/",
        make=_item,
        method="POST",
        ok=OK_REDIRECT,
    ),
    # --- API ---------------------------------------------------------------------------------
    ScopedEndpoint(
        covers="GET /api/v1/ratings/checklists",
        action="list",
        url=lambda c: "/api/v1/ratings/checklists",
        make=_checklist,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/ratings/checklists/{checklist_id}",
        action="detail",
        url=lambda c: f"/api/v1/ratings/checklists/{c.pk}",
        make=_checklist,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/ratings/assessments",
        action="list",
        url=lambda a: "/api/v1/ratings/assessments",
        make=_published,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/ratings/assessments",
        action="create",
        url=lambda org: "/api/v1/ratings/assessments",
        make=_with_checklist,
        method="POST",
        data=lambda world, org: {"org_id": org.pk, "year": YEAR},
        model=Assessment,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers="GET /api/v1/ratings/assessments/{assessment_id}",
        action="detail",
        url=lambda a: f"/api/v1/ratings/assessments/{a.pk}",
        make=_published,
    ),
    ScopedEndpoint(
        covers="PUT /api/v1/ratings/assessments/{assessment_id}/answers",
        action="update",
        url=lambda a: f"/api/v1/ratings/assessments/{a.pk}/answers",
        make=_assessment,
        method="PUT",
        data=_answers_json,
    ),
    ScopedEndpoint(
        covers="PUT /api/v1/ratings/assessments/{assessment_id}/review",
        action="update",
        url=lambda a: f"/api/v1/ratings/assessments/{a.pk}/review",
        make=_submitted,
        method="PUT",
        data=_review_json,
        ok=OK_OR_NOT_SUPERIOR,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/ratings/assessments/{assessment_id}/transitions",
        action="update",
        url=lambda a: f"/api/v1/ratings/assessments/{a.pk}/transitions",
        make=_scored_draft,
        method="POST",
        data=lambda world, a: {"action": "submit"},
    ),
    ScopedEndpoint(
        covers="GET /api/v1/ratings/summary",
        action="detail",
        url=lambda org: f"/api/v1/ratings/summary?org_id={org.pk}",
    ),
]
