"""Console pages: the list and its filters, the self-assessment and review forms, checklists."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.orgs.models import Org, OrgKind, Role
from gonghui.ratings.models import Assessment, AssessmentStatus, Checklist, ChecklistItem, ChecklistStatus
from gonghui.ratings.tests.factories import YEAR, default_checklist, make_tree, officer, rate, refresh

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return str(response.content.decode())


@pytest.fixture
def world():
    tree = make_tree()
    default_checklist(tree.city)
    return tree


def _answer_form(assessment: Assessment, share: float, then: str = "save") -> dict[str, object]:
    data: dict[str, object] = {"then": then}
    for answer in assessment.answers.select_related("item"):
        data[f"score_{answer.item_id}"] = int(answer.item.max_score * share)
        data[f"text_{answer.item_id}"] = "台账存档"
    return data


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_ratings_in_scope_and_filters_them(client, world):
    reviewer = officer(world.township)
    union_rating = rate(
        world.union, until=AssessmentStatus.PUBLISHED, assessor=reviewer, reviewer=reviewer, review_share=0.9
    )
    joint_rating = rate(world.joint, until=AssessmentStatus.SUBMITTED, assessor=reviewer)
    elsewhere = rate(world.other_union, until=AssessmentStatus.DRAFT, assessor=officer(world.other_district))
    sign_in_verified(client, officer(world.district, Role.AUDITOR))

    html = _html(client.get("/console/ratings/"))
    assert html.count("<h1") == 1
    assert "活力基层工会评定" in html
    assert f'data-row-id="{union_rating.pk}"' in html
    assert f'data-row-id="{joint_rating.pk}"' in html
    assert f'data-row-id="{elsewhere.pk}"' not in html
    assert f'data-stars="{union_rating.stars}"' in html

    three_plus = _html(client.get("/console/ratings/", {"min_stars": 3}))
    assert f'data-row-id="{union_rating.pk}"' in three_plus
    assert f'data-row-id="{joint_rating.pk}"' not in three_plus
    waiting = _html(client.get("/console/ratings/", {"status": "submitted"}))
    assert f'data-row-id="{joint_rating.pk}"' in waiting
    assert f'data-row-id="{union_rating.pk}"' not in waiting
    assert "待审核" in waiting
    other_year = _html(client.get("/console/ratings/", {"year": YEAR - 1}))
    assert "没有符合条件的评定。" in other_year
    # An org outside the scope is not offered and not applied.
    outside = _html(client.get("/console/ratings/", {"org": world.other_district.pk, "status": "submitted"}))
    assert "部分筛选条件有误，未予应用。" in outside
    assert f'data-row-id="{elsewhere.pk}"' not in outside
    assert f'data-row-id="{union_rating.pk}"' not in outside  # the valid status filter still applies
    under_joint = _html(client.get("/console/ratings/", {"org": world.joint.pk}))
    assert f'data-row-id="{joint_rating.pk}"' in under_joint
    assert f'data-row-id="{union_rating.pk}"' not in under_joint


def test_the_list_takes_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    township = refresh(world.township)
    checklist = Checklist.objects.get()
    unions = [
        Org.objects.add_child(
            refresh(township),
            create_kwargs={"code": f"B{n}", "name": f"第{n}工会", "kind": OrgKind.GRASSROOTS},
        )
        for n in range(30)
    ]
    Assessment.objects.bulk_create(
        Assessment(org=union, checklist=checklist, year=YEAR, status=AssessmentStatus.PUBLISHED, stars=n % 6)
        for n, union in enumerate(unions)
    )
    sign_in_verified(client, officer(world.city))
    with django_assert_max_num_queries(14):
        response = client.get("/console/ratings/")
    assert _html(response).count("data-row-id=") == 30


def test_a_union_officer_starts_fills_in_and_submits_the_self_assessment(client, world):
    union_officer = officer(world.union, Role.UNION_OFFICER)
    sign_in_verified(client, union_officer)

    page = _html(client.get("/console/ratings/"))
    assert f"本工会{YEAR}年度自评" in page
    assert "开始自评" in page

    response = client.post(reverse("console:ratings:start", args=[world.union.pk]), {"year": YEAR})
    assessment = Assessment.objects.get(org=world.union)
    assert response.status_code == 302
    assert response["Location"] == reverse("console:ratings:answers", args=[assessment.pk])

    form = _html(client.get(response["Location"]))
    assert "有依法选举的工会主席（15分）" in form
    assert "第1项自评分" in form
    first = assessment.answers.select_related("item").order_by("item__order")[0]

    too_high = _answer_form(assessment, 1.0) | {f"score_{first.item_id}": 7}
    refused = client.post(response["Location"], too_high)
    assert refused.status_code == 422
    assert "确保该值小于或等于6。" in _html(refused)
    assert not assessment.answers.filter(self_score__isnull=False).exists()

    incomplete = _answer_form(assessment, 1.0, then="submit") | {f"score_{first.item_id}": ""}
    refused = client.post(response["Location"], incomplete)
    assert refused.status_code == 422
    assert re.search(rf'id="id_score_{first.item_id}_error"><li>提交前请为此项打分。', _html(refused))
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.DRAFT

    saved = client.post(response["Location"], _answer_form(assessment, 1.0))
    assert saved.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).self_score == 100

    submitted = client.post(response["Location"], _answer_form(assessment, 0.9, then="submit"), follow=True)
    assert "自评已提交审核。" in _html(submitted)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    # The form is closed now, and no review button is offered to the union itself.
    assert client.get(response["Location"]).status_code == 302
    assert "评定结果公布后显示" in _html(submitted)
    assert reverse("console:ratings:review", args=[assessment.pk]) not in _html(submitted)


def test_the_reviewer_scores_approves_and_publishes(client, world):
    assessment = rate(
        world.union, until=AssessmentStatus.SUBMITTED, assessor=officer(world.union, "union_officer")
    )
    sign_in_verified(client, officer(world.township))
    review_url = reverse("console:ratings:review", args=[assessment.pk])

    detail = _html(client.get(reverse("console:ratings:detail", args=[assessment.pk])))
    assert review_url in detail
    page = _html(client.get(review_url))
    assert "工会自评" in page
    assert "三星80分" in page

    data = {
        **{f"score_{a.item_id}": a.item.max_score for a in assessment.answers.select_related("item")},
        "opinion": "各项工作扎实",
        "then": "approve",
    }
    approved = client.post(review_url, data, follow=True)
    assert "审核已通过：100分，5星。" in _html(approved)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.stars, assessment.reviewer_org) == (
        AssessmentStatus.REVIEWED,
        5,
        world.township,
    )

    published = client.post(
        reverse("console:ratings:transition", args=[assessment.pk]), {"action": "publish"}, follow=True
    )
    assert "评定结果已公布。" in _html(published)
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.PUBLISHED


def test_returning_without_a_reason_shows_the_error_and_changes_nothing(client, world):
    assessment = rate(
        world.union, until=AssessmentStatus.SUBMITTED, assessor=officer(world.union, "union_officer")
    )
    sign_in_verified(client, officer(world.township))
    url = reverse("console:ratings:transition", args=[assessment.pk])

    refused = client.post(url, {"action": "return", "comment": " "})
    assert refused.status_code == 422
    assert "请说明退回原因" in _html(refused)
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED

    illegal = client.post(url, {"action": "publish"})
    assert illegal.status_code == 409
    assert "状态为“待审核”的评定不能执行“公布评定结果”。" in _html(illegal)

    returned = client.post(url, {"action": "return", "comment": "经费材料不全"}, follow=True)
    assert "已退回重新自评：" in _html(returned)
    assert "经费材料不全" in _html(returned)


def test_stars_are_hidden_from_the_union_until_published(client, world):
    union_officer = officer(world.union, "union_officer")
    reviewer = officer(world.township)
    assessment = rate(world.union, until=AssessmentStatus.REVIEWED, assessor=union_officer, reviewer=reviewer)
    url = reverse("console:ratings:detail", args=[assessment.pk])
    sign_in_verified(client, union_officer)

    hidden = _html(client.get(url))
    assert "评定结果公布后显示" in hidden
    assert "data-stars=" not in hidden
    assert "材料齐全" not in hidden  # the opinion

    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.PUBLISHED)
    shown = _html(client.get(url))
    assert 'data-stars="3"' in shown
    assert "材料齐全" in shown


# --- checklists -----------------------------------------------------------------------------


def test_a_federation_manages_a_checklist_from_draft_to_published_to_next_year(client, world):
    reviewer = officer(world.district)
    sign_in_verified(client, reviewer)

    new_page = _html(client.get(reverse("console:ratings:checklist_new")))
    assert "明州区总工会" in new_page
    assert "示范市总工会" not in new_page  # not theirs to issue for
    data = {
        "org": world.district.pk,
        "year": YEAR,
        "title": "明州区活力工会评价标准",
        "star1_min": 60,
        "star2_min": 70,
        "star3_min": 80,
        "star4_min": 90,
        "star5_min": 95,
        "default_items": "on",
    }
    bad = client.post(reverse("console:ratings:checklist_new"), data | {"star3_min": 65})
    assert bad.status_code == 422
    assert "须高于下一等级的最低分。" in _html(bad)

    created = client.post(reverse("console:ratings:checklist_new"), data)
    checklist = Checklist.objects.get(issued_by=world.district)
    assert created["Location"] == reverse("console:ratings:checklist", args=[checklist.pk])
    assert checklist.items.count() == 20

    added = client.post(
        reverse("console:ratings:item_new", args=[checklist.pk]),
        {"section": "other", "text": "开展职工心理关爱活动", "max_score": 5, "order": 300},
    )
    assert added.status_code == 302
    item = ChecklistItem.objects.get(text="开展职工心理关爱活动")
    edited = client.post(
        reverse("console:ratings:item_edit", args=[item.pk]),
        {"section": "activities", "text": "开展职工心理关爱活动", "max_score": 4, "order": 300},
    )
    assert edited.status_code == 302
    assert client.post(reverse("console:ratings:item_delete", args=[item.pk])).status_code == 302
    assert not ChecklistItem.objects.filter(pk=item.pk).exists()

    published = client.post(reverse("console:ratings:checklist_publish", args=[checklist.pk]), follow=True)
    assert "评定标准已发布" in _html(published)
    assert "该评定标准已发布，不能再修改。" in _html(published)
    frozen = client.post(
        reverse("console:ratings:checklist_edit", args=[checklist.pk]),
        {"title": "改", "star1_min": 1, "star2_min": 2, "star3_min": 3, "star4_min": 4, "star5_min": 5},
    )
    assert frozen.status_code == 422
    assert "已发布的评定标准不能修改" in _html(frozen)

    copied = client.post(reverse("console:ratings:checklist_copy", args=[checklist.pk]), {"year": YEAR + 1})
    copy = Checklist.objects.get(issued_by=world.district, year=YEAR + 1)
    assert copied["Location"] == reverse("console:ratings:checklist", args=[copy.pk])
    assert copy.status == ChecklistStatus.DRAFT
    again = client.post(reverse("console:ratings:checklist_copy", args=[checklist.pk]), {"year": YEAR + 1})
    assert again.status_code == 409


def test_the_checklist_list_shows_those_issued_in_scope_and_published_above(client, world):
    city_checklist = Checklist.objects.get(issued_by=world.city)
    draft_above = Checklist.objects.create(issued_by=world.city, year=YEAR + 1, title="市总草稿")
    sign_in_verified(client, officer(world.union, "union_officer"))
    html = _html(client.get(reverse("console:ratings:checklists")))
    assert f'data-row-id="{city_checklist.pk}"' in html
    assert f'data-row-id="{draft_above.pk}"' not in html
    assert "新建评定标准" not in html
    detail = _html(client.get(reverse("console:ratings:checklist", args=[city_checklist.pk])))
    assert "有作用明显的工作成效（20分）" in detail
    assert "60分及以上" in detail
    assert client.get(reverse("console:ratings:checklist", args=[draft_above.pk])).status_code == 404


def test_ratings_pages_have_no_inline_script_or_style_and_the_sidebar_links_them(client, world):
    reviewer = officer(world.township)
    assessment = rate(world.union, until=AssessmentStatus.SUBMITTED, assessor=reviewer)
    checklist = Checklist.objects.get()
    sign_in_verified(client, reviewer)
    urls = [
        "/console/ratings/",
        "/console/ratings/summary/",
        f"/console/ratings/{assessment.pk}/",
        f"/console/ratings/{assessment.pk}/review/",
        "/console/ratings/checklists/",
        f"/console/ratings/checklists/{checklist.pk}/",
        "/console/ratings/checklists/new/",
    ]
    for url in urls:
        response = client.get(url)
        html = _html(response)
        assert response.status_code == 200, url
        assert html.count("<h1") == 1, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=", html), url
    assert f'href="{reverse("console:ratings:list")}" aria-current="page"' in _html(client.get(urls[0]))
