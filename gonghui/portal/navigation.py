"""The member portal's service tiles, in one place (home page grid and the services page).

A module that is not built yet has `available=False`: its tile is shown with a "Coming soon"
badge and no link. When the module lands, set `url_name` and flip `available` to True.
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
    url_name: str | None = None
    available: bool = False

    def url(self) -> str | None:
        return reverse(self.url_name) if self.available and self.url_name else None


CATEGORIES: tuple[Category, ...] = (
    Category("membership", _("Membership")),
    Category("benefits", _("Benefits and activities")),
    Category("care", _("Care and rights")),
    Category("help", _("Service points and help")),
)

TILES: tuple[ServiceTile, ...] = (
    ServiceTile("join", _("Join the union"), "membership", "入", url_name="portal:join", available=True),
    ServiceTile(
        "member_card", _("Member card"), "membership", "卡", url_name="portal:member_card", available=True
    ),
    ServiceTile(
        "my_membership", _("My membership"), "membership", "籍", url_name="portal:me_profile", available=True
    ),
    ServiceTile("benefits", _("Benefits"), "benefits", "福", url_name="portal:benefits", available=True),
    ServiceTile("pledges", _("Ten pledges"), "benefits", "实", url_name="portal:pledges", available=True),
    ServiceTile("events", _("Events"), "benefits", "活", url_name="portal:events", available=True),
    ServiceTile("mutual_aid", _("Mutual aid"), "care", "保", url_name="portal:mutualaid", available=True),
    ServiceTile("hardship", _("Hardship help"), "care", "帮", url_name="portal:hardship", available=True),
    ServiceTile(
        "care_received", _("Care I receive"), "care", "暖", url_name="portal:assistance_care", available=True
    ),
    ServiceTile(
        "education_grants",
        _("Autumn education grants"),
        "care",
        "助",
        url_name="portal:assistance_education",
        available=True,
    ),
    ServiceTile("counselling", _("Counselling"), "care", "心", url_name="portal:counselling", available=True),
    ServiceTile("help", _("I need help"), "care", "援", url_name="portal:help", available=True),
    ServiceTile("legal", _("My legal questions"), "care", "法", url_name="portal:legal_mine", available=True),
    ServiceTile(
        "bargaining_topics",
        _("Bargaining topics"),
        "membership",
        "议",
        url_name="portal:bargaining_topics",
        available=True,
    ),
    ServiceTile("courses", _("Workers' school"), "benefits", "学", url_name="portal:courses", available=True),
    ServiceTile(
        "service_points", _("Service map"), "help", "站", url_name="portal:service_points", available=True
    ),
    ServiceTile("qa", _("Q&A"), "help", "问"),
)


def tiles() -> list[ServiceTile]:
    return list(TILES)


def tiles_by_category() -> list[tuple[Category, list[ServiceTile]]]:
    return [(cat, [t for t in TILES if t.category == cat.key]) for cat in CATEGORIES]
