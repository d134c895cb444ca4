"""Vitality ratings for the demo city: the default checklist, published ratings, a few to review.

Called by the demo loader once the city is in the database. Everything is written with
bulk_create (a few hundred ratings, a few thousand answers), from a random stream seeded by the
city's seed, so the same city always gets the same ratings. The showcase union (the
`union.officer` demo account's) is left unrated, so that the demo can start its self-assessment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.utils import timezone

from gonghui.orgs.demo.generator import DemoCity
from gonghui.orgs.models import Org, OrgStatus
from gonghui.ratings.models import (
    RATABLE_KINDS,
    Assessment,
    AssessmentAction,
    AssessmentAnswer,
    AssessmentHistory,
    AssessmentStatus,
    Checklist,
)
from gonghui.ratings.services import install_default_checklists

SHARE_RATED = 0.6  # of the city's grassroots and joint unions
MAX_PUBLISHED = 400
MAX_SUBMITTED = 40  # awaiting review, for the district officer to try the review page
# Each union's quality (its share of the maximum score): most unions do well, a few poorly.
_QUALITY_MEAN, _QUALITY_SPREAD, _QUALITY_MIN = 0.82, 0.1, 0.4


@dataclass(frozen=True)
class DemoRatings:
    checklist: Checklist
    published: int
    submitted: int


def seed_demo_ratings(city: DemoCity) -> DemoRatings:
    year = timezone.localdate().year
    root = Org.objects.get(code=city.root.code)
    install_default_checklists(year=year, roots=Org.objects.filter(pk=root.pk))
    checklist = Checklist.objects.get(issued_by=root, year=year)
    items = list(checklist.items.all())
    unions = list(
        Org.objects.filter(path__startswith=root.path, kind__in=RATABLE_KINDS, status=OrgStatus.ACTIVE)
        .exclude(code=city.showcase_union_code)
        .order_by("path")
        .only("pk", "path")
    )
    rng = random.Random(city.seed)  # noqa: S311 - reproducible invented data, not secrets
    rated = rng.sample(unions, min(round(len(unions) * SHARE_RATED), MAX_PUBLISHED + MAX_SUBMITTED))
    submitted = min(MAX_SUBMITTED, max(1, len(rated) // 10)) if rated else 0
    now = timezone.now()
    parents = {
        org.path: org.pk for org in Org.objects.filter(path__in={u.path[: -Org.steplen] for u in rated})
    }

    assessments: list[Assessment] = []
    scores: list[tuple[list[int], list[int] | None]] = []
    for index, union in enumerate(rated):
        quality = max(_QUALITY_MIN, min(1.0, rng.gauss(_QUALITY_MEAN, _QUALITY_SPREAD)))
        own = [_score(rng, item.max_score, quality + 0.05) for item in items]
        if index < submitted:
            scores.append((own, None))
            assessments.append(
                Assessment(
                    org=union,
                    checklist=checklist,
                    year=year,
                    status=AssessmentStatus.SUBMITTED,
                    self_score=sum(own),
                    submitted_at=now,
                )
            )
            continue
        # Reviewers take a point or two off here and there, never add.
        reviewed = [max(0, score - (1 if rng.random() < 0.3 else 0)) for score in own]
        scores.append((own, reviewed))
        assessments.append(
            Assessment(
                org=union,
                checklist=checklist,
                year=year,
                status=AssessmentStatus.PUBLISHED,
                self_score=sum(own),
                review_score=sum(reviewed),
                stars=checklist.stars_for(sum(reviewed)),
                reviewer_org_id=parents.get(union.path[: -Org.steplen]),
                opinion="材料齐全，评分属实。",
                submitted_at=now,
                reviewed_at=now,
                published_at=now,
            )
        )
    Assessment.objects.bulk_create(assessments, batch_size=500)
    AssessmentAnswer.objects.bulk_create(
        (
            AssessmentAnswer(
                assessment=assessment,
                item=item,
                self_score=own[n],
                evidence="台账、会议记录存档备查",
                review_score=None if reviewed is None else reviewed[n],
            )
            for assessment, (own, reviewed) in zip(assessments, scores, strict=True)
            for n, item in enumerate(items)
        ),
        batch_size=2000,
    )
    AssessmentHistory.objects.bulk_create(
        (entry for assessment in assessments for entry in _history(assessment)), batch_size=2000
    )
    return DemoRatings(checklist=checklist, published=len(assessments) - submitted, submitted=submitted)


def _score(rng: random.Random, maximum: int, quality: float) -> int:
    return max(0, min(maximum, round(maximum * (quality + rng.uniform(-0.15, 0.1)))))


def _history(assessment: Assessment) -> list[AssessmentHistory]:
    steps: list[tuple[str, str, str]] = [
        (AssessmentAction.START, "", AssessmentStatus.DRAFT),
        (AssessmentAction.SUBMIT, AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED),
    ]
    if assessment.status == AssessmentStatus.PUBLISHED:
        steps += [
            (AssessmentAction.APPROVE, AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED),
            (AssessmentAction.PUBLISH, AssessmentStatus.REVIEWED, AssessmentStatus.PUBLISHED),
        ]
    return [
        AssessmentHistory(assessment=assessment, action=action, from_status=before, to_status=after)
        for action, before, after in steps
    ]
