"""Signing up: places, the waiting list and its promotion, eligibility refusals, the draw, the
organisers' corrections and check-in at the door."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import signing
from django.http import Http404
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.benefits.services.lottery import entries_digest, ticket
from gonghui.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from gonghui.core.sms import outbox_messages
from gonghui.events.models import Allocation, Event, EventKind, EventStatus, SignUp, SignUpStatus
from gonghui.events.services import eligibility
from gonghui.events.services import signups as services
from gonghui.events.services.eligibility import NotEligible, age_on
from gonghui.events.tests.factories import make_event, make_member_with_account, make_signup
from gonghui.members.card import card_number, issue_card_token
from gonghui.members.categories import MemberCategory
from gonghui.members.models import Member
from gonghui.orgs.models import Org
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db


def _members(org: Org, n: int) -> list[tuple[Member, User]]:
    return [make_member_with_account(org) for _ in range(n)]


# --- first come ---------------------------------------------------------------------------------


def test_first_come_fills_the_places_then_the_waiting_list_in_order(tree):
    event = make_event(tree.east, places=2)
    people = _members(tree.acme, 4)

    outcomes = [services.sign_up(event.pk, actor=user) for _member, user in people]

    assert [o.signup.status for o in outcomes] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [o.signup.queue_number for o in outcomes[2:]] == [1, 2]
    assert [services.waiting_position(o.signup) for o in outcomes[2:]] == [1, 2]
    event.refresh_from_db()
    assert (event.taken, event.places_left) == (2, 0)


def test_pressing_twice_keeps_one_sign_up(tree):
    event = make_event(tree.east)
    _member, user = make_member_with_account(tree.acme)

    first = services.sign_up(event.pk, actor=user)
    second = services.sign_up(event.pk, actor=user)

    assert (first.created, second.created) == (True, False)
    assert second.signup.pk == first.signup.pk
    assert SignUp.objects.count() == 1
    assert Event.objects.get().taken == 1


def test_cancelling_a_place_promotes_the_first_waiting_person_and_texts_them(
    tree, django_capture_on_commit_callbacks
):
    event = make_event(tree.east, places=1, title="疗休养：千岛湖")
    (_a, first_user), (second, second_user), (_c, third_user) = _members(tree.acme, 3)
    held = services.sign_up(event.pk, actor=first_user).signup
    services.sign_up(event.pk, actor=second_user)
    services.sign_up(event.pk, actor=third_user)

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel_signup(held.pk, actor=first_user)

    assert promoted is not None
    assert promoted.member_id == second.pk
    statuses = dict(SignUp.objects.values_list("user_id", "status"))
    assert statuses == {first_user.pk: "cancelled", second_user.pk: "confirmed", third_user.pk: "waiting"}
    assert Event.objects.get().taken == 1
    assert "千岛湖" in outbox_messages(second.mobile)[0]
    assert services.waiting_position(SignUp.objects.get(user=third_user)) == 1


def test_cancelling_with_nobody_waiting_gives_the_place_back(tree):
    event = make_event(tree.east, places=3)
    _member, user = make_member_with_account(tree.acme)
    signup = services.sign_up(event.pk, actor=user).signup

    assert services.cancel_signup(signup.pk, actor=user) is None
    assert Event.objects.get().taken == 0
    # and the person may sign up again
    assert services.sign_up(event.pk, actor=user).signup.status == "confirmed"


def test_a_waiting_cancellation_frees_no_place(tree):
    event = make_event(tree.east, places=1)
    (_a, first), (_b, second) = _members(tree.acme, 2)
    services.sign_up(event.pk, actor=first)
    waiting = services.sign_up(event.pk, actor=second).signup

    assert services.cancel_signup(waiting.pk, actor=second) is None
    assert Event.objects.get().taken == 1


def test_another_persons_sign_up_cannot_be_cancelled(tree):
    event = make_event(tree.east)
    (_a, owner), (_b, other) = _members(tree.acme, 2)
    signup = services.sign_up(event.pk, actor=owner).signup

    with pytest.raises(NotFound):
        services.cancel_signup(signup.pk, actor=other)
    assert SignUp.objects.get().status == "confirmed"


def test_no_cancellation_once_the_event_has_started(tree):
    event = make_event(tree.east)
    member, user = make_member_with_account(tree.acme)
    signup = make_signup(event, member, user)
    _started(event)

    with pytest.raises(Conflict) as refused:
        services.cancel_signup(signup.pk, actor=user)
    assert refused.value.code == "started"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"signup_opens_in": timedelta(hours=2)}, "signup_not_open"),
        ({"signup_opens_in": timedelta(days=-3)}, "signup_closed"),
        ({"status": EventStatus.CLOSED}, "signup_closed"),
    ],
)
def test_sign_up_outside_the_window_is_refused(tree, fields, code):
    event = make_event(tree.east, **fields)
    _member, user = make_member_with_account(tree.acme)

    with pytest.raises(Conflict) as refused:
        services.sign_up(event.pk, actor=user)
    assert refused.value.code == code
    assert SignUp.objects.count() == 0


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.CANCELLED])
def test_drafts_and_cancelled_events_are_not_found(tree, status):
    event = make_event(tree.east, status=status)
    _member, user = make_member_with_account(tree.acme)
    with pytest.raises(NotFound):
        services.sign_up(event.pk, actor=user)


# --- eligibility --------------------------------------------------------------------------------


def test_members_outside_the_subtree_are_told_whose_event_it_is(tree):
    event = make_event(tree.east)
    _member, user = make_member_with_account(tree.gamma)

    with pytest.raises(NotEligible, match="东区总工会"):
        services.sign_up(event.pk, actor=user)
    assert SignUp.objects.count() == 0


def test_category_sex_and_age_refusals_each_say_why(tree):
    screening = make_event(tree.east, kind=EventKind.CANCER_SCREENING, sex="female", min_age=35, max_age=64)
    gig_only = make_event(tree.east, categories=[MemberCategory.GIG_WORKER])
    _man, man = make_member_with_account(tree.acme, sex="male")
    _young, young = make_member_with_account(tree.acme, sex="female", birth_date=date(2000, 1, 1))
    _old, old = make_member_with_account(tree.acme, sex="female", birth_date=date(1950, 1, 1))
    _ok, ok = make_member_with_account(tree.acme, sex="female", birth_date=date(1980, 5, 5))

    with pytest.raises(NotEligible, match=r"女|women"):
        services.sign_up(screening.pk, actor=man)
    with pytest.raises(NotEligible, match="35"):
        services.sign_up(screening.pk, actor=young)
    with pytest.raises(NotEligible, match="64"):
        services.sign_up(screening.pk, actor=old)
    with pytest.raises(NotEligible):
        services.sign_up(gig_only.pk, actor=ok)
    assert services.sign_up(screening.pk, actor=ok).signup.status == "confirmed"


def test_age_counts_on_the_day_of_the_event():
    assert age_on(date(1990, 6, 15), date(2026, 6, 14)) == 35
    assert age_on(date(1990, 6, 15), date(2026, 6, 15)) == 36
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_one_recuperation_trip_a_year(tree):
    trip = make_event(tree.east, kind=EventKind.RECUPERATION_TRIP)
    other_trip = make_event(tree.east, kind=EventKind.RECUPERATION_TRIP, title="疗休养：普陀山")
    health_check = make_event(tree.east)
    _member, user = make_member_with_account(tree.acme)
    services.sign_up(trip.pk, actor=user)

    with pytest.raises(NotEligible, match=str(trip.event_date.year)):
        services.sign_up(other_trip.pk, actor=user)
    assert services.sign_up(health_check.pk, actor=user).created
    assert SignUp.objects.filter(event=other_trip).count() == 0


def test_the_yearly_quota_is_a_database_guarantee(tree, monkeypatch):
    """Even when the check in front is passed (two trips signed up at the same moment, neither
    seeing the other yet), the unique index on (person, quota year) refuses the second place."""
    trip = make_event(tree.east, kind=EventKind.RECUPERATION_TRIP)
    other = make_event(tree.east, kind=EventKind.RECUPERATION_TRIP)
    member, user = make_member_with_account(tree.acme)
    make_signup(trip, member, user, quota_year=trip.event_date.year)
    monkeypatch.setattr(eligibility, "quota_problem", lambda event, person_index: None)

    with pytest.raises(Conflict) as refused:
        services.sign_up(other.pk, actor=user)
    assert refused.value.code == "yearly_quota"
    assert SignUp.objects.filter(event=other).count() == 0
    assert Event.objects.get(pk=other.pk).taken == 0


def test_promotion_passes_over_a_person_who_meanwhile_has_a_trip(tree):
    trip = make_event(tree.east, kind=EventKind.RECUPERATION_TRIP, places=1)
    other = make_event(tree.east, kind=EventKind.RECUPERATION_TRIP)
    (_a, holder), (busy, busy_user), (_c, next_user) = _members(tree.acme, 3)
    held = services.sign_up(trip.pk, actor=holder).signup
    services.sign_up(trip.pk, actor=busy_user)
    services.sign_up(trip.pk, actor=next_user)
    make_signup(other, busy, busy_user, quota_year=other.event_date.year)

    promoted = services.cancel_signup(held.pk, actor=holder)

    assert promoted is not None
    assert promoted.user_id == next_user.pk
    passed = SignUp.objects.get(event=trip, user=busy_user)
    assert passed.status == "cancelled"
    assert passed.reason


# --- the lottery --------------------------------------------------------------------------------


def test_lottery_entries_then_a_reproducible_draw(tree, east_admin):
    event = make_event(tree.east, places=2, allocation=Allocation.LOTTERY)
    people = _members(tree.acme, 5)
    entries = [services.sign_up(event.pk, actor=user).signup for _member, user in people]
    assert {entry.status for entry in entries} == {"entered"}
    assert all(len(entry.code) == 10 for entry in entries)
    Event.objects.filter(pk=event.pk).update(signup_closes_at=timezone.now() - timedelta(seconds=1))

    outcome = services.draw_event(event.pk, actor=east_admin)

    assert (outcome.entries, outcome.confirmed, outcome.waiting) == (5, 2, 3)
    event.refresh_from_db()
    digest = entries_digest([entry.code for entry in entries])
    assert event.entries_digest == digest
    by_ticket = sorted(entries, key=lambda entry: ticket(event.seed, digest, entry.code))
    rows = {row.pk: row for row in SignUp.objects.all()}
    assert [rows[entry.pk].status for entry in by_ticket] == ["confirmed"] * 2 + ["waiting"] * 3
    assert [rows[entry.pk].queue_number for entry in by_ticket[2:]] == [1, 2, 3]
    assert event.taken == 2

    with pytest.raises(Conflict):
        services.draw_event(event.pk, actor=east_admin)


def test_the_draw_waits_for_sign_up_to_close(tree, east_admin):
    event = make_event(tree.east, allocation=Allocation.LOTTERY)
    with pytest.raises(Conflict) as refused:
        services.draw_event(event.pk, actor=east_admin)
    assert refused.value.code == "signup_open"


def test_a_first_come_event_is_not_drawn(tree, east_admin):
    event = make_event(tree.east, signup_opens_in=timedelta(days=-3))
    with pytest.raises(Conflict):
        services.draw_event(event.pk, actor=east_admin)


def test_officers_of_another_subtree_cannot_draw(tree):
    event = make_event(tree.east, allocation=Allocation.LOTTERY, signup_opens_in=timedelta(days=-3))
    with pytest.raises(Http404):
        services.draw_event(event.pk, actor=officer_at(tree.west, "west.admin"))


# --- organisers' corrections --------------------------------------------------------------------


def test_removing_a_place_promotes_the_next_and_needs_a_reason(tree, east_admin):
    event = make_event(tree.east, places=1)
    (_a, first), (_b, second) = _members(tree.acme, 2)
    held = services.sign_up(event.pk, actor=first).signup
    services.sign_up(event.pk, actor=second)

    with pytest.raises(ValidationFailed) as refused:
        services.remove_signup(held.pk, actor=east_admin, reason="  ")
    assert "reason" in refused.value.fields
    assert SignUp.objects.get(pk=held.pk).status == "confirmed"

    promoted = services.remove_signup(held.pk, actor=east_admin, reason="重复报名")
    assert promoted is not None
    assert promoted.user_id == second.pk
    removed = SignUp.objects.get(pk=held.pk)
    assert (removed.status, removed.reason) == ("removed", "重复报名")


def test_promoting_out_of_turn_adds_a_place_when_none_is_free(tree, east_admin):
    event = make_event(tree.east, places=1)
    (_a, first), (_b, second), (_c, third) = _members(tree.acme, 3)
    services.sign_up(event.pk, actor=first)
    services.sign_up(event.pk, actor=second)
    last = services.sign_up(event.pk, actor=third).signup

    promoted = services.promote_signup(last.pk, actor=east_admin, reason="困难职工优先")

    assert promoted.status == "confirmed"
    event.refresh_from_db()
    assert (event.places, event.taken) == (2, 2)
    assert services.waiting_position(SignUp.objects.get(user=second)) == 1


def test_only_waiting_people_are_promoted(tree, east_admin):
    event = make_event(tree.east)
    _member, user = make_member_with_account(tree.acme)
    signup = services.sign_up(event.pk, actor=user).signup
    with pytest.raises(Conflict):
        services.promote_signup(signup.pk, actor=east_admin, reason="理由")


def test_officers_outside_the_organiser_cannot_touch_sign_ups(tree):
    event = make_event(tree.east)
    _member, user = make_member_with_account(tree.acme)
    signup = services.sign_up(event.pk, actor=user).signup
    west = officer_at(tree.west, "west.admin")

    with pytest.raises(NotFound):
        services.remove_signup(signup.pk, actor=west, reason="理由")
    assert SignUp.objects.get().status == "confirmed"


# --- check-in -----------------------------------------------------------------------------------


def _started(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(
        signup_opens_at=timezone.now() - timedelta(days=2),
        signup_closes_at=timezone.now() - timedelta(hours=2),
        starts_at=timezone.now() - timedelta(hours=1),
    )
    event.refresh_from_db()
    return event


def test_check_in_by_qr_code_and_by_card_number_once(tree, east_admin):
    event = make_event(tree.east)
    (first, first_user), (second, second_user) = _members(tree.acme, 2)
    make_signup(event, first, first_user)
    make_signup(event, second, second_user)
    _started(event)

    by_token = services.check_in(event.pk, actor=east_admin, token=issue_card_token(first))
    by_number = services.check_in(event.pk, actor=east_admin, card_number=" gh" + card_number(second)[2:])

    assert by_token.signup.status == by_number.signup.status == "attended"
    with pytest.raises(Conflict) as again:
        services.check_in(event.pk, actor=east_admin, token=issue_card_token(first))
    assert again.value.code == "already_checked_in"


def test_check_in_of_someone_not_signed_up_or_only_waiting(tree, east_admin):
    event = make_event(tree.east)
    stranger, _s = make_member_with_account(tree.acme)
    waiting, waiting_user = make_member_with_account(tree.acme)
    make_signup(event, waiting, waiting_user, status=SignUpStatus.WAITING, queue_number=1)
    _started(event)

    with pytest.raises(Conflict) as not_signed:
        services.check_in(event.pk, actor=east_admin, token=issue_card_token(stranger))
    assert not_signed.value.code == "not_signed_up"
    with pytest.raises(Conflict) as no_place:
        services.check_in(event.pk, actor=east_admin, card_number=card_number(waiting))
    assert no_place.value.code == "no_place"


@pytest.mark.parametrize("typed", ["", "GH123", "GH000000000010", "一二三"])
def test_check_in_refuses_what_is_not_a_card(tree, east_admin, typed):
    event = _started(make_event(tree.east))
    with pytest.raises(DomainError):
        services.check_in(event.pk, actor=east_admin, card_number=typed)


def test_check_in_refuses_a_forged_code(tree, east_admin):
    event = _started(make_event(tree.east))
    member, user = make_member_with_account(tree.acme)
    make_signup(event, member, user)
    forged = signing.TimestampSigner(salt="something else").sign(str(member.pk))
    with pytest.raises(DomainError) as refused:
        services.check_in(event.pk, actor=east_admin, token=forged)
    assert refused.value.code == "card_invalid"


def test_check_in_does_not_open_days_ahead(tree, east_admin):
    event = make_event(tree.east)
    member, user = make_member_with_account(tree.acme)
    make_signup(event, member, user)
    with pytest.raises(Conflict) as refused:
        services.check_in(event.pk, actor=east_admin, token=issue_card_token(member))
    assert refused.value.code == "check_in_not_open"
