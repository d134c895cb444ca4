"""`{% load supervision %}{% supervision_panel workplace %}`: the supervision panel of a
workplace's page, for the signed-in officer's scope (nothing for those who may not see it)."""

from __future__ import annotations

from typing import Any

from django import template

from gonghui.orgs.models import Workplace
from gonghui.supervision.selectors import supervision_summary

register = template.Library()


@register.inclusion_tag("supervision/workplace_panel.html", takes_context=True)
def supervision_panel(context: template.Context, workplace: Workplace) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"supervision": supervision_summary(workplace, user)}
