"""Bargaining topics: members propose them (portal and API, rate-limited), officers answer, and
the proposer's name is seen by the officers of their own union only."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_member, sign_in_verified
from gonghui.contracts.models import BargainingTopic, TopicStatus
from gonghui.contracts.services import topics
from gonghui.contracts.tests.factories import make_member_with_account, make_topic
from gonghui.core.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at, send_json

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def test_a_member_proposes_and_reads_the_answer_in_the_portal(tree: Tree) -> None:
    member, user = make_member_with_account(tree.acme, name="王小红")
    client = _client(user)
    page = client.get("/bargaining-topics/")
    assert page.status_code == 200
    assert "东区甲公司工会" in page.content.decode()
    response = client.post("/bargaining-topics/", {"category": "hours", "text": "希望减少周末加班"})
    assert response.status_code == 302
    topic = BargainingTopic.objects.get()
    assert (topic.org, topic.member, topic.category, topic.status) == (tree.acme, member, "hours", "open")
    topics.answer_topic(
        topic.pk,
        actor=officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER),
        status="adopted",
        reply="已列入",
    )
    answered = client.get("/bargaining-topics/").content.decode()
    assert f'data-topic-id="{topic.pk}"' in answered
    assert "已列入" in answered


def test_bad_input_is_shown_and_nothing_written(tree: Tree) -> None:
    _member, user = make_member_with_account(tree.acme)
    response = _client(user).post("/bargaining-topics/", {"category": "gossip", "text": ""})
    assert response.status_code == 422
    assert not BargainingTopic.objects.exists()


def test_without_membership_nothing_can_be_proposed(tree: Tree) -> None:
    user = make_member("13700001111")
    client = _client(user)
    assert client.get("/bargaining-topics/").status_code == 200
    assert client.post("/bargaining-topics/", {"category": "wages", "text": "涨工资"}).status_code == 422
    with pytest.raises(NotFound):
        topics.propose_topic(actor=user, category="wages", text="涨工资")
    assert not BargainingTopic.objects.exists()


def test_proposals_are_rate_limited(tree: Tree) -> None:
    _member, user = make_member_with_account(tree.acme)
    for number in range(topics.TOPICS_PER_HOUR):
        topics.propose_topic(actor=user, category="wages", text=f"建议{number}")
    with pytest.raises(RateLimited):
        topics.propose_topic(actor=user, category="wages", text="再来一条")
    response = _client(user).post("/bargaining-topics/", {"category": "wages", "text": "又一条"})
    assert response.status_code == 429
    assert BargainingTopic.objects.count() == topics.TOPICS_PER_HOUR


def test_the_member_api(tree: Tree) -> None:
    _member, user = make_member_with_account(tree.acme)
    client = _client(user)
    response = send_json(
        client, "post", "/api/v1/contracts/me/topics", {"category": "safety", "text": "高温补贴"}
    )
    assert response.status_code == 201
    assert response.json()["union"] == "东区甲公司工会"
    bad = send_json(client, "post", "/api/v1/contracts/me/topics", {"category": "safety", "text": "  "})
    assert bad.status_code == 422
    assert "text" in bad.json()["fields"]
    listed = client.get("/api/v1/contracts/me/topics").json()["items"]
    assert [item["text"] for item in listed] == ["高温补贴"]
    other, other_user = make_member_with_account(tree.beta)
    make_topic(other, other_user)
    assert len(client.get("/api/v1/contracts/me/topics").json()["items"]) == 1


def test_answering(tree: Tree) -> None:
    member, user = make_member_with_account(tree.acme)
    topic = make_topic(member, user)
    officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    with pytest.raises(ValidationFailed) as error:
        topics.answer_topic(topic.pk, actor=officer, status="open", reply="")
    assert set(error.value.fields) == {"status", "reply"}
    with pytest.raises(Forbidden):
        topics.answer_topic(
            topic.pk, actor=officer_at(tree.acme, "aud", Role.AUDITOR), status="adopted", reply="好"
        )
    with pytest.raises(NotFound):
        topics.answer_topic(topic.pk, actor=officer_at(tree.west, "west"), status="adopted", reply="好")
    topics.answer_topic(topic.pk, actor=officer, status="not_adopted", reply="本轮不列入")
    with pytest.raises(Conflict):
        topics.answer_topic(topic.pk, actor=officer, status="adopted", reply="改主意了")
    topic.refresh_from_db()
    assert (topic.status, topic.reply, topic.replied_by) == (TopicStatus.NOT_ADOPTED, "本轮不列入", officer)


def test_the_proposer_is_named_to_their_own_union_only(tree: Tree) -> None:
    member, user = make_member_with_account(tree.acme, name="王小红")
    topic = make_topic(member, user)
    own = _client(officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER))
    above = _client(officer_at(tree.east, "east.admin"))
    own_page = own.get("/console/contracts/topics/").content.decode()
    above_page = above.get("/console/contracts/topics/").content.decode()
    assert f'data-row-id="{topic.pk}"' in own_page
    assert f'data-row-id="{topic.pk}"' in above_page
    assert "王小红" in own_page
    assert "王小红" not in above_page
    assert "王**" in above_page
    api_item = json.loads(above.get("/api/v1/contracts/topics").content)["items"][0]
    assert api_item["proposer"] == "王**"
    assert own.get("/api/v1/contracts/topics").json()["items"][0]["proposer"] == "王小红"


def test_counts_by_category(tree: Tree) -> None:
    member, user = make_member_with_account(tree.acme)
    make_topic(member, user, category="wages")
    make_topic(member, user, category="wages")
    answered = make_topic(member, user, category="leave")
    BargainingTopic.objects.filter(pk=answered.pk).update(status="adopted", reply="好")
    body = _client(officer_at(tree.east, "east.admin")).get("/api/v1/contracts/topics").json()
    counts = {row["category"]: (row["open"], row["adopted"]) for row in body["counts"]}
    assert counts["wages"] == (2, 0)
    assert counts["leave"] == (0, 1)
    assert counts["hours"] == (0, 0)
    page = _client(officer_at(tree.east, "east.admin2")).get("/console/contracts/topics/?status=open")
    assert page.status_code == 200
    assert f'data-row-id="{answered.pk}"' not in page.content.decode()
