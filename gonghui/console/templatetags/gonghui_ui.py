"""Template helpers for the shared components in gonghui/templates/components/.

{% load gonghui_ui %} gives:
  {{ row|cell:"org.name" }}  value of a dotted path on an object or dict (callables are called)
  {{ status|is_final_status }}  True when a background job's status means it has stopped
  {% console_sidebar %}      the console sidebar from gonghui/console/navigation.py
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.urls import reverse

from gonghui.console.navigation import items_for
from gonghui.orgs.scoping import granted_tops

register = template.Library()


@register.filter
def cell(row: Any, path: str) -> Any:
    value: Any = row
    for part in str(path).split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if (
            callable(value)
            and not isinstance(value, Model)
            and not getattr(value, "do_not_call_in_templates", False)
        ):
            if getattr(value, "alters_data", False):
                return None
            value = value()
    return value


FINAL_JOB_STATUSES = frozenset(
    {
        "succeeded",
        "successful",
        "success",
        "done",
        "finished",
        "failed",
        "failure",
        "error",
        "cancelled",
        "canceled",
    }
)


@register.filter
def is_final_status(status: Any) -> bool:
    return str(status or "").strip().lower() in FINAL_JOB_STATUSES


@register.inclusion_tag("components/console_sidebar.html", takes_context=True)
def console_sidebar(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    section = context.get("console_section")
    entries = [
        {
            "key": item.key,
            "label": item.label,
            "url": item.url(),
            "current": item.is_current(view_name, section),
        }
        for item in items_for(user)
    ]
    return {"entries": entries}


ORG_MENU_LIMIT = 20


@register.inclusion_tag("components/console_org_menu.html", takes_context=True)
def console_org_menu(context: template.Context) -> dict[str, Any]:
    """The header's menu of the organisations the officer's grants cover (the tops of their
    subtrees), each linking to its page; the page may name the one it is about. Built from the
    grants scoping has loaded for this request already, so it costs no query. A superuser's
    scope is the whole tree: the menu points at the tree instead of listing it."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    tops = granted_tops(user)
    return {
        "current_org_name": context.get("current_org_name"),
        "orgs": [
            {"name": top.org_name, "url": reverse("console:orgs:org_detail", args=[top.org_id])}
            for top in tops[:ORG_MENU_LIMIT]
        ],
        "more": max(len(tops) - ORG_MENU_LIMIT, 0),
        "everything": bool(getattr(user, "is_superuser", False)),
        "tree_url": reverse("console:orgs:tree"),
    }
