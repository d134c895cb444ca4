"""Check-in and rating by visitors: a signed-in person who scanned the point's poster.

The poster's QR code carries the point's check-in code; a wrong or retired code is refused as
such, so a visit always means someone stood there. One visit per person, point and day (a
unique index: a second scan that day returns the first visit). A visit can be rated once, by
its visitor, within RATING_DAYS of it."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from gonghui.core.inputs import text_problem
from gonghui.core.text import normalize_text
from gonghui.services.models import MAX_COMMENT, PointStatus, Rating, ServicePoint, Visit

RATING_DAYS = 7


def _signed_in(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise ValidationFailed(_("Sign in to check in at a service point."))


def check_in(point: ServicePoint | int, *, actor: Any, code: str) -> tuple[Visit, bool]:
    """The actor's visit today (and whether it is new)."""
    _signed_in(actor)
    pk = point.pk if isinstance(point, ServicePoint) else point
    found = ServicePoint.objects.listed().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("This service point does not exist."))
    if not secrets.compare_digest(str(code or ""), found.checkin_code):
        raise ValidationFailed(
            _("This QR code is no longer valid. Scan the code on the poster at the service point."),
            fields={"code": [_("The code does not belong to this service point.")]},
        )
    if found.status != PointStatus.OPEN:
        raise Conflict(_("%(name)s is temporarily closed.") % {"name": found.name})
    today = timezone.localdate()
    existing = Visit.objects.filter(point=found, user=actor, visited_on=today).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Visit.objects.create(point=found, user=actor, visited_on=today), True
    except IntegrityError:  # the same person's second scan in the same moment
        return Visit.objects.get(point=found, user=actor, visited_on=today), False


@transaction.atomic
def rate_visit(visit: Visit | int, *, actor: Any, score: Any, comment: str = "") -> Rating:
    _signed_in(actor)
    pk = visit.pk if isinstance(visit, Visit) else visit
    found = Visit.objects.select_for_update().filter(pk=pk, user=actor).first()
    if found is None:  # someone else's visit is "not found" too
        raise NotFound(_("This visit was not found."))
    errors = FieldErrors()
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        errors.add("score", _("Give 1 to 5 stars."))
    text = normalize_text(comment or "")
    problem = text_problem(text, max_length=MAX_COMMENT, required=False)
    if problem:
        errors.add("comment", problem)
    errors.raise_if_any()
    if timezone.localdate() - found.visited_on > timedelta(days=RATING_DAYS):
        raise Conflict(_("A visit can be rated within %(days)s days.") % {"days": RATING_DAYS})
    if Rating.objects.filter(visit=found).exists():
        raise Conflict(_("You have already rated this visit."))
    return Rating.objects.create(visit=found, score=value, comment=text)
