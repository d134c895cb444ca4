"""The officers' console: the event list, authoring with every bad input shown on the form,
actions, the sign-up list with its xlsx export, promote and remove, check-in at the door and the
participation report."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.events.models import Allocation, Event, EventStatus, SignUp, SignUpStatus
from gonghui.events.tests.factories import make_event, make_member_with_account, make_signup
from gonghui.members.card import card_number, issue_card_token

pytestmark = pytest.mark.django_db
BASE = "/console/events"


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _form(tree: Any, **changes: Any) -> dict[str, Any]:
    opens = timezone.now() + timedelta(days=1)
    return {
        "organiser": tree.east.code,
        "kind": "cancer_screening",
        "title": "女职工两癌筛查",
        "address": "东区妇幼保健院",
        "starts_at": _local(opens + timedelta(days=10)),
        "ends_at": _local(opens + timedelta(days=10, hours=5)),
        "signup_opens_at": _local(opens),
        "signup_closes_at": _local(opens + timedelta(days=5)),
        "places": "200",
        "fee": "0",
        "allocation": "first_come",
        "sex": "female",
        "min_age": "35",
        "max_age": "64",
        **changes,
    }


def _sheet_text(content: bytes) -> str:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    return " ".join(str(cell) for row in rows for cell in row)


def test_create_then_publish_from_the_console(tree, east_client):
    response = east_client.post(f"{BASE}/new/", _form(tree))
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.sex, event.min_age, event.max_age) == ("female", 35, 64)

    assert east_client.get(f"{BASE}/{event.pk}/").status_code == 200
    east_client.post(f"{BASE}/{event.pk}/action/", {"action": "publish"})
    event.refresh_from_db()
    assert event.status == "published"
    assert f'data-row-id="{event.pk}"' in east_client.get(f"{BASE}/").content.decode()


def test_bad_input_is_shown_on_the_form_and_nothing_is_saved(tree, east_client):
    response = east_client.post(
        f"{BASE}/new/", _form(tree, places="0", fee="-5", ends_at="yesterday", organiser="NOPE")
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    window = east_client.post(f"{BASE}/new/", _form(tree, min_age="70"))
    assert window.status_code == 422
    assert Event.objects.count() == 0


def test_edit_a_published_event_within_its_rules(tree, east_client):
    event = make_event(tree.east, places=5)
    form = {
        "kind": event.kind,
        "title": event.title,
        "address": "新的地址",
        "starts_at": _local(event.starts_at),
        "ends_at": _local(event.ends_at),
        "signup_opens_at": _local(event.signup_opens_at),
        "signup_closes_at": _local(event.signup_closes_at),
        "places": "8",
        "fee": "0",
        "allocation": event.allocation,
    }
    assert east_client.post(f"{BASE}/{event.pk}/edit/", form).status_code == 302
    event.refresh_from_db()
    assert (event.address, event.places) == ("新的地址", 8)
    refused = east_client.post(f"{BASE}/{event.pk}/edit/", {**form, "places": "3"})
    assert refused.status_code == 422


def test_unknown_actions_and_refusals_come_back_as_messages(tree, east_client):
    event = make_event(tree.east)
    assert east_client.post(f"{BASE}/{event.pk}/action/", {"action": "explode"}).status_code == 302
    response = east_client.post(f"{BASE}/{event.pk}/action/", {"action": "close"}, follow=True)
    assert response.status_code == 200
    assert Event.objects.get().status == "published"


def test_console_draw(tree, east_client):
    event = make_event(tree.east, allocation=Allocation.LOTTERY, places=1)
    member, user = make_member_with_account(tree.acme)
    make_signup(event, member, user, status=SignUpStatus.ENTERED, code="ABCDEFGHJK")
    Event.objects.filter(pk=event.pk).update(signup_closes_at=timezone.now() - timedelta(minutes=1))
    east_client.post(f"{BASE}/{event.pk}/action/", {"action": "draw"})
    assert SignUp.objects.get().status == "confirmed"


def test_sign_up_list_export_promote_and_remove(tree, east_client):
    event = make_event(tree.east, places=1, title="千岛湖疗休养")
    first, first_user = make_member_with_account(tree.acme)
    second, second_user = make_member_with_account(tree.acme)
    held = make_signup(event, first, first_user)
    waiting = make_signup(event, second, second_user, status=SignUpStatus.WAITING, queue_number=7)

    page = east_client.get(f"{BASE}/{event.pk}/signups/?status=waiting").content.decode()
    assert f'data-row-id="{waiting.pk}"' in page
    assert f'data-row-id="{held.pk}"' not in page
    assert east_client.get(f"{BASE}/{event.pk}/signups/?status=nonsense").status_code == 200

    export = east_client.get(f"{BASE}/{event.pk}/signups.xlsx")
    text = _sheet_text(export.content)
    assert "千岛湖疗休养" in text
    assert second.masked_name in text
    assert second.name not in text

    east_client.post(f"{BASE}/{event.pk}/signups/{waiting.pk}/promote/", {"reason": ""})
    assert SignUp.objects.get(pk=waiting.pk).status == "waiting"
    east_client.post(f"{BASE}/{event.pk}/signups/{waiting.pk}/promote/", {"reason": "困难职工"})
    assert SignUp.objects.get(pk=waiting.pk).status == "confirmed"
    east_client.post(f"{BASE}/{event.pk}/signups/{held.pk}/remove/", {"reason": "重复报名"})
    assert SignUp.objects.get(pk=held.pk).status == "removed"
    other = make_event(tree.east)
    assert (
        east_client.post(f"{BASE}/{other.pk}/signups/{held.pk}/remove/", {"reason": "x"}).status_code == 302
    )
    assert SignUp.objects.get(pk=held.pk).status == "removed"


def test_check_in_at_the_door(tree, east_client):
    event = make_event(tree.east)
    member, user = make_member_with_account(tree.acme)
    stranger, _stranger_user = make_member_with_account(tree.acme)
    make_signup(event, member, user)
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        signup_opens_at=now - timedelta(days=2),
        signup_closes_at=now - timedelta(hours=2),
        starts_at=now - timedelta(minutes=10),
    )
    url = f"{BASE}/{event.pk}/check-in/"

    assert east_client.get(url).status_code == 200
    done = east_client.post(url, {"token": issue_card_token(member)})
    assert done.status_code == 200
    assert member.masked_name in done.content.decode()
    again = east_client.post(url, {"card_number": card_number(member)})
    assert again.status_code == 409
    assert east_client.post(url, {"token": issue_card_token(stranger)}).status_code == 409
    assert east_client.post(url, {"card_number": "GH12"}).status_code == 422
    assert east_client.post(url, {}).status_code == 422
    assert SignUp.objects.get().status == "attended"


def test_participation_page_and_workbook(tree, east_client):
    event = make_event(tree.east, title="职工运动会", kind="culture_sports")
    member, user = make_member_with_account(tree.acme)
    make_signup(event, member, user, status=SignUpStatus.ATTENDED)
    year = timezone.localtime(event.starts_at).year

    page = east_client.get(f"{BASE}/report/?year={year}").content.decode()
    assert "职工运动会" in page
    assert east_client.get(f"{BASE}/report/?year=abc").status_code == 200
    workbook = east_client.get(f"{BASE}/report.xlsx?year={year}")
    assert "职工运动会" in _sheet_text(workbook.content)


def test_members_are_kept_out_of_the_console(tree):
    _member, user = make_member_with_account(tree.acme)
    client = Client()
    sign_in_verified(client, user)
    assert client.get(f"{BASE}/").status_code in {302, 403}


def test_the_list_filters(tree, east_client):
    draft = make_event(tree.east, status=EventStatus.DRAFT, kind="social_mixer")
    published = make_event(tree.east)
    page = east_client.get(f"{BASE}/?status=draft&kind=social_mixer").content.decode()
    assert f'data-row-id="{draft.pk}"' in page
    assert f'data-row-id="{published.pk}"' not in page


def test_lists_cost_a_bounded_number_of_queries(tree, east_client, django_assert_max_num_queries):
    event = make_event(tree.east, places=30)
    for _ in range(20):
        member, user = make_member_with_account(tree.acme)
        make_signup(event, member, user)
    for _ in range(10):
        make_event(tree.east)
    east_client.get(f"{BASE}/")
    with django_assert_max_num_queries(15):
        east_client.get(f"{BASE}/")
    with django_assert_max_num_queries(15):
        east_client.get(f"{BASE}/{event.pk}/signups/")
    with django_assert_max_num_queries(15):
        east_client.get(f"/api/v1/events/manage/{event.pk}/signups")
