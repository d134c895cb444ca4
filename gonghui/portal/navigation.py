"""The member portal's service tiles, in one place (home page grid and the services page).

Every tile links to a built page; a new module adds its tile here and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    key: str
    label: str | Promise


@dataclass(frozen=True)
class ServiceTile:
    key: str
    label: str | Promise
    category: str
    # One character drawn as the tile's badge (decorative; hidden from screen readers).
    glyph: str
    url_name: str

    def url(self) -> str:
        return reverse(self.url_name)


CATEGORIES: tuple[Category, ...] = (
    Category("membership", _("Membership")),
    Category("benefits", _("Benefits and activities")),
    Category("care", _("Care and rights")),
    Category("help", _("Service points and help")),
)

TILES: tuple[ServiceTile, ...] = (
    ServiceTile("join", _("Join the union"), "membership", "入", url_name="portal:join"),
    ServiceTile("member_card", _("Member card"), "membership", "卡", url_name="portal:member_card"),
    ServiceTile("my_membership", _("My membership"), "membership", "籍", url_name="portal:me_profile"),
    ServiceTile("benefits", _("Benefits"), "benefits", "福", url_name="portal:benefits"),
    ServiceTile("pledges", _("Ten pledges"), "benefits", "实", url_name="portal:pledges"),
    ServiceTile("events", _("Events"), "benefits", "活", url_name="portal:events"),
    ServiceTile("mutual_aid", _("Mutual aid"), "care", "保", url_name="portal:mutualaid"),
    ServiceTile("hardship", _("Hardship help"), "care", "帮", url_name="portal:hardship"),
    ServiceTile("care_received", _("Care I receive"), "care", "暖", url_name="portal:assistance_care"),
    ServiceTile(
        "education_grants",
        _("Autumn education grants"),
        "care",
        "助",
        url_name="portal:assistance_education",
    ),
    ServiceTile("counselling", _("Counselling"), "care", "心", url_name="portal:counselling"),
    ServiceTile("help", _("I need help"), "care", "援", url_name="portal:help"),
    ServiceTile("legal", _("My legal questions"), "care", "法", url_name="portal:legal_mine"),
    ServiceTile(
        "bargaining_topics",
        _("Bargaining topics"),
        "membership",
        "议",
        url_name="portal:bargaining_topics",
    ),
    ServiceTile("courses", _("Workers' school"), "benefits", "学", url_name="portal:courses"),
    ServiceTile("service_points", _("Service map"), "help", "站", url_name="portal:service_points"),
)


def tiles() -> list[ServiceTile]:
    return list(TILES)


def tiles_by_category() -> list[tuple[Category, list[ServiceTile]]]:
    return [(cat, [t for t in TILES if t.category == cat.key]) for cat in CATEGORIES]
