"""REST API of the signed-in member's bargaining topics (/api/v1/contracts/me): my proposals
with the union's answers, and proposing one to my union.

Refusals: 404 `no_membership` / `no_active_membership`; 422 with the fields; 429
`rate_limited`. A refusal writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.contracts.models import BargainingTopic, TopicCategory, TopicStatus
from gonghui.contracts.selectors import MY_TOPICS_LIMIT, my_topics
from gonghui.contracts.services import topics

router = Router(tags=["contracts"])


class MyTopicOut(Schema):
    id: int
    union: str = Field(description="The union the topic was proposed to.")
    category: TopicCategory
    text: str
    status: TopicStatus
    reply: str = Field(description="The union's answer, once it has answered.")
    replied_at: datetime | None
    created_at: datetime


class MyTopicsOut(Schema):
    items: list[MyTopicOut]


class TopicIn(Schema):
    category: TopicCategory
    text: str = Field(max_length=topics.TEXT_MAX * 2)


def my_topic_out(topic: BargainingTopic) -> dict[str, Any]:
    return {
        "id": topic.pk,
        "union": topic.org.name,
        "category": topic.category,
        "text": topic.text,
        "status": topic.status,
        "reply": topic.reply,
        "replied_at": topic.replied_at,
        "created_at": topic.created_at,
    }


@router.get("/topics", response=MyTopicsOut, summary="My bargaining topics and the union's answers")
def my_topic_list(request: HttpRequest) -> dict[str, Any]:
    rows = my_topics(request_user(request))[:MY_TOPICS_LIMIT]
    return {"items": [my_topic_out(topic) for topic in rows]}


@router.post("/topics", response={201: MyTopicOut}, summary="Propose a topic to my union")
def my_topic_create(request: HttpRequest, payload: TopicIn) -> Status[dict[str, Any]]:
    topic = topics.propose_topic(actor=request_user(request), category=payload.category, text=payload.text)
    return Status(201, my_topic_out(BargainingTopic.objects.select_related("org").get(pk=topic.pk)))
