"""Who may sign up for an event: an active member of the eligible subtree, in one of the event's
categories if it names any, of the event's sex if it sets one, of an age in its range on the
day the event starts (from the date of birth), and, for recuperation trips, without a place on
another recuperation trip of the same calendar year.

Each refusal is one sentence for the member; nothing is written while checking."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.errors import ValidationFailed
from gonghui.events.models import Event, EventKind, SignUp
from gonghui.members.categories import category_names, in_any_category
from gonghui.members.models import Member, Sex
from gonghui.members.services.selfservice import current_membership_facts


class NotEligible(ValidationFailed):
    code = "not_eligible"
    status = 422


# What eligibility and a sign-up need of a membership; the ID number stays encrypted.
ELIGIBILITY_FIELDS = (
    "id",
    "org_id",
    "id_number_index",
    "sex",
    "birth_date",
    "is_gig_worker",
    "is_migrant_worker",
    "is_model_worker",
    "status",
)


def age_on(birth_date: date, day: date) -> int:
    """Whole years of a person born on `birth_date` on `day` (a 29 February birthday counts on
    1 March in other years)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def quota_year(event: Event) -> int | None:
    """The year whose one recuperation trip a place on `event` uses; None for other kinds."""
    return event.event_date.year if event.kind == EventKind.RECUPERATION_TRIP else None


def quota_problem(event: Event, person_index: str) -> str | None:
    year = quota_year(event)
    if year is None:
        return None
    taken = SignUp.objects.filter(person_index=person_index, quota_year=year).exclude(event=event)
    if taken.exists():
        return _(
            "You already have a place on a recuperation trip in %(year)s: each member may go on one "
            "recuperation trip a year."
        ) % {"year": year}
    return None


def eligibility_problem(event: Event, member: Member | None) -> str | None:
    """Why `member` may not sign up for `event`, in words for them; None when they may."""
    if member is None:
        return _("Only active union members can sign up. Join the union or sign in with your member account.")
    if not member.org.path.startswith(event.eligible_org.path):
        return _("This event is for members of %(org)s.") % {"org": event.eligible_org.name}
    if not in_any_category(member, event.categories):
        return _("This event is only for: %(categories)s.") % {"categories": category_names(event.categories)}
    if event.sex and member.sex != event.sex:
        if event.sex == Sex.FEMALE:
            return _("This event is for women only.")
        return _("This event is for men only.")
    age = age_on(member.birth_date, event.event_date)
    if event.min_age is not None and age < event.min_age:
        return _("This event is for members aged %(min)s or over on the day of the event.") % {
            "min": event.min_age
        }
    if event.max_age is not None and age > event.max_age:
        return _("This event is for members aged %(max)s or under on the day of the event.") % {
            "max": event.max_age
        }
    return quota_problem(event, member.id_number_index)


def eligible_member(event: Event, user: User) -> Member:
    """The user's active membership if it may sign up; NotEligible with the reason otherwise."""
    member = current_membership_facts(user, ELIGIBILITY_FIELDS)
    problem = eligibility_problem(event, member)
    if problem is not None or member is None:
        raise NotEligible(problem or "")
    return member


def events_for_member(events: QuerySet[Event], member: Member) -> QuerySet[Event]:
    """The events whose eligible subtree contains the member's union (the other rules are told
    per event, so the member can read why one is not for them)."""
    path = member.org.path
    steplen = member.org.steplen
    ancestors = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
    return events.filter(eligible_org__path__in=ancestors)
