"""Only a superior org reviews: a grant on the parent or above, never one on the union itself.

An officer of the union who holds RATING_REVIEW only through their grant on the union (a
federation administrator role given at the union) can see the rating but cannot review, return
or publish it: 403, and nothing changes. Someone who cannot see it at all gets 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.forms.models import model_to_dict
from django.http import Http404

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.core.errors import Forbidden
from gonghui.orgs.models import Role, RoleGrant
from gonghui.orgs.scoping import forget_grants
from gonghui.ratings import services
from gonghui.ratings.models import Assessment, AssessmentStatus
from gonghui.ratings.selectors import may_review
from gonghui.ratings.tests.factories import default_checklist, full_review, make_tree, officer, rate

pytestmark = pytest.mark.django_db

REFUSED = "只有上级组织的工作人员才能审核该工会的评定。"


@pytest.fixture
def submitted():
    tree = make_tree()
    default_checklist(tree.city)
    assessment = rate(
        tree.union, until=AssessmentStatus.SUBMITTED, assessor=officer(tree.union, Role.UNION_OFFICER)
    )
    return tree, assessment


def _state(assessment: Assessment) -> tuple[object, ...]:
    fresh = Assessment.objects.get(pk=assessment.pk)
    return model_to_dict(fresh), list(fresh.answers.order_by("pk").values()), fresh.history.count()


@pytest.mark.parametrize("reviewer_at", ["township", "district", "city"])
def test_an_officer_of_any_org_above_the_union_may_review(submitted, reviewer_at):
    tree, assessment = submitted
    reviewer = officer(getattr(tree, reviewer_at))
    assert may_review(reviewer, tree.union)

    reviewed = services.review_assessment(
        assessment, scores=full_review(assessment), opinion="同意", actor=reviewer, approve=True
    )

    assert reviewed.status == AssessmentStatus.REVIEWED
    assert reviewed.reviewer_org == getattr(tree, reviewer_at)


def test_the_union_s_own_administrator_cannot_review_return_or_publish_its_rating(submitted):
    tree, assessment = submitted
    own_admin = officer(tree.union, Role.FEDERATION_ADMIN)  # RATING_REVIEW, but on the union itself
    assert not may_review(own_admin, tree.union)
    before = _state(assessment)

    attempts: list[Callable[[], object]] = [
        lambda: services.review_assessment(
            assessment, scores=full_review(assessment), opinion="自己审自己", actor=own_admin, approve=True
        ),
        lambda: services.transition_assessment(assessment, action="approve", actor=own_admin),
        lambda: services.transition_assessment(assessment, action="return", actor=own_admin, comment="退回"),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden) as refused:
            attempt()
        assert refused.value.message == REFUSED
    assert _state(assessment) == before

    reviewed = services.review_assessment(
        assessment, scores=full_review(assessment), opinion="", actor=officer(tree.township), approve=True
    )
    with pytest.raises(Forbidden):
        services.transition_assessment(reviewed, action="publish", actor=own_admin)
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.REVIEWED


def test_a_grant_on_the_union_and_one_above_it_does_allow_reviewing(submitted):
    tree, assessment = submitted
    both = officer(tree.union, Role.FEDERATION_ADMIN)
    RoleGrant.objects.create(user=both, org=tree.township, role=Role.FEDERATION_ADMIN)
    forget_grants(both)

    assert may_review(both, tree.union)
    services.review_assessment(
        assessment, scores=full_review(assessment), opinion="", actor=both, approve=True
    )


def test_a_union_officer_role_above_the_union_cannot_review(submitted):
    tree, assessment = submitted
    district_union_officer = officer(tree.district, Role.UNION_OFFICER)  # may view, may not review
    with pytest.raises(Forbidden):
        services.transition_assessment(assessment, action="approve", actor=district_union_officer)


def test_an_officer_of_another_district_does_not_see_the_rating_at_all(submitted):
    tree, assessment = submitted
    before = _state(assessment)
    with pytest.raises(Http404):
        services.review_assessment(
            assessment,
            scores=full_review(assessment),
            opinion="",
            actor=officer(tree.other_district),
            approve=True,
        )
    assert _state(assessment) == before


def test_the_api_and_the_console_answer_403_to_the_union_s_own_administrator(client, submitted):
    tree, assessment = submitted
    own_admin = officer(tree.union, Role.FEDERATION_ADMIN)
    sign_in_verified(client, own_admin)
    before = _state(assessment)
    item_id = assessment.answers.first().item_id

    api = client.put(
        f"/api/v1/ratings/assessments/{assessment.pk}/review",
        data=json.dumps({"scores": [{"item_id": item_id, "review_score": 1}]}),
        content_type="application/json",
    )
    assert api.status_code == 403
    assert api.json() == {"code": "forbidden", "message": REFUSED, "fields": {}}
    transition = client.post(
        f"/api/v1/ratings/assessments/{assessment.pk}/transitions",
        data=json.dumps({"action": "return", "comment": "退回"}),
        content_type="application/json",
    )
    assert transition.status_code == 403
    assert client.get(f"/console/ratings/{assessment.pk}/review/").status_code == 403
    assert (
        client.post(f"/console/ratings/{assessment.pk}/review/", {f"score_{item_id}": 1}).status_code == 403
    )
    assert _state(assessment) == before
    # They still see the rating itself, without the review buttons.
    page = client.get(f"/console/ratings/{assessment.pk}/").content.decode()
    assert "待审核" in page
    assert f"/console/ratings/{assessment.pk}/review/" not in page
