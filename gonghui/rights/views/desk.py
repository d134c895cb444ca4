"""The mediator's desk (console:rights:desk): the disputes assigned to the signed-in mediator,
open ones first, and why disputes were handed over to them. Each links to the dispute page,
which a mediator reaches for their own disputes only. Any account that is not an active mediator
finds nothing here (404)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.rights.models import OPEN_STATUSES, DisputeAction, DisputeHistory
from gonghui.rights.selectors import disputes_of_mediator, mediator_of

LIMIT = 200
HANDED_OVER_LIMIT = 20


@require_GET
@officer_required
def desk(request: HttpRequest) -> HttpResponse:
    mediator = mediator_of(signed_in_user(request))
    if mediator is None:
        raise Http404
    rows = list(disputes_of_mediator(mediator).order_by("mediation_deadline", "id")[:LIMIT])
    context = {
        "mediator": mediator,
        "open_disputes": [row for row in rows if row.status in OPEN_STATUSES],
        "other_disputes": [row for row in rows if row.status not in OPEN_STATUSES],
        # Why open disputes came to me from another mediator (rights.services.disputes.hand_over).
        "handed_over": list(
            DisputeHistory.objects.filter(
                action=DisputeAction.REASSIGN,
                dispute__mediator=mediator,
                dispute__status__in=OPEN_STATUSES,
            )
            .select_related("dispute", "actor")
            .order_by("-created_at", "-id")[:HANDED_OVER_LIMIT]
        ),
        "today": timezone.localdate(),
        "console_section": "rights_desk",
    }
    return render(request, "rights/desk.html", context)


urlpatterns: list[URLPattern] = [path("desk/", desk, name="desk")]
