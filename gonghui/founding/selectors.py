"""Reads for the founding pages and API: scoped through `visible`, with a fixed number of queries
however long the page is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from gonghui.founding.models import PARENT, ApplicationTransition, FoundingApplication, FoundingNotice
from gonghui.founding.services import acting_orgs
from gonghui.orgs.models import Org, OrgKind, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, scope_paths, visible

# ?sort= values of the unfounded list → ORDER BY; the id makes every order total (stable pages).
UNFOUNDED_SORTS: dict[str, tuple[str, ...]] = {
    "-employee_count": ("-employee_count", "id"),
    "employee_count": ("employee_count", "id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
}


@dataclass(frozen=True)
class UnfoundedFilters:
    district: str = ""
    industry: str = ""
    ownership: str = ""
    min_employees: int | None = None  # None: settings.FOUNDING_EMPLOYEE_THRESHOLD
    q: str = ""
    sort: str = "-employee_count"

    @property
    def threshold(self) -> int:
        if self.min_employees is None:
            return int(settings.FOUNDING_EMPLOYEE_THRESHOLD)
        return self.min_employees


def _without_union(user: Any) -> QuerySet[Workplace]:
    """Workplaces without a union that `user` may see.

    For officers they are found through the area they lie in (whose orgs found their unions):
    starting from the ids of the area orgs in scope lets the database walk the jurisdiction index
    instead of testing every workplace without a union against two joined paths (10 ms instead of
    40 ms for a township of a 100,000-workplace city: bench/founding_unfounded.py). A superuser
    also sees the workplaces no area has been set for.
    """
    workplaces = Workplace.objects.without_union()
    if scope_paths(user, Perm.FOUNDING_VIEW) is not None:
        areas = visible(Org, user, Perm.FOUNDING_VIEW).values("id")
        workplaces = workplaces.filter(jurisdiction__in=areas)
    return visible(workplaces, user, Perm.FOUNDING_VIEW)


def unfounded_workplaces(user: Any, filters: UnfoundedFilters) -> QuerySet[Workplace]:
    """Workplaces without a union that `user` may follow up, filtered and ordered."""
    workplaces = _without_union(user)
    if filters.district:
        workplaces = workplaces.filter(district=filters.district)
    if filters.industry:
        workplaces = workplaces.filter(industry=filters.industry)
    if filters.ownership:
        workplaces = workplaces.filter(ownership=filters.ownership)
    if filters.threshold > 0:
        workplaces = workplaces.filter(employee_count__gte=filters.threshold)
    if filters.q:
        workplaces = workplaces.filter(Q(name__contains=filters.q) | Q(credit_code=filters.q.upper()))
    order = UNFOUNDED_SORTS.get(filters.sort, UNFOUNDED_SORTS["-employee_count"])
    return workplaces.select_related("jurisdiction").order_by(*order)


def unfounded_districts(user: Any) -> list[str]:
    """The districts that occur among the workplaces without a union that `user` may see."""
    rows = (
        _without_union(user)
        .exclude(district="")
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()
    )
    return list(rows)


@dataclass
class FoundingProgress:
    """Where founding stands for one workplace: its latest notice and latest application."""

    notice: FoundingNotice | None = None
    application: FoundingApplication | None = None


def founding_progress(user: Any, workplaces: Iterable[Workplace]) -> dict[int, FoundingProgress]:
    """Latest notice and application per workplace: two queries for a whole page."""
    ids = [workplace.pk for workplace in workplaces]
    progress = {pk: FoundingProgress() for pk in ids}
    notices = visible(FoundingNotice.objects.filter(workplace_id__in=ids), user, Perm.FOUNDING_VIEW)
    for notice in notices.order_by("workplace_id", "issued_at", "id").only(
        "id", "workplace_id", "number", "status", "issued_at"
    ):
        progress[notice.workplace_id].notice = notice  # the last one wins: the latest
    applications = visible(FoundingApplication.objects.filter(workplace_id__in=ids), user, Perm.FOUNDING_VIEW)
    for application in applications.order_by("workplace_id", "created_at", "id").only(
        "id", "workplace_id", "status", "created_at"
    ):
        progress[application.workplace_id].application = application
    return progress


def notices(user: Any, *, status: str = "", q: str = "") -> QuerySet[FoundingNotice]:
    rows = visible(
        FoundingNotice.objects.select_related("issuing_org", "workplace"), user, Perm.FOUNDING_VIEW
    )
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(number__contains=q) | Q(workplace_name__contains=q))
    return rows.order_by("-issued_at", "-id")


def applications(
    user: Any, *, status: str = "", awaiting_me: bool = False, q: str = ""
) -> QuerySet[FoundingApplication]:
    base = FoundingApplication.objects.select_related("workplace", "parent", "approving_org")
    if awaiting_me:
        base = base.awaiting_decision_by(user)
    rows = visible(base, user, Perm.FOUNDING_VIEW)
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(union_name__contains=q) | Q(workplace__name__contains=q))
    return rows.order_by("-created_at", "-id")


def application_detail(user: Any, pk: int) -> FoundingApplication:
    return get_visible(
        FoundingApplication.objects.select_related(
            "workplace", "parent", "approving_org", "created_org", "submitted_by"
        ).prefetch_related("history__actor"),
        user,
        Perm.FOUNDING_VIEW,
        pk=pk,
    )


def allowed_transitions(application: FoundingApplication, user: Any) -> list[ApplicationTransition]:
    """The steps `user` may take on the application now (what the detail page offers)."""
    allowed = []
    for transition in application.next_transitions():
        org = application.parent if transition.held_on == PARENT else application.approving_org
        if has_perm_at(user, transition.perm, org.path):
            allowed.append(transition)
    return allowed


def delegable_joint_unions(user: Any, *, q: str = "") -> QuerySet[Org]:
    """Joint unions whose founding approval authority `user` may switch: those under an org at
    which the user holds ORG_RESTRUCTURE (a grant on the joint union itself is not enough)."""
    unions = visible(Org.objects.filter(kind=OrgKind.JOINT_UNION).active(), user, Perm.ORG_RESTRUCTURE)
    granted_on_itself = scope_paths(user, Perm.ORG_RESTRUCTURE)
    if granted_on_itself:
        unions = unions.exclude(path__in=granted_on_itself)
    if q:
        unions = unions.filter(Q(name__contains=q) | Q(code=q.upper()))
    return unions.order_by("path")


def issuer_choices(workplace: Workplace, user: Any) -> list[Org]:
    """Orgs that may issue the workplace's notice as `user`: federations first, starting with the
    highest (the officer's own federation, in whose name they usually write), then the others."""
    orgs = list(reversed(acting_orgs(workplace, user, Perm.FOUNDING_CHANGE)))
    return sorted(orgs, key=lambda org: org.kind != OrgKind.FEDERATION)


def parent_choices(workplace: Workplace, user: Any) -> list[Org]:
    """Orgs the workplace's new union may sit under, as `user` enters it; nearest first."""
    return acting_orgs(workplace, user, Perm.FOUNDING_CHANGE)
