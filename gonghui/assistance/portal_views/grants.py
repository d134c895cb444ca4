"""Member portal page: 我获得的帮扶, the grants paid to the signed-in member (any of their
memberships), newest first: amount, purpose, fund and date, read only. A proposal still being
decided, or rejected, is the unions' business and is not shown; a reversed grant is, marked."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import member_area
from gonghui.accounts.models import User
from gonghui.assistance.services.grants import member_grants

NAV = "services"
GRANTS_PER_PAGE = 20


@require_GET
@never_cache
@member_area
def my_grants(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # member_area let only signed-in accounts through
    page = Paginator(member_grants(user), GRANTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"grants": page.object_list, "page_obj": page, "nav_section": NAV}
    return render(request, "assistance/portal_grant_list.html", context)


urlpatterns: list[URLPattern] = [
    path("hardship/grants/", my_grants, name="hardship_grants"),
]
