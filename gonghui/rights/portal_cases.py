"""The worker's own disputes for the portal's "I need help" page (gonghui.portal.cases)."""

from __future__ import annotations

from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.portal.cases import PortalCase
from gonghui.rights.models import RATEABLE_STATUSES, DisputeMessage, MessageAuthor
from gonghui.rights.selectors import MY_DISPUTES_LIMIT, disputes_of_worker


def portal_cases(user: object) -> list[PortalCase]:
    latest = DisputeMessage.objects.filter(dispute=OuterRef("pk")).order_by("-created_at", "-id")
    rows = disputes_of_worker(user).annotate(
        last_message=Max("messages__created_at"), last_author=Subquery(latest.values("author_kind")[:1])
    )[:MY_DISPUTES_LIMIT]
    cases: list[PortalCase] = []
    for dispute in rows:
        last = max(filter(None, [dispute.updated_at, dispute.last_message]))
        cases.append(
            PortalCase(
                kind=_("Labour dispute"),
                title=dispute.summary,
                status=dispute.get_status_display(),
                updated_at=last,
                url=reverse("portal:dispute_detail", args=[dispute.pk]),
                needs_reply=(dispute.status in RATEABLE_STATUSES and dispute.rating is None)
                or dispute.last_author == MessageAuthor.HANDLER,
            )
        )
    return cases
