"""Reads of the ratings app: who may do what, which checklist applies, lists and counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from gonghui.orgs.models import Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, path_filter, scope_paths, visible
from gonghui.ratings.models import (
    RATABLE_KINDS,
    SECTION_ORDER,
    STAR_LEVELS,
    TRANSITIONS,
    Assessment,
    AssessmentStatus,
    AssessmentTransition,
    Authority,
    Checklist,
    ChecklistItem,
    ChecklistQuerySet,
    ChecklistStatus,
    SixHaves,
)

# --- authority -----------------------------------------------------------------------------


def parent_path(org: Org) -> str:
    return str(org.path[: -Org.steplen])


def holds(user: Any, org: Org, perm: Perm, held_on: str) -> bool:
    """Whether `user` holds `perm` where `held_on` (an `Authority`) says, for `org`'s rating.

    SUPERIOR means on the union's parent or above: a grant on the union itself does not count,
    whatever role it carries, since a union never rates itself. The parent's path does not start
    with the union's own path, so `has_perm_at` on the parent's path is true exactly for grants
    on strict ancestors (and for superusers).
    """
    if held_on == Authority.SUPERIOR:
        above = parent_path(org)
        return bool(above) and has_perm_at(user, perm, above)
    return has_perm_at(user, perm, org.path)


def may_review(user: Any, org: Org) -> bool:
    """Whether `user` may review `org`'s rating: RATING_REVIEW held on its parent or above."""
    return holds(user, org, Perm.RATING_REVIEW, Authority.SUPERIOR)


def may_assess(user: Any, org: Org) -> bool:
    return holds(user, org, Perm.RATING_ASSESS, Authority.UNION)


def may_take(user: Any, assessment: Assessment, transition: AssessmentTransition) -> bool:
    return holds(user, assessment.org, transition.perm, transition.held_on)


def allowed_actions(user: Any, assessment: Assessment) -> list[str]:
    """The transitions `user` may take on `assessment` now (preconditions aside)."""
    return [
        transition.action
        for transition in TRANSITIONS.available(assessment.status)
        if may_take(user, assessment, transition)
    ]


def rating_shown_to(user: Any, assessment: Assessment) -> bool:
    """The reviewed scores and stars are seen by everyone in scope once published, and before
    that only by those who may review them."""
    return assessment.is_published or may_review(user, assessment.org)


def reviewable(rows: QuerySet[Assessment], user: Any) -> QuerySet[Assessment]:
    """The rows whose union is strictly below an org where `user` holds RATING_REVIEW: the rule
    of `may_review` as one filter, for work on many ratings at once."""
    paths = scope_paths(user, Perm.RATING_REVIEW)
    if paths is None:
        return rows.filter(org__depth__gt=1)
    if not paths:
        return rows.none()
    return rows.filter(reduce(or_, (Q(org__path__startswith=path) & ~Q(org__path=path) for path in paths)))


def reviewing_org(user: Any, org: Org) -> Org:
    """The org through whose grant `user` reviews `org`: the nearest one above it (the union's
    parent for a superuser). Call only when `may_review` is true."""
    above = parent_path(org)
    paths = scope_paths(user, Perm.RATING_REVIEW)
    path = above if paths is None else max((p for p in paths if above.startswith(p)), key=len)
    found: Org = Org.objects.get(path=path)
    return found


# --- checklists ------------------------------------------------------------------------------


def ancestor_paths(path: str) -> list[str]:
    """The paths of the org at `path` and of every org above it, root first."""
    return [path[:end] for end in range(Org.steplen, len(path) + 1, Org.steplen)]


def checklists_for(user: Any) -> ChecklistQuerySet:
    """Checklists issued inside the user's scope, and the published ones issued above it (those
    are the ones the unions in scope are assessed against)."""
    checklists = Checklist.objects.select_related("issued_by")
    paths = scope_paths(user, Perm.RATING_VIEW)
    if paths is None:
        return checklists
    if not paths:
        return checklists.none()
    above = {ancestor for root in paths for ancestor in ancestor_paths(root)[:-1]}
    return checklists.filter(
        path_filter(paths, ("issued_by__path",))
        | Q(status=ChecklistStatus.PUBLISHED, issued_by__path__in=above)
    )


def checklist_for(user: Any, pk: Any) -> Checklist:
    """One of `checklists_for(user)`, or Http404 (missing and out of scope look the same)."""
    try:
        found: Checklist = checklists_for(user).get(pk=pk)
    except (Checklist.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    return found


def issuing_orgs(user: Any) -> QuerySet[Org]:
    """The federations in which the user may issue checklists."""
    orgs: QuerySet[Org] = visible(Org, user, Perm.RATING_REVIEW).filter(kind=OrgKind.FEDERATION)
    return orgs


def applicable_checklist(org: Org, year: int) -> Checklist | None:
    """The published checklist `org` is assessed against in `year`: the one issued by its
    nearest ancestor that issued one (a district may refine the city's standard)."""
    return (
        Checklist.objects.published()
        .filter(year=year, issued_by__path__in=ancestor_paths(org.path)[:-1])
        .order_by("-issued_by__depth")
        .first()
    )


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    items: list[Any]
    max_score: int


def sections(rows: Iterable[Any], item: str = "") -> list[Section]:
    """Group checklist items (or rows with the item at attribute `item`) by six-haves section,
    in the standard's order, each section's items in their own order."""
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        checklist_item: ChecklistItem = getattr(row, item) if item else row
        grouped.setdefault(checklist_item.section, []).append((checklist_item, row))
    labels = dict(SixHaves.choices)
    result = []
    for key in sorted(grouped, key=SECTION_ORDER.__getitem__):
        pairs = sorted(grouped[key], key=lambda pair: (pair[0].order, pair[0].pk))
        result.append(
            Section(
                key=key,
                label=str(labels[key]),
                items=[row for _item, row in pairs],
                max_score=sum(checklist_item.max_score for checklist_item, _row in pairs),
            )
        )
    return result


# --- assessments -----------------------------------------------------------------------------


def assessments_for(
    user: Any,
    *,
    year: int | None = None,
    status: str | None = None,
    min_stars: int | None = None,
    under: Org | None = None,
) -> QuerySet[Assessment]:
    """Ratings in the user's scope, filtered. `min_stars` counts published ratings only: stars
    that are not published yet are nobody's rating."""
    assessments = visible(Assessment, user, Perm.RATING_VIEW).select_related("org")
    if year is not None:
        assessments = assessments.filter(year=year)
    if status:
        assessments = assessments.filter(status=status)
    if min_stars is not None:
        assessments = assessments.filter(status=AssessmentStatus.PUBLISHED, stars__gte=min_stars)
    if under is not None:
        assessments = assessments.filter(org__path__startswith=under.path)
    return assessments


# --- counts per subtree ----------------------------------------------------------------------


@dataclass
class RatingCounts:
    """Published ratings of one year in one subtree, against the unions that could be rated."""

    org: Org
    unions: int = 0
    by_stars: dict[int, int] = field(default_factory=lambda: dict.fromkeys((0, *STAR_LEVELS), 0))

    @property
    def rated(self) -> int:
        return sum(self.by_stars.values())

    @property
    def three_star_plus(self) -> int:
        return sum(count for stars, count in self.by_stars.items() if stars >= 3)

    @property
    def share(self) -> Decimal | None:
        """3-star-and-above unions as a percentage of the unions, one decimal place."""
        if not self.unions:
            return None
        return (Decimal(100 * self.three_star_plus) / self.unions).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _unions_under(root: Org) -> QuerySet[Org]:
    unions: QuerySet[Org] = Org.objects.filter(
        path__startswith=root.path, kind__in=RATABLE_KINDS, status=OrgStatus.ACTIVE
    )
    return unions


def _published_under(root: Org, year: int) -> QuerySet[Assessment]:
    return Assessment.objects.published().filter(
        org__path__startswith=root.path, org__status=OrgStatus.ACTIVE, year=year
    )


def subtree_counts(root: Org, year: int) -> RatingCounts:
    """Counts for `root`'s whole subtree: two indexed aggregate queries."""
    counts = RatingCounts(org=root, unions=_unions_under(root).order_by().count())
    for row in _published_under(root, year).order_by().values("stars").annotate(n=Count("pk")):
        counts.by_stars[row["stars"] or 0] += row["n"]
    return counts


def child_counts(root: Org, year: int) -> list[RatingCounts]:
    """Counts for each child of `root` (its subtree), in three queries whatever the number of
    children: rows are grouped by the first `len(child path)` characters of their path."""
    children = list(Org.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path"))
    if not children:
        return []
    width = len(root.path) + Org.steplen
    by_branch = {child.path: RatingCounts(org=child) for child in children}
    unions = (
        _unions_under(root)
        .filter(depth__gt=root.depth)
        .annotate(branch=Substr("path", 1, width))
        .order_by()
        .values("branch")
        .annotate(n=Count("pk"))
    )
    for row in unions:
        by_branch[row["branch"]].unions = row["n"]
    ratings = (
        _published_under(root, year)
        .filter(org__depth__gt=root.depth)
        .annotate(branch=Substr("org__path", 1, width))
        .order_by()
        .values("branch", "stars")
        .annotate(n=Count("pk"))
    )
    for row in ratings:
        by_branch[row["branch"]].by_stars[row["stars"] or 0] += row["n"]
    return [by_branch[child.path] for child in children]


def visible_ancestors(user: Any, org: Org) -> Sequence[Org]:
    """The orgs above `org` that the user may also look at, root first (for drill-down links)."""
    above = ancestor_paths(org.path)[:-1]
    if not above:
        return []
    return list(visible(Org, user, Perm.RATING_VIEW).filter(path__in=above).order_by("path"))


def publishable(user: Any, root: Org, year: int) -> QuerySet[Assessment]:
    """Reviewed ratings of `year` under `root` that `user` may publish."""
    return reviewable(
        Assessment.objects.filter(
            org__path__startswith=root.path, year=year, status=AssessmentStatus.REVIEWED
        ),
        user,
    )


def home_org(user: Any) -> Org | None:
    """The org a ratings page starts from when none is asked for: the top of the user's scope
    (the first one, for someone with several; the first root for a superuser)."""
    paths = scope_paths(user, Perm.RATING_VIEW)
    if paths is None:
        first: Org | None = Org.objects.filter(depth=1).order_by("path").first()
        return first
    return Org.objects.filter(path=paths[0]).first() if paths else None


@dataclass(frozen=True)
class OwnUnion:
    org: Org
    assessment: Assessment | None
    checklist: Checklist | None


def own_unions(user: Any, year: int) -> list[OwnUnion]:
    """The unions the user works for directly (a grant on the union itself), with their rating
    for `year` and the checklist that would apply: what the ratings page offers to start."""
    paths = scope_paths(user, Perm.RATING_ASSESS)
    if not paths:  # nobody, or a superuser, who works for no union in particular
        return []
    unions = list(Org.objects.filter(path__in=paths, kind__in=RATABLE_KINDS, status=OrgStatus.ACTIVE))
    ratings = {a.org_id: a for a in Assessment.objects.filter(org__in=unions, year=year)}
    return [
        OwnUnion(
            org=union,
            assessment=ratings.get(union.pk),
            checklist=None if union.pk in ratings else applicable_checklist(union, year),
        )
        for union in unions
    ]
