"""Enrolling in a term, cancelling, the attendance sheet and certificates.

Places are exact because the database holds them: `UPDATE term SET taken = taken + 1 WHERE
taken < places`, and whoever it does not let in is told the term is full. The partial unique
index on (term, person) makes a double tap or a second phone enrol once. The fee due is fixed at
enrolment: the member fee for an active member, the full fee for anyone else.

A member's own enrolment and cancellation are not audit events (the enrolment row is the record);
the officers' attendance sheets and certificates are.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.courses.models import (
    LIVE_ENROLMENTS,
    Attendance,
    Certificate,
    CourseEnrolment,
    EnrolmentStatus,
    Session,
    Term,
    TermStatus,
)
from gonghui.courses.services.courses import locked_term
from gonghui.members import card
from gonghui.members.models import Member
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at


class EnrolmentRefused(Conflict):
    """Not open, full, not a registered member: the term's answer, nothing written."""


@dataclass(frozen=True)
class EnrolOutcome:
    enrolment: CourseEnrolment
    created: bool


def _member_of(user: User) -> tuple[Member, bool]:
    """The person's membership to enrol with, and whether it is active (member price)."""
    active = card.active_card_member(user)
    if active is not None:
        return active, True
    latest = Member.objects.filter(user=user).select_related("org").order_by("-joined_on", "-pk").first()
    if latest is None:
        raise EnrolmentRefused(
            _("Enrolment is for people registered with the union. Please join the union first."),
            code="not_registered",
        )
    return latest, False


def _live(term: Term, person_index: str) -> CourseEnrolment | None:
    found: CourseEnrolment | None = CourseEnrolment.objects.filter(
        term=term, person_index=person_index, status__in=LIVE_ENROLMENTS
    ).first()
    return found


def fee_for(term: Term, *, member_price: bool) -> Any:
    return term.course.member_fee if member_price else term.course.fee


def enrol(term_id: int, *, actor: User) -> EnrolOutcome:
    """Enrol the actor in an open term. Pressing again returns the enrolment they already have
    (created=False); a full term or a closed one is refused and nothing is written."""
    term = Term.objects.listed().select_related("course").filter(pk=term_id).first()
    if term is None:
        raise NotFound(_("There is no such course term."))
    if term.status != TermStatus.OPEN:
        raise EnrolmentRefused(_("Enrolment for this term is closed."), code="enrolment_closed")
    member, active = _member_of(actor)
    existing = _live(term, member.id_number_index)
    if existing is not None:
        return EnrolOutcome(existing, created=False)
    try:
        with transaction.atomic():
            if not Term.objects.filter(pk=term.pk, taken__lt=F("places")).update(taken=F("taken") + 1):
                raise EnrolmentRefused(_("This term is full."), code="term_full")
            enrolment = CourseEnrolment.objects.create(
                term=term,
                member=member,
                org_id=member.org_id,
                person_index=member.id_number_index,
                user=actor,
                status=EnrolmentStatus.ENROLLED,
                fee_due=fee_for(term, member_price=active),
                member_price=active,
            )
    except IntegrityError:
        # A second press of the same person won the race; its place is theirs, this one rolled back.
        existing = _live(term, member.id_number_index)
        if existing is None:
            raise
        return EnrolOutcome(existing, created=False)
    return EnrolOutcome(enrolment, created=True)


@transaction.atomic
def cancel_enrolment(enrolment_id: int, *, actor: User) -> CourseEnrolment:
    """The member gives up their place before the term starts; the place goes back to the pool."""
    term_id = (
        CourseEnrolment.objects.filter(pk=enrolment_id, user=actor).values_list("term_id", flat=True).first()
    )
    if term_id is None:
        raise NotFound(_("There is no such enrolment."))
    term = Term.objects.select_for_update().get(pk=term_id)
    enrolment = CourseEnrolment.objects.select_for_update().get(pk=enrolment_id)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise Conflict(_("This enrolment cannot be cancelled any more."), code="not_cancellable")
    if timezone.localdate() >= term.starts_on:
        raise Conflict(_("The term has started: the enrolment can no longer be cancelled."), code="started")
    enrolment.status, enrolment.cancelled_at = EnrolmentStatus.CANCELLED, timezone.now()
    enrolment.save(update_fields=["status", "cancelled_at"])
    Term.objects.filter(pk=term.pk).update(taken=F("taken") - 1)
    return enrolment


# --------------------------------------------------------------------------------------------
# The officers
# --------------------------------------------------------------------------------------------


def _require_change(actor: Any, term: Term) -> None:
    org = term.course.org
    if not has_perm_at(actor, Perm.COURSES_CHANGE, org.path):
        raise Forbidden(
            _("Only officers of %(org)s or of an organisation above it may manage its courses.")
            % {"org": org.name}
        )


@transaction.atomic
def mark_attendance(session_id: int, *, actor: Any, present: set[int]) -> int:
    """The attendance sheet of a session: exactly the enrolments in `present` attended it (the
    sheet is a checklist, so unticking someone takes their mark away). Returns how many attended."""
    session = get_visible(
        Session.objects.select_related("term__course__org"), actor, Perm.COURSES_VIEW, pk=session_id
    )
    term = locked_term(session.term_id, actor)
    _require_change(actor, term)
    if session.date > timezone.localdate():
        raise Conflict(_("Attendance is taken on or after the day of the session."), code="not_yet")
    if term.status == TermStatus.DRAFT:
        raise Conflict(_("The term has not been opened."), code="term_draft")
    enrolled = set(
        CourseEnrolment.objects.filter(term=term, status__in=LIVE_ENROLMENTS, pk__in=present).values_list(
            "pk", flat=True
        )
    )
    if enrolled != present:
        message = _("Tick only people enrolled in this term.")
        raise ValidationFailed(message, fields={"present": [message]})
    before = set(Attendance.objects.filter(session=session).values_list("enrolment_id", flat=True))
    Attendance.objects.filter(session=session).exclude(enrolment_id__in=present).delete()
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment_id=pk, marked_by=actor) for pk in sorted(present - before)
    )
    record_audit(
        actor=actor,
        action="courses.mark_attendance",
        obj=session,
        org=term.course.org,
        changes={"present": [len(before), len(present)]},
    )
    return len(present)


def attendance_counts(term: Term) -> dict[int, int]:
    """Sessions attended, by enrolment id, for the live enrolments of `term`."""
    rows = (
        CourseEnrolment.objects.filter(term=term, status__in=LIVE_ENROLMENTS)
        .annotate(attended=Count("attendance"))
        .values_list("pk", "attended")
    )
    return dict(rows)


def meets_rule(attended: int, sessions: int, required_percent: int) -> bool:
    """Attendance of at least the required share of the sessions, in whole numbers (no rounding:
    8 of 10 is 80%, 7 of 9 is not)."""
    return sessions > 0 and attended * 100 >= required_percent * sessions


def _number(issued_on: date, term: Term, serial: int) -> str:
    return f"KC{issued_on:%Y}{term.pk:06d}{serial:04d}"


@transaction.atomic
def issue_certificates(term: Term | int, *, actor: Any) -> list[Certificate]:
    """Certificates for everyone in a finished term whose attendance meets the course's rule and
    who has none yet; their enrolments become completed. Running it again issues only new ones."""
    term = locked_term(term, actor)
    _require_change(actor, term)
    if term.status != TermStatus.FINISHED:
        raise Conflict(_("Certificates are issued once the term is finished."), code="term_not_finished")
    sessions = Session.objects.filter(term=term).count()
    counts = attendance_counts(term)
    already = set(Certificate.objects.filter(enrolment__term=term).values_list("enrolment_id", flat=True))
    serial = len(already)
    today = timezone.localdate()
    issued: list[Certificate] = []
    for enrolment_id in sorted(counts):
        if enrolment_id in already or not meets_rule(
            counts[enrolment_id], sessions, term.course.required_attendance
        ):
            continue
        serial += 1
        issued.append(
            Certificate.objects.create(
                enrolment_id=enrolment_id,
                number=_number(today, term, serial),
                token=secrets.token_urlsafe(18),
                attended=counts[enrolment_id],
                sessions=sessions,
                issued_on=today,
                issued_by=actor,
            )
        )
    CourseEnrolment.objects.filter(pk__in=[c.enrolment_id for c in issued]).update(
        status=EnrolmentStatus.COMPLETED
    )
    record_audit(
        actor=actor,
        action="courses.issue_certificates",
        obj=term,
        org=term.course.org,
        changes={"certificates": [len(already), len(already) + len(issued)]},
    )
    return issued
