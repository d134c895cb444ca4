"""Member portal pages (phone first). Thin: the tiles come from gonghui.portal.navigation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.decorators import member_area
from gonghui.core.redirects import safe_next_url
from gonghui.portal import navigation

LARGE_FONT_COOKIE = "large_font"
LARGE_FONT_MAX_AGE = 60 * 60 * 24 * 365


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"tiles": navigation.tiles()})


@require_GET
def services(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/services.html", {"groups": navigation.tiles_by_category()})


@require_GET
@member_area
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/me.html")


@require_POST
def toggle_large_font(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(safe_next_url(request))
    if request.COOKIES.get(LARGE_FONT_COOKIE) == "1":
        response.delete_cookie(LARGE_FONT_COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            LARGE_FONT_COOKIE,
            "1",
            max_age=LARGE_FONT_MAX_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response
