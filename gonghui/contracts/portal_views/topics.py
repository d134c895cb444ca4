"""Portal page: bargaining topics (集体协商议题征集) — propose a topic for my union's next round of
collective bargaining and read the union's answers to my proposals. Thin: parse, call one
service, render; every refusal is shown on the page and nothing is written."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.contracts.models import TopicCategory
from gonghui.contracts.selectors import MY_TOPICS_LIMIT, my_topics
from gonghui.contracts.services import topics
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.members.services.selfservice import current_membership

NAV = "services"


class TopicForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("What is it about?"), choices=[("", "—"), *TopicCategory.choices]
    )
    text = forms.CharField(
        label=gettext_lazy("Your proposal"),
        max_length=topics.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "What should the union bargain for with the employer? "
            "Only the officers of your own union see your name."
        ),
    )


@require_http_methods(["GET", "POST"])
@member_area
@never_cache
def bargaining_topics(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    member = current_membership(user)
    form = TopicForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                topics.propose_topic(actor=user, category=data["category"], text=data["text"])
            except DomainError as error:
                show_domain_error(form, error)
                status = 429 if error.status == 429 else 422
            else:
                messages.success(request, _("Thank you. Your union will answer your proposal here."))
                return redirect("portal:bargaining_topics")
    context = {
        "form": form,
        "member": member,
        "topics": list(my_topics(user)[:MY_TOPICS_LIMIT]),
        "nav_section": NAV,
    }
    return render(request, "contracts/portal_topics.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("bargaining-topics/", bargaining_topics, name="bargaining_topics"),
]
