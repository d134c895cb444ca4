"""The rating workflow: start → draft → submitted → reviewed → published, and return to draft.

One test per legal transition; a property test that every move outside the table is refused and
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.accounts.models import User
from gonghui.core.errors import Conflict, InvalidTransition, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.ratings import services
from gonghui.ratings.models import (
    TRANSITIONS,
    Assessment,
    AssessmentAction,
    AssessmentAnswer,
    AssessmentHistory,
    AssessmentStatus,
)
from gonghui.ratings.tests.factories import (
    YEAR,
    Tree,
    default_checklist,
    full_answers,
    full_review,
    make_tree,
    officer,
    rate,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    tree: Tree
    union_officer: User
    reviewer: User


@pytest.fixture
def world() -> World:
    tree = make_tree()
    default_checklist(tree.city)
    return World(
        tree=tree, union_officer=officer(tree.union, "union_officer"), reviewer=officer(tree.township)
    )


def _history(assessment: Assessment) -> list[tuple[str, str, str]]:
    return list(assessment.history.values_list("action", "from_status", "to_status"))


def _state(assessment: Assessment) -> tuple[object, ...]:
    fresh = Assessment.objects.get(pk=assessment.pk)
    return (
        model_to_dict(fresh),
        list(AssessmentAnswer.objects.filter(assessment=fresh).order_by("pk").values()),
        AssessmentHistory.objects.filter(assessment=fresh).count(),
        AuditEvent.objects.count(),
    )


# --- starting ---------------------------------------------------------------------------------


def test_starting_opens_a_draft_with_one_empty_answer_per_item(world):
    assessment = services.start_assessment(org=world.tree.union, year=YEAR, actor=world.union_officer)

    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.checklist.issued_by == world.tree.city
    assert assessment.answers.count() == 20
    assert not assessment.answers.filter(self_score__isnull=False).exists()
    assert _history(assessment) == [(AssessmentAction.START, "", AssessmentStatus.DRAFT)]
    assert AuditEvent.objects.filter(
        action="ratings.start_assessment", org_path=world.tree.union.path
    ).exists()


def test_a_second_rating_for_the_same_union_and_year_is_refused(world):
    services.start_assessment(org=world.tree.union, year=YEAR, actor=world.union_officer)
    with pytest.raises(Conflict) as refused:
        services.start_assessment(org=world.tree.union, year=YEAR, actor=world.union_officer)
    assert refused.value.message == f"该工会{YEAR}年度的评定已经开始。"
    assert Assessment.objects.count() == 1


def test_starting_without_a_published_checklist_for_the_year_is_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        services.start_assessment(org=world.tree.union, year=YEAR + 1, actor=world.union_officer)
    assert refused.value.fields == {"year": [f"该工会的上级总工会尚未发布{YEAR + 1}年度的评定标准。"]}
    assert not Assessment.objects.exists()


def test_a_federation_is_not_rated(world):
    with pytest.raises(ValidationFailed) as refused:
        services.start_assessment(org=world.tree.township, year=YEAR, actor=world.reviewer)
    assert refused.value.fields == {"org_id": ["只有基层工会和联合工会参加星级评定。"]}


def test_a_joint_union_is_rated_like_a_grassroots_union(world):
    assessment = services.start_assessment(org=world.tree.joint, year=YEAR, actor=world.reviewer)
    assert assessment.status == AssessmentStatus.DRAFT


# --- each legal transition ----------------------------------------------------------------


def test_submit_moves_a_fully_scored_draft_to_submitted(world):
    assessment = rate(world.tree.union, until=AssessmentStatus.DRAFT, assessor=world.union_officer)
    services.save_answers(assessment, answers=full_answers(assessment), actor=world.union_officer)

    submitted = services.transition_assessment(assessment, action="submit", actor=world.union_officer)

    assert submitted.status == AssessmentStatus.SUBMITTED
    assert submitted.self_score == 100
    assert submitted.submitted_at is not None
    assert _history(submitted)[-1] == (
        AssessmentAction.SUBMIT,
        AssessmentStatus.DRAFT,
        AssessmentStatus.SUBMITTED,
    )
    event = AuditEvent.objects.get(action="ratings.submit")
    assert event.changes["status"] == [AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED]


def test_submitting_with_unscored_items_is_refused_and_changes_nothing(world):
    assessment = rate(world.tree.union, until=AssessmentStatus.DRAFT, assessor=world.union_officer)
    services.save_answers(assessment, answers=full_answers(assessment)[:18], actor=world.union_officer)
    before = _state(assessment)

    with pytest.raises(ValidationFailed) as refused:
        services.transition_assessment(assessment, action="submit", actor=world.union_officer)

    assert refused.value.message == "提交前请为每一项打分：还有2项未打分。"
    assert _state(assessment) == before


def test_approve_fixes_the_review_total_the_stars_and_the_reviewer(world):
    assessment = rate(world.tree.union, until=AssessmentStatus.SUBMITTED, assessor=world.union_officer)
    services.review_assessment(
        assessment, scores=full_review(assessment, 0.85), opinion="阵地建设较好", actor=world.reviewer
    )

    reviewed = services.transition_assessment(assessment, action="approve", actor=world.reviewer)

    assert reviewed.status == AssessmentStatus.REVIEWED
    assert reviewed.review_score == sum(
        int(a.item.max_score * 0.85) for a in reviewed.answers.select_related("item")
    )
    assert reviewed.review_score == 80
    assert reviewed.stars == 3  # exactly the 3-star minimum
    assert reviewed.reviewer == world.reviewer
    assert reviewed.reviewer_org == world.tree.township
    assert reviewed.opinion == "阵地建设较好"
    assert _history(reviewed)[-1] == (
        AssessmentAction.APPROVE,
        AssessmentStatus.SUBMITTED,
        AssessmentStatus.REVIEWED,
    )


def test_approving_with_unscored_items_is_refused_and_changes_nothing(world):
    assessment = rate(world.tree.union, until=AssessmentStatus.SUBMITTED, assessor=world.union_officer)
    services.review_assessment(
        assessment, scores=full_review(assessment)[:19], opinion="", actor=world.reviewer
    )
    before = _state(assessment)

    with pytest.raises(ValidationFailed) as refused:
        services.transition_assessment(assessment, action="approve", actor=world.reviewer)

    assert refused.value.message == "审核通过前请为每一项给出审核分：还有1项未评分。"
    assert _state(assessment) == before


def test_return_from_submitted_goes_back_to_draft_with_the_reason(world):
    assessment = rate(world.tree.union, until=AssessmentStatus.SUBMITTED, assessor=world.union_officer)

    returned = services.transition_assessment(
        assessment, action="return", actor=world.reviewer, comment="经费审查材料不全"
    )

    assert returned.status == AssessmentStatus.DRAFT
    assert returned.return_reason == "经费审查材料不全"
    assert _history(returned)[-1] == (
        AssessmentAction.RETURN,
        AssessmentStatus.SUBMITTED,
        AssessmentStatus.DRAFT,
    )
    assert returned.history.values_list("comment", flat=True).last() == "经费审查材料不全"
    # The union reworks and resubmits; the reason has served its purpose.
    services.save_answers(
        returned, answers=full_answers(returned, 0.9), actor=world.union_officer, submit=True
    )
    resubmitted = Assessment.objects.get(pk=returned.pk)
    assert resubmitted.status == AssessmentStatus.SUBMITTED
    assert resubmitted.return_reason == ""


def test_return_from_reviewed_takes_the_stars_away(world):
    assessment = rate(
        world.tree.union,
        until=AssessmentStatus.REVIEWED,
        assessor=world.union_officer,
        reviewer=world.reviewer,
    )
    assert assessment.stars is not None

    returned = services.transition_assessment(
        assessment, action="return", actor=world.reviewer, comment="复核有误"
    )

    assert returned.status == AssessmentStatus.DRAFT
    assert returned.stars is None
    assert _history(returned)[-1] == (
        AssessmentAction.RETURN,
        AssessmentStatus.REVIEWED,
        AssessmentStatus.DRAFT,
    )


@pytest.mark.parametrize("comment", ["", "   "])
def test_returning_without_a_reason_is_refused_and_changes_nothing(world, comment):
    assessment = rate(world.tree.union, until=AssessmentStatus.SUBMITTED, assessor=world.union_officer)
    before = _state(assessment)

    with pytest.raises(ValidationFailed) as refused:
        services.transition_assessment(assessment, action="return", actor=world.reviewer, comment=comment)

    assert refused.value.fields == {"comment": ["请说明退回原因，以便工会知道需要修改什么。"]}
    assert _state(assessment) == before


def test_publish_moves_a_reviewed_rating_to_published(world):
    assessment = rate(
        world.tree.union,
        until=AssessmentStatus.REVIEWED,
        assessor=world.union_officer,
        reviewer=world.reviewer,
    )

    published = services.transition_assessment(assessment, action="publish", actor=world.reviewer)

    assert published.status == AssessmentStatus.PUBLISHED
    assert published.published_at is not None
    assert _history(published) == [
        (AssessmentAction.START, "", AssessmentStatus.DRAFT),
        (AssessmentAction.SUBMIT, AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED),
        (AssessmentAction.APPROVE, AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED),
        (AssessmentAction.PUBLISH, AssessmentStatus.REVIEWED, AssessmentStatus.PUBLISHED),
    ]


def test_publishing_everything_reviewed_under_an_org_publishes_only_what_the_officer_may(world):
    tree = world.tree
    city_reviewer = officer(tree.city)
    union_rating = rate(
        tree.union, until=AssessmentStatus.REVIEWED, assessor=world.union_officer, reviewer=world.reviewer
    )
    joint_rating = rate(
        tree.joint, until=AssessmentStatus.REVIEWED, assessor=world.reviewer, reviewer=world.reviewer
    )
    elsewhere = rate(
        tree.other_union, until=AssessmentStatus.REVIEWED, assessor=city_reviewer, reviewer=city_reviewer
    )

    assert services.publish_reviewed(org=tree.township, year=YEAR, actor=world.reviewer) == 2

    statuses = dict(Assessment.objects.values_list("pk", "status"))
    assert statuses[union_rating.pk] == statuses[joint_rating.pk] == AssessmentStatus.PUBLISHED
    assert statuses[elsewhere.pk] == AssessmentStatus.REVIEWED
    assert union_rating.history.values_list("action", flat=True).last() == AssessmentAction.PUBLISH
    # The union's own officer holds no review right above it: nothing for them to publish.
    assert services.publish_reviewed(org=tree.union, year=YEAR, actor=officer(tree.union)) == 0


def test_answers_cannot_change_once_submitted(world):
    assessment = rate(world.tree.union, until=AssessmentStatus.SUBMITTED, assessor=world.union_officer)
    before = _state(assessment)
    with pytest.raises(Conflict) as refused:
        services.save_answers(assessment, answers=full_answers(assessment, 0.5), actor=world.union_officer)
    assert refused.value.code == "assessment_locked"
    assert _state(assessment) == before


# --- everything else is refused ---------------------------------------------------------------

ILLEGAL = [
    (status, action)
    for status in AssessmentStatus.values
    for action, transition in TRANSITIONS.items()
    if status not in transition.sources
]


def test_the_table_allows_exactly_the_documented_moves():
    legal = {(status, action) for action, t in TRANSITIONS.items() for status in t.sources}
    assert legal == {
        (AssessmentStatus.DRAFT, AssessmentAction.SUBMIT),
        (AssessmentStatus.SUBMITTED, AssessmentAction.APPROVE),
        (AssessmentStatus.SUBMITTED, AssessmentAction.RETURN),
        (AssessmentStatus.REVIEWED, AssessmentAction.RETURN),
        (AssessmentStatus.REVIEWED, AssessmentAction.PUBLISH),
    }
    assert len(ILLEGAL) == 4 * 4 - len(legal)


@pytest.fixture
def fully_answered(world) -> tuple[Assessment, User]:
    """A rating with every self and review score filled in, so only the table can refuse a move;
    the actor (a city federation administrator) holds both the union's and the reviewer's rights."""
    admin = officer(world.tree.city)
    assessment = rate(world.tree.union, until=AssessmentStatus.REVIEWED, assessor=admin, reviewer=admin)
    return assessment, admin


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(move=st.sampled_from(ILLEGAL), comment=st.text(max_size=30))
def test_an_illegal_transition_is_refused_and_changes_nothing(fully_answered, move, comment):
    assessment, admin = fully_answered
    status, action = move
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    before = _state(assessment)

    with pytest.raises(InvalidTransition) as refused:
        services.transition_assessment(assessment.pk, action=action, actor=admin, comment=comment)

    assert refused.value.code == "invalid_transition"
    assert "不能执行" in refused.value.message
    assert _state(assessment) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    status=st.sampled_from(AssessmentStatus.values),
    action=st.text(max_size=12).filter(lambda text: text not in TRANSITIONS),
)
def test_an_unknown_action_is_refused_and_changes_nothing(fully_answered, status, action):
    assessment, admin = fully_answered
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    before = _state(assessment)

    with pytest.raises(ValidationFailed) as refused:
        services.transition_assessment(assessment.pk, action=action, actor=admin)

    assert refused.value.fields == {"action": ["未知的操作。"]}
    assert _state(assessment) == before
