"""The member portal: the events list (eligible first, places left, waiting list), one event with
sign-up and cancel, my events with the calendar and the .ics address, feedback after attending."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.core.sms import outbox_messages
from gonghui.events.models import CalendarFeed, Event, EventStatus, Feedback, SignUp, SignUpStatus
from gonghui.events.tests.factories import make_event, make_member_with_account, make_signup
from gonghui.members.models import Member

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def test_the_list_shows_eligible_events_first_with_places_and_waiting(tree):
    later_for_me = make_event(tree.east, title="健康体检", places=1, signup_opens_in=timedelta(hours=-1))
    earlier_not_for_me = make_event(
        tree.east,
        title="两癌筛查",
        sex="female",
        signup_opens_in=timedelta(hours=-2),
        kind="cancer_screening",
    )
    _member, user = make_member_with_account(tree.acme)
    other, other_user = make_member_with_account(tree.acme)
    make_signup(later_for_me, other, other_user)
    waiting_member, waiting_user = make_member_with_account(tree.acme)
    make_signup(later_for_me, waiting_member, waiting_user, status=SignUpStatus.WAITING, queue_number=1)

    page = _client(user).get("/events/").content.decode()

    assert page.index(f'data-event-id="{later_for_me.pk}"') < page.index(
        f'data-event-id="{earlier_not_for_me.pk}"'
    )
    assert "1 人候补" in page


def test_visitors_see_the_list_without_signing_in(tree):
    make_event(tree.east, title="暑托班")
    response = Client().get("/events/")
    assert response.status_code == 200
    assert "暑托班" in response.content.decode()


def test_the_kind_filter(tree):
    make_event(tree.east, title="疗休养：千岛湖", kind="recuperation_trip")
    make_event(tree.east, title="单身联谊", kind="social_mixer")
    page = Client().get("/events/?kind=social_mixer").content.decode()
    assert "单身联谊" in page
    assert "千岛湖" not in page
    assert Client().get("/events/?kind=<script>").status_code == 200


def test_sign_up_cancel_and_the_waiting_list_moves_up(tree, django_capture_on_commit_callbacks):
    event = make_event(tree.east, places=1, title="职工体检")
    _first, first_user = make_member_with_account(tree.acme)
    second, second_user = make_member_with_account(tree.acme)
    first_client, second_client = _client(first_user), _client(second_user)
    url = f"/events/{event.pk}/"

    first_client.post(url, {"action": "sign_up"})
    response = second_client.post(url, {"action": "sign_up"}, follow=True)
    assert "候补第 1 位" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        first_client.post(url, {"action": "cancel"})

    assert SignUp.objects.get(user=second_user).status == "confirmed"
    assert outbox_messages(second.mobile)
    page = second_client.get(url).content.decode()
    assert 'data-signup-status="confirmed"' in page


def test_a_refusal_is_shown_and_nothing_is_written(tree):
    event = make_event(tree.east, sex="female")
    _member, user = make_member_with_account(tree.acme, sex="male")
    client = _client(user)

    page = client.get(f"/events/{event.pk}/").content.decode()
    assert 'role="alert"' in page
    response = client.post(f"/events/{event.pk}/", {"action": "sign_up"}, follow=True)
    assert response.status_code == 200
    assert SignUp.objects.count() == 0


def test_unknown_actions_and_drafts(tree):
    event = make_event(tree.east)
    draft = make_event(tree.east, status=EventStatus.DRAFT)
    _member, user = make_member_with_account(tree.acme)
    client = _client(user)
    assert client.post(f"/events/{event.pk}/", {"action": "explode"}).status_code == 302
    assert client.post(f"/events/{event.pk}/", {"action": "cancel"}).status_code == 404
    assert client.get(f"/events/{draft.pk}/").status_code == 404
    assert SignUp.objects.count() == 0


def test_signing_up_needs_a_sign_in(tree):
    event = make_event(tree.east)
    response = Client().post(f"/events/{event.pk}/", {"action": "sign_up"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_feedback_once_after_attending(tree):
    event = make_event(tree.east)
    member, user = make_member_with_account(tree.acme)
    signup = make_signup(event, member, user, status=SignUpStatus.ATTENDED, attended_at=timezone.now())
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        signup_opens_at=now - timedelta(days=3),
        signup_closes_at=now - timedelta(days=2),
        starts_at=now - timedelta(days=1),
        ends_at=now - timedelta(hours=20),
        status=EventStatus.CLOSED,
    )
    client = _client(user)
    url = f"/events/{event.pk}/"

    assert client.post(url, {"action": "feedback", "rating": "9"}).status_code == 422
    assert client.post(url, {"action": "feedback", "rating": "5", "comment": "安排周到"}).status_code == 302
    client.post(url, {"action": "feedback", "rating": "1"})

    feedback = Feedback.objects.get()
    assert (feedback.signup_id, feedback.rating, feedback.comment) == (signup.pk, 5, "安排周到")


def test_my_events_calendar_and_feed_address(tree):
    event = make_event(tree.east, title="千岛湖疗休养")
    member, user = make_member_with_account(tree.acme)
    make_signup(event, member, user)
    client = _client(user)
    month = timezone.localtime(event.starts_at).strftime("%Y-%m")

    page = client.get(f"/events/mine/?month={month}").content.decode()
    assert page.count("千岛湖疗休养") >= 2  # the list and the calendar

    client.post("/events/mine/calendar/", {"action": "renew"})
    token = CalendarFeed.objects.get(user=user).token
    assert token in client.get("/events/mine/").content.decode()
    feed = Client().get(f"/events/calendar/{token}.ics")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    assert "千岛湖疗休养" in feed.content.decode()

    client.post("/events/mine/calendar/", {"action": "revoke"})
    assert Client().get(f"/events/calendar/{token}.ics").status_code == 404


@pytest.mark.parametrize("month", ["", "2026-13", "abc", "1999-01", "2026-02-30"])
def test_my_events_survives_any_month(tree, month):
    _member, user = make_member_with_account(tree.acme)
    assert _client(user).get(f"/events/mine/?month={month}").status_code == 200


def test_my_events_needs_a_sign_in():
    assert Client().get("/events/mine/").status_code == 302


def test_unknown_feed_tokens_are_not_found():
    assert Client().get("/events/calendar/nope.ics").status_code == 404
    assert Client().get(f"/events/calendar/{'x' * 80}.ics").status_code == 404


def test_age_rules_are_told_on_the_page(tree):
    event = make_event(tree.east, min_age=18, max_age=40, kind="social_mixer")
    member, user = make_member_with_account(tree.acme)
    Member.objects.filter(pk=member.pk).update(birth_date=date(1970, 1, 1))
    page = _client(user).get(f"/events/{event.pk}/").content.decode()
    assert "40" in page
    assert 'role="alert"' in page


def test_the_list_costs_a_bounded_number_of_queries(tree, django_assert_max_num_queries):
    for number in range(12):
        make_event(tree.east, title=f"活动{number}")
    _member, user = make_member_with_account(tree.acme)
    client = _client(user)
    client.get("/events/")
    with django_assert_max_num_queries(15):
        assert client.get("/events/").status_code == 200
