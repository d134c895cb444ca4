"""Reads of labour-law supervision that are more than a one-line filter: the inspection list
with its filters and figures, the overdue notices, and a workplace's supervision history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gonghui.orgs.models import Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths, visible
from gonghui.supervision.models import (
    FollowUp,
    FollowUpResult,
    Inspection,
    InspectionStatus,
    Interview,
    Notice,
    NoticeKind,
)

HISTORY_LIMIT = 100


def inspections(
    user: Any,
    *,
    status: str = "",
    kind: str = "",
    district: str = "",
    overdue: bool = False,
    workplace: Workplace | None = None,
) -> QuerySet[Inspection]:
    rows = visible(Inspection, user, Perm.RIGHTS_VIEW).select_related("org", "workplace")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if district:
        rows = rows.filter(workplace__district=district)
    if workplace is not None:
        rows = rows.filter(workplace=workplace)
    if overdue:
        late = Notice.objects.overdue(timezone.localdate()).filter(inspection=OuterRef("pk"))
        rows = rows.filter(Exists(late))
    return rows.order_by("-inspected_on", "-id")


def districts(user: Any) -> list[str]:
    """The districts of the workplaces inspected in the user's scope, for the list's filter."""
    rows = visible(Inspection, user, Perm.RIGHTS_VIEW).exclude(workplace__district="")
    return sorted(set(rows.values_list("workplace__district", flat=True).distinct()))


def notices(user: Any) -> QuerySet[Notice]:
    return visible(Notice, user, Perm.RIGHTS_VIEW).select_related("inspection__workplace", "org")


def overdue_notices(user: Any, today: date | None = None) -> QuerySet[Notice]:
    """Notices whose rectification deadline has passed with no follow-up, oldest deadline first."""
    late = Notice.objects.overdue(today or timezone.localdate())
    return notices(user).filter(pk__in=late.values("pk")).order_by("rectification_deadline", "id")


@dataclass(frozen=True)
class Figures:
    year: int
    inspections: int
    notices_by_kind: list[tuple[str, int]]
    followups: int
    rectified: int

    @property
    def rectified_share(self) -> Decimal | None:
        """Follow-ups that found the workplace rectified ÷ all follow-ups, in per cent."""
        if not self.followups:
            return None
        share = Decimal(self.rectified * 100) / Decimal(self.followups)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def figures(user: Any, year: int | None = None) -> Figures:
    """This year's figures of the user's scope (by inspection date, issue date, follow-up date)."""
    year = year or timezone.localdate().year
    count = (
        visible(Inspection, user, Perm.RIGHTS_VIEW)
        .filter(inspected_on__year=year)
        .exclude(status=InspectionStatus.CANCELLED)  # called off: not an inspection held
        .count()
    )
    by_kind = dict(
        visible(Notice, user, Perm.RIGHTS_VIEW)
        .filter(issued_on__year=year)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    followups = (
        visible(FollowUp, user, Perm.RIGHTS_VIEW)
        .filter(checked_on__year=year)
        .aggregate(total=Count("id"), rectified=Count("id", filter=Q(result=FollowUpResult.RECTIFIED)))
    )
    return Figures(
        year=year,
        inspections=count,
        notices_by_kind=[(str(kind.label), by_kind.get(kind.value, 0)) for kind in NoticeKind],
        followups=followups["total"],
        rectified=followups["rectified"],
    )


def history_workplace(user: Any, pk: int) -> Workplace:
    """The workplace when the user sees it, or sees supervision records of it; Http404 otherwise."""
    workplace = Workplace.objects.filter(pk=pk).first()
    if workplace is None:
        raise Http404
    if visible(Workplace, user, Perm.WORKPLACE_VIEW).filter(pk=pk).exists():
        return workplace
    if (
        visible(Inspection, user, Perm.RIGHTS_VIEW).filter(workplace=workplace).exists()
        or visible(Interview, user, Perm.RIGHTS_VIEW).filter(workplace=workplace).exists()
    ):
        return workplace
    raise Http404


@dataclass(frozen=True)
class WorkplaceHistory:
    inspections: list[Inspection]
    notices: list[Notice]
    interviews: list[Interview]


def workplace_history(user: Any, workplace: Workplace) -> WorkplaceHistory:
    return WorkplaceHistory(
        inspections=list(inspections(user, workplace=workplace)[:HISTORY_LIMIT]),
        notices=list(
            notices(user)
            .filter(inspection__workplace=workplace)
            .select_related("followup")
            .order_by("-issued_on", "-id")[:HISTORY_LIMIT]
        ),
        interviews=list(
            visible(Interview, user, Perm.RIGHTS_VIEW)
            .filter(workplace=workplace)
            .select_related("org")
            .order_by("-held_on", "-id")[:HISTORY_LIMIT]
        ),
    )


@dataclass(frozen=True)
class Summary:
    """What the workplace page shows of supervision: counts and the latest records."""

    workplace: Workplace
    inspections: int
    notices: int
    open_notices: int
    interviews: int
    latest_inspection: Inspection | None
    latest_notice: Notice | None


def supervision_summary(workplace: Workplace, user: Any) -> Summary | None:
    """None when the user may not see supervision at all (the panel is then left out)."""
    if not _sees_supervision(user):
        return None
    shown_inspections = inspections(user, workplace=workplace)
    shown_notices = notices(user).filter(inspection__workplace=workplace).order_by("-issued_on", "-id")
    return Summary(
        workplace=workplace,
        inspections=shown_inspections.count(),
        notices=shown_notices.count(),
        open_notices=shown_notices.filter(followup__isnull=True).count(),
        interviews=visible(Interview, user, Perm.RIGHTS_VIEW).filter(workplace=workplace).count(),
        latest_inspection=shown_inspections.first(),
        latest_notice=shown_notices.first(),
    )


def _sees_supervision(user: Any) -> bool:
    paths = scope_paths(user, Perm.RIGHTS_VIEW)
    return paths is None or bool(paths)
