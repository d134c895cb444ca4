"""Scores: within each item's maximum, totals summed, stars from the checklist's minimums."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from gonghui.core.errors import ValidationFailed
from gonghui.ratings import services
from gonghui.ratings.models import Assessment, AssessmentStatus, Checklist
from gonghui.ratings.services import AnswerInput, ReviewInput
from gonghui.ratings.tests.factories import default_checklist, full_answers, make_tree, officer, rate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("total", "stars"),
    [
        (0, 0),
        (59, 0),
        (60, 1),
        (69, 1),
        (70, 2),
        (79, 2),
        (80, 3),
        (89, 3),
        (90, 4),
        (94, 4),
        (95, 5),
        (100, 5),
    ],
)
def test_stars_are_the_highest_level_whose_minimum_the_total_reaches(total, stars):
    checklist = Checklist(star1_min=60, star2_min=70, star3_min=80, star4_min=90, star5_min=95)
    assert checklist.stars_for(total) == stars


@pytest.fixture
def draft():
    tree = make_tree()
    default_checklist(tree.city)
    union_officer = officer(tree.union, "union_officer")
    assessment = rate(tree.union, until=AssessmentStatus.DRAFT, assessor=union_officer)
    first = assessment.answers.select_related("item").order_by("item__order").first()
    return assessment, union_officer, first, tree


def _answers(assessment: Assessment) -> list[object]:
    return list(assessment.answers.order_by("pk").values())


def test_saving_answers_sums_the_self_score(draft):
    assessment, union_officer, _first, _tree = draft
    answers = full_answers(assessment, 0.5)
    saved = services.save_answers(assessment, answers=answers, actor=union_officer)
    assert saved.self_score == sum(answer.self_score or 0 for answer in answers)
    # Clearing one score takes it out of the total.
    saved = services.save_answers(
        assessment, answers=[AnswerInput(answers[0].item_id, None)], actor=union_officer
    )
    assert saved.self_score == sum(answer.self_score or 0 for answer in answers[1:])


@pytest.mark.parametrize("score", [7, 100, -1])
def test_a_self_score_outside_zero_to_the_item_maximum_is_refused_and_nothing_is_saved(draft, score):
    assessment, union_officer, first, _tree = draft
    assert first.item.max_score == 6
    before = (_answers(assessment), model_to_dict(assessment))
    valid = AnswerInput(first.item_id, 6, "选举报告存档")
    other = assessment.answers.exclude(pk=first.pk).first()

    with pytest.raises(ValidationFailed) as refused:
        services.save_answers(
            assessment,
            answers=[AnswerInput(other.item_id, 1), AnswerInput(first.item_id, score, "超分")],
            actor=union_officer,
        )

    assert refused.value.fields == {"answers.1.self_score": ["请输入0至6之间的分数。"]}
    assessment.refresh_from_db()
    assert (_answers(assessment), model_to_dict(assessment)) == before
    services.save_answers(assessment, answers=[valid], actor=union_officer)  # the maximum itself is fine


def test_an_item_of_another_checklist_or_given_twice_is_refused(draft):
    assessment, union_officer, first, tree = draft
    foreign = default_checklist(tree.district).items.all()[0]

    with pytest.raises(ValidationFailed) as refused:
        services.save_answers(
            assessment,
            answers=[
                AnswerInput(foreign.pk, 1),
                AnswerInput(first.item_id, 1),
                AnswerInput(first.item_id, 2),
            ],
            actor=union_officer,
        )

    assert refused.value.fields == {
        "answers.0.item_id": ["该项不在本次评定的标准中。"],
        "answers.2.item_id": ["该项重复填写。"],
    }
    assert not assessment.answers.filter(self_score__isnull=False).exists()


def test_evidence_longer_than_1000_characters_is_refused(draft):
    assessment, union_officer, first, _tree = draft
    with pytest.raises(ValidationFailed) as refused:
        services.save_answers(
            assessment, answers=[AnswerInput(first.item_id, 3, "材" * 1001)], actor=union_officer
        )
    assert refused.value.fields == {"answers.0.evidence": ["最多只能输入1000个字符。"]}


def test_a_review_score_above_the_item_maximum_is_refused_and_nothing_is_saved(draft):
    assessment, union_officer, first, tree = draft
    services.save_answers(assessment, answers=full_answers(assessment), actor=union_officer, submit=True)
    reviewer = officer(tree.township)
    before = _answers(assessment)

    with pytest.raises(ValidationFailed) as refused:
        services.review_assessment(
            assessment, scores=[ReviewInput(first.item_id, 7, "")], opinion="", actor=reviewer, approve=True
        )

    assert refused.value.fields == {"scores.0.review_score": ["请输入0至6之间的分数。"]}
    assert _answers(assessment) == before
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED


def test_the_stars_come_from_the_reviewed_total_not_the_self_assessment():
    tree = make_tree()
    default_checklist(tree.city)
    reviewer = officer(tree.township)
    rating = rate(
        tree.union,
        until=AssessmentStatus.REVIEWED,
        assessor=officer(tree.union, "union_officer"),
        reviewer=reviewer,
        self_share=1.0,
        review_share=0.7,
    )
    assert rating.self_score == 100
    assert rating.review_score == 60  # the items' maxima times 0.7, each rounded down: exactly 1 star
    assert rating.stars == 1
