"""The mutual aid console's tabs (互助计划 / 参保 / 理赔 / 支付 / 统计). A tab is shown when its page
exists (the parts are built separately, so a missing one leaves no broken link) and the user
holds the permission its page asks for, so nobody is offered a page that would answer 404."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths

register = template.Library()

# (key, label, URL name, the permissions of which the user must hold one somewhere). The labels
# have a context: other parts of the console use the same words differently (领取 of benefits).
TABS = (
    (
        "plans",
        pgettext_lazy("mutual aid tab", "Plans"),
        "console:mutualaid:plan_list",
        (Perm.MUTUALAID_VIEW,),
    ),
    # Union officers enrol their members (MEMBER_CHANGE); the scheme's staff follow the batches.
    (
        "enrolment",
        pgettext_lazy("mutual aid tab", "Enrolment"),
        "console:mutualaid:enrolment_list",
        (Perm.MEMBER_CHANGE, Perm.MUTUALAID_VIEW),
    ),
    (
        "claims",
        pgettext_lazy("mutual aid tab", "Claims"),
        "console:mutualaid:claim_list",
        (Perm.MUTUALAID_VIEW,),
    ),
    (
        "payments",
        pgettext_lazy("mutual aid tab", "Payments"),
        "console:mutualaid:payment_list",
        (Perm.MUTUALAID_VIEW,),
    ),
    ("reports", _("Reports"), "console:mutualaid:report", (Perm.MUTUALAID_VIEW,)),
)


def _holds_somewhere(user: Any, perm: Perm) -> bool:
    paths = scope_paths(user, perm)
    return paths is None or bool(paths)


def mutualaid_tab_list(user: Any, current: str = "") -> list[dict[str, object]]:
    tabs: list[dict[str, object]] = []
    for key, label, url_name, perms in TABS:
        if not any(_holds_somewhere(user, perm) for perm in perms):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        tabs.append({"key": key, "label": label, "url": url, "current": key == current})
    return tabs


@register.simple_tag(takes_context=True)
def mutualaid_tabs(context: template.Context, current: str = "") -> list[dict[str, object]]:
    """`{% mutualaid_tabs "plans" as tabs %}`: the tabs the signed-in user may open, the current
    one marked."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return mutualaid_tab_list(user, current)
