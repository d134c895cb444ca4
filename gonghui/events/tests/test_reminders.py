"""Reminders the day before: one SMS per confirmed sign-up, once, through the service, the task
and the management command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.core.sms import outbox_messages
from gonghui.events.models import Event, SignUp, SignUpStatus
from gonghui.events.services.reminders import send_due_reminders
from gonghui.events.tasks import send_event_reminders_task
from gonghui.events.tests.factories import make_event, make_member_with_account, make_signup

pytestmark = pytest.mark.django_db


def _tomorrow(event: Event) -> Event:
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        signup_opens_at=now - timedelta(days=3),
        signup_closes_at=now - timedelta(hours=1),
        starts_at=now + timedelta(hours=20),
        ends_at=now + timedelta(hours=23),
    )
    return event


def test_confirmed_people_are_reminded_once(tree):
    event = _tomorrow(make_event(tree.east, title="职工体检"))
    later = make_event(tree.east, title="下个月的活动")
    confirmed, confirmed_user = make_member_with_account(tree.acme)
    waiting, waiting_user = make_member_with_account(tree.acme)
    make_signup(event, confirmed, confirmed_user)
    make_signup(event, waiting, waiting_user, status=SignUpStatus.WAITING, queue_number=1)
    make_signup(later, confirmed, confirmed_user)

    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
    assert send_event_reminders_task.call() == 0

    [text] = outbox_messages(confirmed.mobile)
    assert "职工体检" in text
    assert outbox_messages(waiting.mobile) == []
    assert SignUp.objects.get(event=event, user=confirmed_user).reminded_at is not None


def test_the_command_sends_or_queues(tree):
    event = _tomorrow(make_event(tree.east))
    member, user = make_member_with_account(tree.acme)
    make_signup(event, member, user)

    out = StringIO()
    call_command("send_event_reminders", stdout=out)
    assert "1" in out.getvalue()
    queued = StringIO()
    call_command("send_event_reminders", "--enqueue", stdout=queued)
    assert queued.getvalue().strip()
