"""REST API of ratings: the whole journey, error bodies, filters and query bounds."""

from __future__ import annotations

import json

import pytest

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.orgs.models import Org, OrgKind, Role
from gonghui.ratings.models import Assessment, AssessmentStatus, Checklist
from gonghui.ratings.tests.factories import YEAR, default_checklist, make_tree, officer, rate, refresh

pytestmark = pytest.mark.django_db

API = "/api/v1/ratings"


@pytest.fixture
def world():
    tree = make_tree()
    default_checklist(tree.city)
    return tree


def _send(client, method: str, url: str, body: dict[str, object]):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_a_rating_goes_from_start_to_published_through_the_api(client, world):
    union_officer = officer(world.union, Role.UNION_OFFICER)
    reviewer = officer(world.township)
    sign_in_verified(client, union_officer)

    created = _send(client, "post", f"{API}/assessments", {"org_id": world.union.pk, "year": YEAR})
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["org_name"], len(body["answers"])) == ("draft", "东湖机械厂工会", 20)
    assert body["allowed_actions"] == ["submit"]
    url = f"{API}/assessments/{body['id']}"

    answers = [
        {"item_id": a["item_id"], "self_score": a["max_score"], "evidence": "台账"} for a in body["answers"]
    ]
    saved = _send(client, "put", f"{url}/answers", {"answers": answers})
    assert saved.status_code == 200
    assert saved.json()["self_score"] == 100
    submitted = _send(client, "post", f"{url}/transitions", {"action": "submit"})
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["allowed_actions"] == []

    client.logout()
    sign_in_verified(client, reviewer)
    scores = [{"item_id": a["item_id"], "review_score": a["max_score"] - 1} for a in body["answers"]]
    reviewed = _send(client, "put", f"{url}/review", {"scores": scores, "opinion": "基本属实"})
    assert reviewed.json()["review_score"] == 80
    assert reviewed.json()["allowed_actions"] == ["approve", "return"]
    approved = _send(client, "post", f"{url}/transitions", {"action": "approve"})
    assert (approved.json()["status"], approved.json()["stars"]) == ("reviewed", 3)
    assert approved.json()["reviewer_org_name"] == "东湖街道总工会"

    client.logout()
    sign_in_verified(client, union_officer)
    before_publication = client.get(url).json()
    assert (
        before_publication["stars"],
        before_publication["review_score"],
        before_publication["opinion"],
    ) == (
        None,
        None,
        "",
    )
    assert before_publication["answers"][0]["review_score"] is None

    client.logout()
    sign_in_verified(client, reviewer)
    published = _send(client, "post", f"{url}/transitions", {"action": "publish"})
    assert published.json()["status"] == "published"
    assert [entry["action"] for entry in published.json()["history"]] == [
        "start",
        "submit",
        "approve",
        "publish",
    ]

    client.logout()
    sign_in_verified(client, union_officer)
    assert client.get(url).json()["stars"] == 3


def test_a_score_above_the_item_maximum_is_a_422_with_the_field_path(client, world):
    assessment = rate(world.union, until=AssessmentStatus.DRAFT, assessor=officer(world.union))
    sign_in_verified(client, officer(world.union))
    first, second = assessment.answers.select_related("item").order_by("item__order")[:2]

    response = _send(
        client,
        "put",
        f"{API}/assessments/{assessment.pk}/answers",
        {
            "answers": [
                {"item_id": first.item_id, "self_score": 1},
                {"item_id": second.item_id, "self_score": 9},
            ]
        },
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error",
        "message": "部分分数有误，请查看各项的提示。",
        "fields": {"answers.1.self_score": ["请输入0至5之间的分数。"]},
    }
    assert not assessment.answers.filter(self_score__isnull=False).exists()
    schema_refusal = _send(
        client,
        "put",
        f"{API}/assessments/{assessment.pk}/answers",
        {"answers": [{"item_id": 1, "self_score": -1}]},
    )
    assert schema_refusal.status_code == 422
    assert "answers.0.self_score" in schema_refusal.json()["fields"]


def test_an_illegal_transition_is_a_409_and_a_return_without_reason_a_422(client, world):
    assessment = rate(world.union, until=AssessmentStatus.SUBMITTED, assessor=officer(world.union))
    sign_in_verified(client, officer(world.township))
    url = f"{API}/assessments/{assessment.pk}/transitions"

    illegal = _send(client, "post", url, {"action": "publish"})
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "invalid_transition"
    assert illegal.json()["message"] == "状态为“待审核”的评定不能执行“公布评定结果”。"

    no_reason = _send(client, "post", url, {"action": "return"})
    assert no_reason.status_code == 422
    assert no_reason.json()["fields"] == {"comment": ["请说明退回原因，以便工会知道需要修改什么。"]}

    unknown = _send(client, "post", url, {"action": "start"})
    assert unknown.status_code == 422
    assert list(unknown.json()["fields"]) == ["action"]
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED


def test_starting_twice_or_without_a_checklist_is_refused(client, world):
    sign_in_verified(client, officer(world.union))
    assert (
        _send(client, "post", f"{API}/assessments", {"org_id": world.union.pk, "year": YEAR}).status_code
        == 201
    )
    twice = _send(client, "post", f"{API}/assessments", {"org_id": world.union.pk, "year": YEAR})
    assert (twice.status_code, twice.json()["code"]) == (409, "assessment_exists")
    no_checklist = _send(client, "post", f"{API}/assessments", {"org_id": world.union.pk, "year": YEAR - 1})
    assert no_checklist.status_code == 422
    assert list(no_checklist.json()["fields"]) == ["year"]
    missing = _send(client, "post", f"{API}/assessments", {"org_id": 10**9, "year": YEAR})
    assert missing.status_code == 404


def test_the_list_filters_pages_and_hides_unpublished_stars(client, world):
    reviewer = officer(world.township)
    published = rate(world.union, until=AssessmentStatus.PUBLISHED, assessor=reviewer, reviewer=reviewer)
    reviewed = rate(world.joint, until=AssessmentStatus.REVIEWED, assessor=reviewer, reviewer=reviewer)
    sign_in_verified(client, officer(world.district, Role.AUDITOR))

    everything = client.get(f"{API}/assessments").json()
    assert everything["count"] == 2
    rows = {row["id"]: row for row in everything["items"]}
    assert rows[published.pk]["stars"] == published.stars
    assert rows[reviewed.pk]["stars"] is None  # an auditor may not review: not published, not shown

    assert [r["id"] for r in client.get(f"{API}/assessments?min_stars=1").json()["items"]] == [published.pk]
    assert [r["id"] for r in client.get(f"{API}/assessments?status=reviewed").json()["items"]] == [
        reviewed.pk
    ]
    assert client.get(f"{API}/assessments?year={YEAR - 1}").json() == {"count": 0, "items": []}
    assert client.get(f"{API}/assessments?org_id={world.joint.pk}").json()["count"] == 1
    page = client.get(f"{API}/assessments?limit=1&offset=1").json()
    assert (page["count"], len(page["items"])) == (2, 1)
    assert client.get(f"{API}/assessments?org_id={world.other_union.pk}").status_code == 404
    assert client.get(f"{API}/assessments?limit=101").status_code == 422
    assert client.get(f"{API}/assessments?status=lost").status_code == 422


def test_the_list_takes_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    checklist = Checklist.objects.get()
    unions = [
        Org.objects.add_child(
            refresh(world.township),
            create_kwargs={"code": f"B{n}", "name": f"第{n}工会", "kind": OrgKind.GRASSROOTS},
        )
        for n in range(25)
    ]
    Assessment.objects.bulk_create(
        Assessment(org=union, checklist=checklist, year=YEAR, status=AssessmentStatus.PUBLISHED, stars=3)
        for union in unions
    )
    sign_in_verified(client, officer(world.city))
    with django_assert_max_num_queries(8):
        body = client.get(f"{API}/assessments?limit=100").json()
    assert body["count"] == 25


def test_checklists_in_scope_and_published_above_are_listed_with_their_items(client, world):
    city_checklist = Checklist.objects.get(issued_by=world.city)
    Checklist.objects.create(issued_by=world.city, year=YEAR + 1, title="市总草稿")
    sign_in_verified(client, officer(world.union, Role.UNION_OFFICER))

    listed = client.get(f"{API}/checklists").json()
    assert [row["id"] for row in listed["items"]] == [city_checklist.pk]
    assert listed["items"][0]["thresholds"] == [60, 70, 80, 90, 95]
    detail = client.get(f"{API}/checklists/{city_checklist.pk}").json()
    assert detail["max_total"] == 100
    assert detail["items"][0]["section_label"] == "有依法选举的工会主席"
    assert client.get(f"{API}/checklists?year={YEAR + 1}").json() == {"count": 0, "items": []}
    assert client.get(f"{API}/checklists/{city_checklist.pk + 1}").status_code == 404
