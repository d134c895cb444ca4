"""The benefits console's tabs (商户 / 福利活动 / 核销 / 十件实事), each shown only once its page
exists, so that a part of the app not built yet leaves no broken link."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

TABS = (
    ("merchants", _("Merchants"), "console:benefits:merchant_list"),
    ("campaigns", _("Campaigns"), "console:benefits:campaign_list"),
    ("redeem", _("Redemption"), "console:benefits:redeem"),
    ("pledges", _("Annual pledges"), "console:benefits:pledge_list"),
)


def benefit_tabs(current: str = "") -> list[dict[str, object]]:
    tabs: list[dict[str, object]] = []
    for key, label, url_name in TABS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        tabs.append({"key": key, "label": label, "url": url, "current": key == current})
    return tabs


@register.simple_tag
def benefits_tabs(current: str = "") -> list[dict[str, object]]:
    """`{% benefits_tabs "merchants" as tabs %}`: the tabs whose pages exist, the current one marked."""
    return benefit_tabs(current)
