"""Console pages of bargaining topics: the topics members proposed to the unions in my scope,
counts by category, and answering one. The proposer's name is shown to the officers of their
own union only (selectors.proposer_label)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.console.navigation import require_somewhere
from gonghui.contracts.models import BargainingTopic, TopicStatus
from gonghui.contracts.selectors import own_union_ids, proposer_label, topic_counts, topics_for
from gonghui.contracts.services import topics
from gonghui.contracts.views.forms import AnswerForm, TopicFilterForm
from gonghui.core.errors import DomainError
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at

SECTION = "contracts"
PAGE_SIZE = 50


def answer_prefix(topic_id: int) -> str:
    """Each topic's answer form has its own field names and ids, so a page of them stays valid."""
    return f"topic-{topic_id}"


@require_GET
@officer_required
def topic_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.CONTRACTS_VIEW)
    form = TopicFilterForm(request.GET or None)
    filters = form.valid_data() if request.GET else {}
    rows = topics_for(user)
    counts = topic_counts(rows)
    if filters.get("category"):
        rows = rows.filter(category=filters["category"])
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    own = own_union_ids(user)
    shown: list[dict[str, Any]] = [
        {
            "topic": topic,
            "proposer": proposer_label(topic, own),
            "answer_form": AnswerForm(prefix=answer_prefix(topic.pk))
            if topic.status == TopicStatus.OPEN and has_perm_at(user, Perm.CONTRACTS_CHANGE, topic.org.path)
            else None,
        }
        for topic in page.object_list
    ]
    context = {
        "form": form,
        "page_obj": page,
        "rows": shown,
        "counts": counts,
        "tab": "topics",
        "console_section": SECTION,
    }
    return render(request, "contracts/topic_list.html", context)


@require_POST
@officer_required
def topic_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    topic = get_visible(BargainingTopic, user, Perm.CONTRACTS_VIEW, pk=pk)
    form = AnswerForm(request.POST, prefix=answer_prefix(topic.pk))
    if not form.is_valid():
        problems = [str(message) for errors in form.errors.values() for message in errors]
        messages.error(request, " ".join(problems))
        return redirect("console:contracts:topic_list")
    try:
        topics.answer_topic(
            topic.pk, actor=user, status=form.cleaned_data["status"], reply=form.cleaned_data["reply"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The answer is saved; the member reads it in the portal."))
    return redirect("console:contracts:topic_list")


urlpatterns: list[URLPattern] = [
    path("topics/", topic_list, name="topic_list"),
    path("topics/<int:pk>/answer/", topic_answer, name="topic_answer"),
]
