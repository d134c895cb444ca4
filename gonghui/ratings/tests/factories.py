"""Ratings test data: a small tree, officers with grants, and ratings moved on by the services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer
from gonghui.orgs.models import FederationLevel, JointUnionArea, Org, OrgKind, Role, RoleGrant
from gonghui.orgs.scoping import forget_grants
from gonghui.ratings import services
from gonghui.ratings.models import Assessment, AssessmentStatus, Checklist
from gonghui.ratings.services import AnswerInput, ReviewInput

YEAR = timezone.localdate().year


@dataclass
class Tree:
    """city ── district ── township ── union, joint
    └─ other_district ── other_union"""

    city: Org
    district: Org
    township: Org
    union: Org
    joint: Org
    other_district: Org
    other_union: Org


def _child(parent: Org, code: str, name: str, kind: str, **extra: Any) -> Org:
    child: Org = Org.objects.add_child(
        parent, create_kwargs={"code": code, "name": name, "kind": kind, **extra}
    )
    return child


def make_tree() -> Tree:
    city = Org.objects.add_root(
        create_kwargs={
            "code": "C",
            "name": "示范市总工会",
            "kind": OrgKind.FEDERATION,
            "level": FederationLevel.CITY,
        }
    )
    district = _child(city, "D1", "明州区总工会", OrgKind.FEDERATION, level=FederationLevel.DISTRICT)
    township = _child(district, "T1", "东湖街道总工会", OrgKind.FEDERATION, level=FederationLevel.TOWNSHIP)
    union = _child(township, "U1", "东湖机械厂工会", OrgKind.GRASSROOTS)
    joint = _child(township, "J1", "东湖社区联合工会", OrgKind.JOINT_UNION, area=JointUnionArea.COMMUNITY)
    other_district = _child(city, "D2", "海曙区总工会", OrgKind.FEDERATION, level=FederationLevel.DISTRICT)
    other_union = _child(other_district, "U2", "海曙纺织厂工会", OrgKind.GRASSROOTS)
    return Tree(city, district, township, union, joint, other_district, other_union)


def refresh(org: Org) -> Org:
    """`org` as it is now (adding children changes `numchild` on the parent row)."""
    fresh: Org = Org.objects.get(pk=org.pk)
    return fresh


_numbers = itertools.count(1)


def officer(org: Org, role: str = Role.FEDERATION_ADMIN, *, name: str = "") -> User:
    """A new officer holding `role` on `org` (and a second factor, as federation roles need)."""
    number = next(_numbers)
    user = make_officer(f"officer.{number}", display_name=name or f"干部{number}")
    RoleGrant.objects.create(user=user, org=org, role=role)
    if org.kind == OrgKind.FEDERATION:
        user.otp_required = True
        user.save(update_fields=["otp_required"])
    forget_grants(user)
    return user


def superuser() -> User:
    return User.objects.create_superuser("root.admin", "Correct-Horse-42", display_name="系统管理员")


def default_checklist(issuer: Org, year: int = YEAR) -> Checklist:
    """The default six-haves checklist (20 items, 100 points, 60/70/80/90/95), published."""
    (checklist,) = services.install_default_checklists(year=year, roots=Org.objects.filter(pk=issuer.pk))
    return checklist


def full_answers(assessment: Assessment, share: float = 1.0) -> list[AnswerInput]:
    """A score for every item: `share` of its maximum, rounded down."""
    return [
        AnswerInput(answer.item_id, int(answer.item.max_score * share), "会议记录存档")
        for answer in assessment.answers.select_related("item")
    ]


def full_review(assessment: Assessment, share: float = 1.0) -> list[ReviewInput]:
    return [
        ReviewInput(answer.item_id, int(answer.item.max_score * share), "")
        for answer in assessment.answers.select_related("item")
    ]


def rate(
    union: Org,
    *,
    until: str,
    assessor: User,
    reviewer: User | None = None,
    self_share: float = 1.0,
    review_share: float = 0.85,
    year: int = YEAR,
) -> Assessment:
    """Take `union`'s rating through the services up to the status `until`."""
    assessment = services.start_assessment(org=union, year=year, actor=assessor)
    if until == AssessmentStatus.DRAFT:
        return assessment
    services.save_answers(
        assessment, answers=full_answers(assessment, self_share), actor=assessor, submit=True
    )
    if until == AssessmentStatus.SUBMITTED:
        return Assessment.objects.get(pk=assessment.pk)
    assert reviewer is not None
    services.review_assessment(
        assessment,
        scores=full_review(assessment, review_share),
        opinion="材料齐全",
        actor=reviewer,
        approve=True,
    )
    if until == AssessmentStatus.PUBLISHED:
        services.transition_assessment(assessment, action="publish", actor=reviewer)
    return Assessment.objects.get(pk=assessment.pk)
