"""Feedback after an event: a member who attended rates it 1–5 with an optional comment, once."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.errors import Conflict, FieldErrors, NotFound
from gonghui.core.inputs import has_control_characters
from gonghui.core.text import normalize_text
from gonghui.events.models import Feedback, SignUp, SignUpStatus

COMMENT_MAX = 500


def give_feedback(signup_id: int, *, actor: User, rating: int | None, comment: str = "") -> Feedback:
    """Record the actor's rating of an event they attended; a second rating is refused."""
    signup = SignUp.objects.select_related("event").filter(pk=signup_id, user=actor).first()
    if signup is None:
        raise NotFound(_("There is no such sign-up."))
    if signup.status != SignUpStatus.ATTENDED:
        raise Conflict(_("Only members who attended the event can rate it."), code="not_attended")
    if timezone.now() < signup.event.starts_at:
        raise Conflict(_("The event has not taken place yet."), code="not_yet")
    errors = FieldErrors()
    if rating is None or not 1 <= rating <= 5:
        errors.add("rating", _("Choose from 1 to 5 stars."))
    text = normalize_text(comment or "")
    if len(text) > COMMENT_MAX or has_control_characters(text):
        errors.add("comment", _("At most %(max)s characters.") % {"max": COMMENT_MAX})
    errors.raise_if_any()
    assert rating is not None
    try:
        with transaction.atomic():
            return Feedback.objects.create(signup=signup, rating=rating, comment=text)
    except IntegrityError:
        raise Conflict(_("You have already rated this event. Thank you!"), code="already_rated") from None
