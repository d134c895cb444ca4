"""Scoping: an officer sees only the subtrees their role grants cover.

Every model that belongs to an org uses `ScopedQuerySet` (or mixes in `ScopedQuerySetMixin`)
and names, in `scope_fields`, the path(s) that place a row in the tree, e.g. `("org__path",)`.
Console views and API endpoints never filter by hand: they call

    visible(Model, user, Perm.X)                  -> the QuerySet the user may see
    get_visible(Model, user, Perm.X, pk=...)      -> the object, or Http404

and Http404 is exactly what a missing object answers, so nothing reveals that an object exists
outside the user's scope. The scoping test base (gonghui.orgs.tests.scoping) checks every
registered endpoint against users inside, above, beside and outside the subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, ClassVar, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from gonghui.orgs.permissions import Perm, role_has

M = TypeVar("M", bound=models.Model)

# Attribute on the user object that holds its grants for the life of one request.
_GRANTS_CACHE = "_gonghui_role_grants"


@dataclass(frozen=True)
class Grant:
    path: str
    role: str
    org_id: int
    org_name: str


def _grants(user: Any) -> list[Grant]:
    """The user's grants on active orgs, loaded once per user object (one query a request)."""
    cached: list[Grant] | None = getattr(user, _GRANTS_CACHE, None)
    if cached is None:
        from gonghui.orgs.models import OrgStatus, RoleGrant

        rows = RoleGrant.objects.filter(user=user, org__status=OrgStatus.ACTIVE).values_list(
            "org__path", "role", "org_id", "org__name"
        )
        cached = [Grant(*row) for row in rows]
        setattr(user, _GRANTS_CACHE, cached)
    return cached


def granted_tops(user: Any) -> list[Grant]:
    """One grant for each top of the user's granted subtrees, in tree order, from the grants
    already loaded for scoping (no query of its own): what the console's org menu lists."""
    if not is_officer_user(user):
        return []
    tops: list[Grant] = []
    for grant in sorted(_grants(user), key=lambda grant: grant.path):
        if not any(grant.path.startswith(top.path) for top in tops):
            tops.append(grant)
    return tops


def forget_grants(user: Any) -> None:
    """Call after changing a user's grants so the same user object sees the change."""
    if hasattr(user, _GRANTS_CACHE):
        delattr(user, _GRANTS_CACHE)


def is_officer_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_officer", False))


def scope_paths(user: Any, perm: Perm) -> list[str] | None:
    """The tree paths under which `user` holds `perm`, without nested duplicates.

    None means everywhere (a superuser); an empty list means nowhere. Members, merchants and
    anonymous users hold no officer permission anywhere: they act on their own records only,
    through their own endpoints.
    """
    if not is_officer_user(user):
        return []
    if user.is_superuser:
        return None
    paths = sorted({grant.path for grant in _grants(user) if role_has(grant.role, perm)})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def has_perm_at(user: Any, perm: Perm, path: str) -> bool:
    """Whether `user` holds `perm` on the org at `path` (through a grant on it or an ancestor)."""
    paths = scope_paths(user, perm)
    return paths is None or any(path.startswith(root) for root in paths)


def path_filter(paths: list[str], fields: tuple[str, ...]) -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths for field in fields))


class ScopedQuerySetMixin:
    """`visible_to(user, perm)` for any QuerySet; the model says where it sits in the tree."""

    scope_fields: ClassVar[tuple[str, ...]] = ("org__path",)

    def visible_to(self, user: Any, perm: Perm) -> Self:
        paths = scope_paths(user, perm)
        if paths is None:
            return self
        if not paths:
            return self.none()  # type: ignore[attr-defined,no-any-return]
        return self.filter(path_filter(paths, self.scope_fields))  # type: ignore[attr-defined,no-any-return]


class ScopedQuerySet(ScopedQuerySetMixin, models.QuerySet[M]):
    pass


def visible(source: type[M] | models.QuerySet[M], user: Any, perm: Perm) -> models.QuerySet[M]:
    """The rows of `source` (a model or a QuerySet of it) that `user` may see with `perm`."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    visible_to = getattr(queryset, "visible_to", None)
    if visible_to is None:
        raise TypeError(f"{queryset.model.__name__} has no scoped QuerySet; it cannot be served to officers")
    result: models.QuerySet[M] = visible_to(user, perm)
    return result


def get_visible(source: type[M] | models.QuerySet[M], user: Any, perm: Perm, **lookup: Any) -> M:
    """The one object matching `lookup` that `user` may see with `perm`; Http404 otherwise,
    whether it is missing or outside the user's scope."""
    queryset = visible(source, user, perm)
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError) as exc:  # ValueError: a malformed key
        raise Http404 from exc
