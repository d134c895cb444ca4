"""Event authoring and its workflow: create, edit (draft / published), publish, close, cancel;
every illegal (status, action) pair is refused with nothing changed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.core.sms import outbox_messages
from gonghui.events.models import EVENT_TRANSITIONS, Event, EventHistory, EventStatus, SignUp, SignUpStatus
from gonghui.events.services import events as services
from gonghui.events.tests.factories import make_event, make_member_with_account, make_signup
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at

pytestmark = pytest.mark.django_db


def _data(**changes: object) -> services.EventData:
    opens = timezone.now() + timedelta(days=1)
    data = services.EventData(
        kind="recuperation_trip",
        title=" 千岛湖疗休养（第一期） ",
        address="淳安县千岛湖镇",
        starts_at=opens + timedelta(days=20),
        ends_at=opens + timedelta(days=24),
        signup_opens_at=opens,
        signup_closes_at=opens + timedelta(days=7),
        places=40,
        allocation="lottery",
        fee=Decimal("200.00"),
        latitude=Decimal("29.605000"),
        longitude=Decimal("119.042000"),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def test_create_makes_a_draft_with_history_and_audit(tree, east_admin):
    event = services.create_event(tree.east, actor=east_admin, data=_data())
    assert (event.status, event.title, event.eligible_org_id) == (
        "draft",
        "千岛湖疗休养（第一期）",
        tree.east.pk,
    )
    assert EventHistory.objects.filter(event=event, to_status="draft").exists()
    assert AuditEvent.objects.filter(action="events.create_event").exists()


def test_every_problem_is_reported_at_once_and_nothing_written(tree, east_admin):
    bad = _data(
        kind="party",
        title="",
        address="",
        places=0,
        allocation="raffle",
        fee=Decimal("-1"),
        ends_at=timezone.now(),
        signup_closes_at=timezone.now() + timedelta(days=90),
        latitude=Decimal("95"),
        longitude=None,
        eligible_org="W",
        categories=["astronaut"],
        sex="other",
        min_age=50,
        max_age=20,
    )
    with pytest.raises(ValidationFailed) as refused:
        services.create_event(tree.east, actor=east_admin, data=bad)
    assert set(refused.value.fields) >= {
        "kind",
        "title",
        "address",
        "places",
        "allocation",
        "fee",
        "ends_at",
        "signup_closes_at",
        "latitude",
        "eligible_org",
        "categories",
        "sex",
        "max_age",
    }
    assert Event.objects.count() == 0


def test_an_officer_elsewhere_cannot_create_for_this_union(tree):
    west = officer_at(tree.west, "west.admin")
    with pytest.raises(Forbidden):
        services.create_event(tree.east, actor=west, data=_data())


def test_an_auditor_may_see_but_not_change(tree):
    viewer = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    event = make_event(tree.east, status=EventStatus.DRAFT)
    with pytest.raises(Forbidden):
        services.publish_event(event.pk, actor=viewer)


def test_publish_gives_a_lottery_its_seed(tree, east_admin):
    event = services.create_event(tree.east, actor=east_admin, data=_data())
    published = services.publish_event(event.pk, actor=east_admin, comment="  第一期 ")
    assert published.status == "published"
    assert len(published.seed) == 64
    assert EventHistory.objects.filter(event=event, to_status="published", comment="第一期").exists()


def test_publish_refuses_when_sign_up_has_closed(tree, east_admin):
    event = make_event(tree.east, status=EventStatus.DRAFT, signup_opens_in=timedelta(days=-5))
    with pytest.raises(ValidationFailed) as refused:
        services.publish_event(event.pk, actor=east_admin)
    assert "signup_closes_at" in refused.value.fields
    assert Event.objects.get().status == "draft"


def test_a_published_event_keeps_what_members_saw_but_may_grow(
    tree, east_admin, django_capture_on_commit_callbacks
):
    event = make_event(tree.east, places=1)
    first, first_user = make_member_with_account(tree.acme)
    waiting, waiting_user = make_member_with_account(tree.acme)
    make_signup(event, first, first_user)
    make_signup(event, waiting, waiting_user, status=SignUpStatus.WAITING, queue_number=1)
    same = services.EventData(
        kind=event.kind,
        title=event.title,
        address=event.address,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        signup_opens_at=event.signup_opens_at,
        signup_closes_at=event.signup_closes_at,
        places=event.places,
        allocation=event.allocation,
        fee=event.fee,
        description=event.description,
    )

    with pytest.raises(ValidationFailed) as refused:
        services.update_event(event.pk, actor=east_admin, data=replace(same, title="别的", places=0))
    assert {"title", "places"} <= set(refused.value.fields)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_event(event.pk, actor=east_admin, data=replace(same, places=2, address="新地址"))
    event.refresh_from_db()
    assert (event.places, event.taken, event.address) == (2, 2, "新地址")
    assert SignUp.objects.get(user=waiting_user).status == "confirmed"
    assert outbox_messages(waiting.mobile)


def test_close_after_the_event_marks_who_did_not_come(tree, east_admin):
    event = make_event(tree.east)
    came, came_user = make_member_with_account(tree.acme)
    stayed, stayed_user = make_member_with_account(tree.acme)
    make_signup(event, came, came_user, status=SignUpStatus.ATTENDED)
    make_signup(event, stayed, stayed_user)

    with pytest.raises(Conflict):
        services.close_event(event.pk, actor=east_admin)

    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        signup_opens_at=now - timedelta(days=3),
        signup_closes_at=now - timedelta(days=2),
        starts_at=now - timedelta(days=1),
        ends_at=now - timedelta(hours=1),
    )
    services.close_event(event.pk, actor=east_admin)
    assert dict(SignUp.objects.values_list("user_id", "status")) == {
        came_user.pk: "attended",
        stayed_user.pk: "no_show",
    }


def test_cancel_tells_everyone_and_frees_the_yearly_quota(
    tree, east_admin, django_capture_on_commit_callbacks
):
    event = make_event(tree.east, kind="recuperation_trip", title="普陀山疗休养")
    member, user = make_member_with_account(tree.acme)
    make_signup(event, member, user, quota_year=event.event_date.year)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event.pk, actor=east_admin, comment="台风预警")

    signup = SignUp.objects.get()
    assert (signup.status, signup.quota_year, signup.reason) == ("cancelled", None, "台风预警")
    assert "普陀山疗休养" in outbox_messages(member.mobile)[0]
    assert Event.objects.get().taken == 0


def test_officers_elsewhere_get_not_found(tree):
    event = make_event(tree.east, status=EventStatus.DRAFT)
    with pytest.raises(Http404):
        services.publish_event(event.pk, actor=officer_at(tree.west, "west.admin"))


ILLEGAL = [
    (status, action)
    for status in EventStatus.values
    for action in EVENT_TRANSITIONS
    if not EVENT_TRANSITIONS.allows(action, status)
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transitions_change_nothing(tree, east_admin, status, action):
    event = make_event(tree.east, status=status)
    step = {
        "publish": services.publish_event,
        "close": services.close_event,
        "cancel": services.cancel_event,
    }[action]
    with pytest.raises(InvalidTransition):
        step(event.pk, actor=east_admin)
    assert Event.objects.get().status == status
    assert not EventHistory.objects.exists()
