"""Bargaining topics (集体协商议题征集): a member proposes a topic for their union's next round
of collective bargaining; the union's officers adopt it or not, with an answer the member reads.

A topic belongs to the member's union at the time (`org`). Answering needs
`Perm.CONTRACTS_CHANGE` there; a topic outside the actor's `CONTRACTS_VIEW` scope is a missing
one. Audit events name the topic's id and never the member or their text.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.contracts.models import BargainingTopic, TopicCategory, TopicStatus
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, RateLimited
from gonghui.core.inputs import clean_multiline
from gonghui.core.ratelimit import over_limit
from gonghui.members.models import Member
from gonghui.members.services.selfservice import require_current_membership
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible

TEXT_MAX = 1000
REPLY_MAX = 1000
# A member's proposals per hour across the portal and the API: enough for a real list of
# wishes, too few to flood the officers' list.
TOPICS_PER_HOUR = 5
ANSWERS = (TopicStatus.ADOPTED, TopicStatus.NOT_ADOPTED)


def require_member(actor: User) -> Member:
    return require_current_membership(actor)


@transaction.atomic
def propose_topic(*, actor: User, category: str, text: str) -> BargainingTopic:
    """The signed-in member proposes a topic to their union."""
    member = require_member(actor)
    errors = FieldErrors()
    if category not in TopicCategory.values:
        errors.add("category", _("Choose what the topic is about."))
    text = clean_multiline(text, field="text", max_length=TEXT_MAX, errors=errors)
    if not text and "text" not in errors.fields:
        errors.add("text", _("Describe what you would like the union to bargain for."))
    errors.raise_if_any()
    if over_limit("contracts.topics", actor.pk, limit=TOPICS_PER_HOUR, seconds=3600):
        raise RateLimited(
            _("You have proposed %(n)d topics in the last hour. Please try again later.")
            % {"n": TOPICS_PER_HOUR}
        )
    topic = BargainingTopic.objects.create(
        org=member.org, member=member, user=actor, category=category, text=text
    )
    record_audit(
        actor=actor,
        action="contracts.propose_topic",
        obj=topic,
        changes={"category": [None, category]},
        org=member.org,
    )
    return topic


@transaction.atomic
def answer_topic(topic_id: int, *, actor: Any, status: str, reply: str) -> BargainingTopic:
    """Adopt a topic for bargaining or not, with the answer the member reads."""
    topic = (
        visible(BargainingTopic, actor, Perm.CONTRACTS_VIEW)
        .select_for_update(of=("self",))
        .select_related("org")
        .filter(pk=topic_id)
        .first()
    )
    if topic is None:
        raise NotFound(_("There is no such topic."))
    if not has_perm_at(actor, Perm.CONTRACTS_CHANGE, topic.org.path):
        raise Forbidden(_("You may read the topics of this union but not answer them."))
    errors = FieldErrors()
    if status not in ANSWERS:
        errors.add("status", _("Choose whether the topic is adopted."))
    reply = clean_multiline(reply, field="reply", max_length=REPLY_MAX, errors=errors)
    if not reply and "reply" not in errors.fields:
        errors.add("reply", _("Write the answer; the member reads it."))
    errors.raise_if_any()
    if topic.status != TopicStatus.OPEN:
        raise Conflict(_("This topic has already been answered."), code="already_answered")
    topic.status, topic.reply = status, reply
    topic.replied_by, topic.replied_at = actor, timezone.now()
    topic.save(update_fields=["status", "reply", "replied_by", "replied_at"])
    record_audit(
        actor=actor,
        action="contracts.answer_topic",
        obj=topic,
        changes={"status": [TopicStatus.OPEN, status]},
        org=topic.org,
    )
    return topic
