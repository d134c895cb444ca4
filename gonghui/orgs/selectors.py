"""Reads over the org tree that are more than a one-line filter."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from gonghui.accounts.models import User
from gonghui.members.models import Member
from gonghui.orgs.models import Org, OrgKind, Workplace


def scope_roots(user: User) -> list[Org]:
    """The tops of the subtrees the user's role grants cover, without nested duplicates.

    A superuser's scope is every tree in the database.
    """
    if user.is_superuser:
        return list(Org.objects.filter(depth=1))
    granted = sorted(
        {grant.org for grant in user.role_grants.select_related("org")}, key=lambda org: org.path
    )
    roots: list[Org] = []
    for org in granted:
        if not any(org.path.startswith(root.path) for root in roots):
            roots.append(org)
    return roots


def _under(roots: list[Org], prefix: str = "") -> Q:
    return reduce(or_, (Q(**{f"{prefix}path__startswith": root.path}) for root in roots))


@dataclass(frozen=True)
class CoverageSummary:
    unions: int
    active_members: int
    covered_workplaces: int


def coverage_summary(roots: list[Org]) -> CoverageSummary | None:
    """Counts over the given subtrees; each is one indexed query on the path prefix."""
    if not roots:
        return None
    return CoverageSummary(
        unions=Org.objects.active().filter(_under(roots)).exclude(kind=OrgKind.FEDERATION).count(),
        active_members=Member.objects.active().filter(_under(roots, "org__")).count(),
        covered_workplaces=Workplace.objects.filter(_under(roots, "union__")).count(),
    )
