from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": settings.GONGHUI_SITE_NAME,
        "CITY_NAME": settings.GONGHUI_CITY_NAME,
        "LARGE_FONT": request.COOKIES.get("large_font") == "1",
    }
