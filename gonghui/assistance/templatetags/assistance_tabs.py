"""The assistance console's tabs (困难档案 / 低收入标准 / 帮困基金 / 救助发放 / 送温暖活动 / 助学申请 /
统计). A tab is shown when its page exists (the parts are built separately, so a missing one
leaves no broken link) and the user holds the permission its page asks for somewhere, so nobody
is offered a page that would answer 404."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths

register = template.Library()

# (key, label, URL name, the permission the user must hold somewhere)
TABS = (
    ("files", _("Hardship files"), "console:assistance:file_list", Perm.ASSISTANCE_VIEW),
    ("thresholds", _("Income thresholds"), "console:assistance:threshold_list", Perm.ASSISTANCE_VIEW),
    ("funds", _("Funds"), "console:assistance:fund_list", Perm.ASSISTANCE_VIEW),
    ("grants", _("Grants"), "console:assistance:grant_list", Perm.ASSISTANCE_VIEW),
    ("campaigns", _("Care campaigns"), "console:assistance:campaign_list", Perm.ASSISTANCE_VIEW),
    (
        "applications",
        _("Education grant applications"),
        "console:assistance:application_list",
        Perm.ASSISTANCE_VIEW,
    ),
    ("reports", _("Reports"), "console:assistance:report", Perm.ASSISTANCE_VIEW),
)


def _holds_somewhere(user: Any, perm: Perm) -> bool:
    paths = scope_paths(user, perm)
    return paths is None or bool(paths)


def assistance_tab_list(user: Any, current: str = "") -> list[dict[str, object]]:
    tabs: list[dict[str, object]] = []
    for key, label, url_name, perm in TABS:
        if not _holds_somewhere(user, perm):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        tabs.append({"key": key, "label": label, "url": url, "current": key == current})
    return tabs


@register.simple_tag(takes_context=True)
def assistance_tabs(context: template.Context, current: str = "") -> list[dict[str, object]]:
    """`{% assistance_tabs "files" as tabs %}`: the tabs the signed-in user may open, the current
    one marked."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return assistance_tab_list(user, current)
