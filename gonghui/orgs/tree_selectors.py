"""Reads over the union tree shared by the console tree pages and the orgs API.

Everything here starts from `visible(...)`, so a caller cannot reach an org outside the user's
scope, and nothing loads more than one level or one page of the tree: a city has 25,000 orgs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from gonghui.core.text import normalize_text
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible

SEARCH_LIMIT = 50
SEARCH_MAX_LENGTH = 60


def clean_query(raw: str) -> str:
    """Search text as people type it: normalised, and cut to a length worth searching for."""
    return normalize_text(raw)[:SEARCH_MAX_LENGTH]


def children_of(parent: Org, queryset: QuerySet[Org]) -> QuerySet[Org]:
    """The direct children of `parent` within `queryset`, in tree order (one indexed range)."""
    return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("path")


def matching(queryset: QuerySet[Org], text: str) -> QuerySet[Org]:
    """Orgs whose name, short name or code contains `text`, ignoring case."""
    return queryset.filter(Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__icontains=text))


def search_orgs(
    user: Any,
    text: str,
    *,
    perm: Perm = Perm.ORG_VIEW,
    limit: int = SEARCH_LIMIT,
    active_only: bool = False,
    outside: Org | None = None,
) -> list[Org]:
    """Up to `limit` orgs in the user's scope (for `perm`) matching `text`, in tree order.

    `outside` leaves out that org's subtree (an org cannot be moved or merged into it)."""
    text = clean_query(text)
    if not text:
        return []
    queryset = matching(visible(Org, user, perm), text)
    if active_only:
        queryset = queryset.filter(status=OrgStatus.ACTIVE)
    if outside is not None:
        queryset = queryset.exclude(path__startswith=outside.path)
    return list(queryset.order_by("path")[:limit])


def parent_path(org: Org) -> str:
    path: str = org.path
    return path[: -Org.steplen]


def parent_ids(orgs: Iterable[Org]) -> dict[str, int]:
    """{org path: id of its parent} for the given orgs, in one query; roots are left out."""
    paths = {parent_path(org) for org in orgs if org.depth > 1}
    if not paths:
        return {}
    by_path = dict(Org.objects.filter(path__in=paths).order_by().values_list("path", "id"))
    return {org.path: by_path[parent_path(org)] for org in orgs if org.depth > 1}


def ancestors_in_scope(org: Org, user: Any, perm: Perm = Perm.ORG_VIEW) -> list[Org]:
    """The ancestors of `org` the user may see, top first (for a breadcrumb); one query."""
    step = Org.steplen
    paths = [org.path[:end] for end in range(step, len(org.path), step)]
    if not paths:
        return []
    return list(visible(Org, user, perm).filter(path__in=paths).order_by("path"))
