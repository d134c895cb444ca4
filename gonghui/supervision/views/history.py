"""Console page: a workplace's supervision history (inspections, notices, interviews) as far as
the officer's scope goes. The workplace itself is found when the officer sees it or sees any
supervision record of it; 404 otherwise."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.console.navigation import require_somewhere
from gonghui.orgs.permissions import Perm
from gonghui.supervision import selectors
from gonghui.supervision.views.common import SECTION, handles_somewhere


@require_GET
@officer_required
def workplace_history(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_VIEW)
    workplace = selectors.history_workplace(user, pk)
    context = {
        "workplace": workplace,
        "history": selectors.workplace_history(user, workplace),
        "may_plan": handles_somewhere(user),
        "tab": "inspections",
        "console_section": SECTION,
    }
    return render(request, "supervision/workplace_history.html", context)


urlpatterns: list[URLPattern] = [
    path("workplaces/<int:pk>/", workplace_history, name="workplace_history"),
]
