"""Reads of rights protection, and who may reach a dispute, in one place.

- Officers reach disputes through scoping: `Perm.RIGHTS_VIEW` on the dispute's handling org or
  above to see it, `Perm.RIGHTS_HANDLE` to act on it.
- A mediator with a sign-in reaches the disputes assigned to them, and only those (their desk):
  `dispute_for_mediator`. They hold no role, so scoping gives them nothing else anywhere.
- A worker reaches the disputes they reported online (`disputes_of_worker`).
- The parties' ID and mobile numbers are shown in full only to the handling officers
  (`Perm.RIGHTS_HANDLE` on the subtree) and the assigned mediator: `may_see_contacts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.errors import NotFound
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible
from gonghui.rights.models import (
    ClaimItem,
    CollectiveAlert,
    Dispute,
    DisputeMessage,
    DisputeQuerySet,
    DisputeStatus,
    Mediator,
    Party,
)

MY_DISPUTES_LIMIT = 100


def mediator_of(user: Any) -> Mediator | None:
    """The active mediator the signed-in account is, if it is one."""
    if not getattr(user, "is_authenticated", False) or not isinstance(user, User):
        return None
    return Mediator.objects.active().select_related("centre", "centre__org").filter(user=user).first()


def dispute_rows() -> DisputeQuerySet:
    return Dispute.objects.select_related("org", "centre", "mediator", "workplace")


def dispute_detail_rows() -> DisputeQuerySet:
    return dispute_rows().prefetch_related(
        Prefetch("parties", queryset=Party.objects.select_related("member")),
        Prefetch("claims", queryset=ClaimItem.objects.order_by("position")),
        "extensions",
        "documents",
    )


def disputes_of_mediator(mediator: Mediator) -> QuerySet[Dispute]:
    return dispute_rows().filter(mediator=mediator)


def dispute_for(user: Any, pk: int, *, lock: bool = False, rows: QuerySet[Dispute] | None = None) -> Dispute:
    """The dispute `pk` if `user` may see it (an officer in scope or its own mediator);
    NotFound otherwise, alike for missing and out of reach."""
    base = rows if rows is not None else dispute_rows()
    if lock:
        base = base.select_for_update(of=("self",))
    reach = Q(pk__in=visible(Dispute, user, Perm.RIGHTS_VIEW).values("pk"))
    mediator = mediator_of(user)
    if mediator is not None:
        reach |= Q(mediator=mediator)
    dispute = base.filter(reach, pk=pk).first()
    if dispute is None:
        raise NotFound(_("There is no such dispute."))
    return dispute


def is_own_mediator(dispute: Dispute, user: Any) -> bool:
    mediator = dispute.mediator
    return bool(
        mediator is not None
        and mediator.active
        and mediator.user_id is not None
        and getattr(user, "pk", None) == mediator.user_id
    )


def may_handle(dispute: Dispute, user: Any) -> bool:
    """Officers holding rights.handle on the dispute's org or above."""
    return has_perm_at(user, Perm.RIGHTS_HANDLE, dispute.org.path)


def may_see_contacts(dispute: Dispute, user: Any) -> bool:
    return may_handle(dispute, user) or is_own_mediator(dispute, user)


def disputes_of_worker(user: Any) -> QuerySet[Dispute]:
    if not getattr(user, "is_authenticated", False):
        return Dispute.objects.none()
    return dispute_rows().filter(reporter=user).order_by("-received_on", "-id")


def worker_dispute(user: Any, pk: int) -> Dispute:
    dispute = disputes_of_worker(user).filter(pk=pk).first()
    if dispute is None:
        raise NotFound(_("There is no such dispute."))
    return dispute


def thread(dispute: Dispute) -> QuerySet[DisputeMessage]:
    return dispute.messages.select_related("author").order_by("created_at", "id")


def pending_alerts(user: Any) -> QuerySet[CollectiveAlert]:
    """Unacknowledged collective-dispute alerts to the orgs in the officer's scope."""
    return (
        visible(CollectiveAlert.objects.pending(), user, Perm.RIGHTS_VIEW)
        .select_related("dispute", "dispute__org", "org")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class DisputeFilters:
    status: str = ""
    channel: str = ""
    claim_type: str = ""
    centre: int | None = None
    overdue: bool = False
    collective: bool = False
    query: str = ""


def filtered_disputes(rows: QuerySet[Dispute], filters: DisputeFilters, today: date) -> QuerySet[Dispute]:
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.claim_type:
        rows = rows.filter(pk__in=ClaimItem.objects.filter(type=filters.claim_type).values("dispute_id"))
    if filters.centre is not None:
        rows = rows.filter(centre_id=filters.centre)
    if filters.overdue:
        rows = rows.filter(
            status__in=[DisputeStatus.RECEIVED, DisputeStatus.ACCEPTED, DisputeStatus.IN_MEDIATION]
        )
        rows = rows.filter(mediation_deadline__lt=today)
    if filters.collective:
        rows = rows.filter(is_collective=True)
    if filters.query:
        rows = rows.filter(Q(number__icontains=filters.query) | Q(employer_name__icontains=filters.query))
    return rows
