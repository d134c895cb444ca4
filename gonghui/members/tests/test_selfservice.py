"""Member self-service in the portal: my membership, the categories I declare, change of my mobile
number (texted code, current password, rate limits, the old number told), my union and its
officers, my history and the download of all my data; never anyone else's."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD, make_member
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.core.sms import outbox_messages
from gonghui.members.models import Member, MemberEvent, MemberEventKind, MemberStatus, mobile_index
from gonghui.members.services import selfservice
from gonghui.members.services.registry import record_event
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import OfficerPosition
from gonghui.orgs.tests.factories import Tree, make_term

pytestmark = pytest.mark.django_db

MOBILE = "13800138000"
ID_NUMBER = "330203199001011236"
NEW_MOBILE = "13900001111"
OTHER_ID = "330203198505051237"
OTHER_MOBILE = "13700007777"


@dataclass
class People:
    user: User
    member: Member
    other_user: User
    other: Member


@pytest.fixture
def people(tree: Tree) -> People:
    """Me, a member of acme with a portal account, and another person, a member of beta."""
    user = make_member(MOBILE, display_name="张伟明")
    member = member_row(tree.acme, name="张伟明", id_number=ID_NUMBER, mobile=MOBILE)
    member.user = user
    other_user = make_member(OTHER_MOBILE, display_name="李秘密")
    other = member_row(tree.beta, name="李秘密", id_number=OTHER_ID, mobile=OTHER_MOBILE)
    other.user = other_user
    Member.objects.bulk_create([member, other])
    record_event(member, MemberEventKind.JOINED, actor=None, note="网上入会")
    record_event(other, MemberEventKind.JOINED, actor=None, note="别人的入会备注")
    return People(user=user, member=member, other_user=other_user, other=other)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _latest_code(mobile: str) -> str:
    match = re.search(r"\d{6}", outbox_messages(mobile, limit=1)[0])
    assert match
    return match.group(0)


# --- my membership -----------------------------------------------------------------------------


def test_my_membership_page_shows_my_details_masked(people: People, django_assert_max_num_queries) -> None:
    client = _client(people.user)

    with django_assert_max_num_queries(8):
        html = client.get("/me/membership/").content.decode()

    assert "东区甲公司工会" in html
    assert "张伟明" in html  # my own name, in full
    assert "330203********1236" in html
    assert ID_NUMBER not in html
    assert "138****8000" in html
    assert "李秘密" not in html
    assert "东区乙公司工会" not in html


def test_an_account_without_a_membership_is_told_where_it_stands(tree: Tree) -> None:
    html = _client(make_member("13600006666")).get("/me/membership/").content.decode()

    assert "您的账户下没有工会会籍" in html


def test_after_leaving_the_page_says_the_membership_ended(people: People) -> None:
    Member.objects.filter(pk=people.member.pk).update(status=MemberStatus.LEFT, ended_on=date(2026, 3, 1))

    html = _client(people.user).get("/me/membership/").content.decode()

    assert "东区甲公司工会" in html
    assert "终止" in html


@pytest.mark.parametrize("url", ["/me/membership/", "/me/mobile/", "/me/union/", "/me/history/", "/me/data/"])
def test_the_portal_pages_need_a_signed_in_account(tree: Tree, url: str) -> None:
    response = Client().get(url)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- categories --------------------------------------------------------------------------------


def test_declaring_myself_a_gig_worker_is_an_event_in_my_history(people: People) -> None:
    data = {"is_gig_worker": "on", "gig_occupation": "delivery_rider", "gig_platform": "美团"}

    response = _client(people.user).post("/me/membership/categories/", data)

    assert response.status_code == 302
    member = Member.objects.get(pk=people.member.pk)
    assert (member.is_gig_worker, member.gig_occupation, member.gig_platform) == (
        True,
        "delivery_rider",
        "美团",
    )
    event = MemberEvent.objects.get(member=member, kind=MemberEventKind.UPDATED)
    assert event.actor == people.user
    assert event.changes["gig_platform"] == ["", "美团"]
    assert AuditEvent.objects.filter(action="members.update_own_profile", actor=people.user).exists()


def test_a_gig_worker_must_say_which_platform_work(people: People) -> None:
    response = _client(people.user).post("/me/membership/categories/", {"is_gig_worker": "on"})

    assert response.status_code == 200
    assert "请选择您从事的平台工作类型" in response.content.decode()
    assert not Member.objects.get(pk=people.member.pk).is_gig_worker


def test_a_member_cannot_make_themselves_a_model_worker(people: People) -> None:
    selfservice.update_own_profile(
        actor=people.user,
        categories=selfservice.DeclaredCategories(is_gig_worker=False, is_migrant_worker=True),
    )
    _client(people.user).post("/me/membership/categories/", {"is_model_worker": "on"})

    assert Member.objects.get(pk=people.member.pk).is_model_worker is False


def test_unchanged_categories_write_nothing(people: People) -> None:
    selfservice.update_own_profile(
        actor=people.user, categories=selfservice.DeclaredCategories.of(people.member)
    )

    assert not MemberEvent.objects.filter(kind=MemberEventKind.UPDATED).exists()


def test_categories_need_an_active_membership(people: People) -> None:
    Member.objects.filter(pk=people.member.pk).update(status=MemberStatus.LEFT)

    with pytest.raises(NotFound):
        selfservice.update_own_profile(
            actor=people.user,
            categories=selfservice.DeclaredCategories(is_gig_worker=False, is_migrant_worker=True),
        )


# --- change of mobile number -------------------------------------------------------------------


def test_changing_my_mobile_number_moves_my_account_and_records_and_tells_the_old_number(
    people: People, django_capture_on_commit_callbacks
) -> None:
    client = _client(people.user)

    sent = client.post("/me/mobile/", {"action": "send_code", "mobile": NEW_MOBILE})
    assert sent.status_code == 302
    code = _latest_code(NEW_MOBILE)
    with django_capture_on_commit_callbacks(execute=True):  # the old number is told after the commit
        changed = client.post("/me/mobile/", {"action": "change", "code": code, "password": PASSWORD})

    assert changed.status_code == 302
    user = User.objects.get(pk=people.user.pk)
    assert (user.username, user.mobile) == (NEW_MOBILE, NEW_MOBILE)
    member = Member.objects.get(pk=people.member.pk)
    assert (member.mobile, member.mobile_index) == (NEW_MOBILE, mobile_index(NEW_MOBILE))
    event = MemberEvent.objects.get(member=member, kind=MemberEventKind.MOBILE_CHANGED)
    assert event.changes == {"mobile": ["138****8000", "139****1111"]}
    notice = outbox_messages(MOBILE, limit=1)
    assert notice
    assert "139****1111" in notice[0]
    assert NEW_MOBILE not in notice[0]
    # Still signed in, and the other person's record is untouched.
    assert client.get("/me/membership/").status_code == 200
    assert Member.objects.get(pk=people.other.pk).mobile == OTHER_MOBILE


def test_a_wrong_code_changes_nothing(people: People) -> None:
    selfservice.request_mobile_change_code(actor=people.user, new_mobile=NEW_MOBILE)
    wrong = "000000" if _latest_code(NEW_MOBILE) != "000000" else "111111"

    with pytest.raises(ValidationFailed) as refused:
        selfservice.change_own_mobile(actor=people.user, new_mobile=NEW_MOBILE, code=wrong, password=PASSWORD)

    assert "code" in refused.value.fields
    assert User.objects.get(pk=people.user.pk).mobile == MOBILE
    assert Member.objects.get(pk=people.member.pk).mobile == MOBILE


def test_a_wrong_password_changes_nothing_and_does_not_spend_the_code(people: People) -> None:
    selfservice.request_mobile_change_code(actor=people.user, new_mobile=NEW_MOBILE)
    code = _latest_code(NEW_MOBILE)

    with pytest.raises(ValidationFailed) as refused:
        selfservice.change_own_mobile(actor=people.user, new_mobile=NEW_MOBILE, code=code, password="wrong")
    assert "password" in refused.value.fields
    assert User.objects.get(pk=people.user.pk).mobile == MOBILE

    selfservice.change_own_mobile(actor=people.user, new_mobile=NEW_MOBILE, code=code, password=PASSWORD)
    assert User.objects.get(pk=people.user.pk).mobile == NEW_MOBILE


def test_wrong_passwords_are_limited(people: People) -> None:
    selfservice.request_mobile_change_code(actor=people.user, new_mobile=NEW_MOBILE)
    code = _latest_code(NEW_MOBILE)
    for _ in range(selfservice.PASSWORD_TRIES):
        with pytest.raises(ValidationFailed):
            selfservice.change_own_mobile(actor=people.user, new_mobile=NEW_MOBILE, code=code, password="x")

    with pytest.raises(Conflict) as paused:
        selfservice.change_own_mobile(actor=people.user, new_mobile=NEW_MOBILE, code=code, password=PASSWORD)

    assert paused.value.code == "too_many_attempts"
    assert User.objects.get(pk=people.user.pk).mobile == MOBILE


def test_code_requests_are_limited_per_account(people: People) -> None:
    numbers = [f"1390000{n:04d}" for n in range(selfservice.CODE_REQUESTS_PER_HOUR + 1)]
    for number in numbers[:-1]:
        selfservice.request_mobile_change_code(actor=people.user, new_mobile=number)

    with pytest.raises(Conflict) as refused:
        selfservice.request_mobile_change_code(actor=people.user, new_mobile=numbers[-1])

    assert refused.value.code == "too_many_attempts"
    assert outbox_messages(numbers[-1]) == []


@pytest.mark.parametrize(
    ("mobile", "code"),
    [(OTHER_MOBILE, "mobile_taken"), (MOBILE, "validation_error"), ("12345", "validation_error")],
)
def test_a_number_in_use_my_own_or_not_a_mobile_gets_no_code(people: People, mobile: str, code: str) -> None:
    with pytest.raises((Conflict, ValidationFailed)) as refused:
        selfservice.request_mobile_change_code(actor=people.user, new_mobile=mobile)

    assert "mobile" in refused.value.fields
    assert refused.value.code == code
    assert len(outbox_messages(OTHER_MOBILE)) == 0


def test_confirming_without_asking_for_a_code_first_is_explained(people: People) -> None:
    response = _client(people.user).post(
        "/me/mobile/", {"action": "change", "code": "123456", "password": PASSWORD}
    )

    assert "请先获取发送到新手机号的验证码" in response.content.decode()


# --- my union ----------------------------------------------------------------------------------


def test_my_union_lists_its_committee_names_and_positions_only(tree: Tree, people: People) -> None:
    make_term(tree.acme, "王建国", OfficerPosition.CHAIR, contact_phone="13512345678")
    make_term(
        tree.acme,
        "赵前任",
        OfficerPosition.VICE_CHAIR_FULL_TIME,
        start=date(2010, 1, 1),
        end=date(2015, 1, 1),
    )
    make_term(tree.beta, "钱别家", OfficerPosition.CHAIR)

    html = _client(people.user).get("/me/union/").content.decode()

    assert "东区甲公司工会" in html
    assert "王建国" in html
    assert "13512345678" not in html
    assert "赵前任" not in html
    assert "钱别家" not in html


# --- my history --------------------------------------------------------------------------------


def test_my_history_shows_my_events_across_my_memberships_and_nobody_elses(
    tree: Tree, people: People
) -> None:
    # A transfer ended my first membership and opened one in beta: both rows are mine.
    Member.objects.filter(pk=people.member.pk).update(status=MemberStatus.TRANSFERRED_OUT)
    second = Member.objects.bulk_create(
        [member_row(tree.gamma, name="张伟明", id_number=ID_NUMBER, mobile=MOBILE)]
    )[0]
    record_event(second, MemberEventKind.TRANSFERRED_IN, actor=None, note="调入丙公司")

    html = _client(people.user).get("/me/history/").content.decode()

    assert "网上入会" in html
    assert "调入丙公司" in html
    assert "别人的入会备注" not in html


def test_a_join_application_with_my_id_number_does_not_give_me_its_history(
    tree: Tree, people: People
) -> None:
    """Somebody who typed my ID number sees nothing of mine: records are found from the account."""
    stranger = make_member("13600006666")

    html = _client(stranger).get("/me/history/").content.decode()

    assert "网上入会" not in html
    with pytest.raises(NotFound):
        selfservice.own_data(stranger)


# --- download of my data -----------------------------------------------------------------------


def test_downloading_my_data_as_json_holds_my_full_numbers_and_is_recorded(people: People) -> None:
    response = _client(people.user).post("/me/data/download/", {"format": "json"})

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["format"] == "gonghui-own-data"
    assert [m["id_number"] for m in data["memberships"]] == [ID_NUMBER]
    assert data["memberships"][0]["mobile"] == MOBILE
    assert data["account"]["username"] == MOBILE
    assert OTHER_ID not in response.content.decode()
    assert "李秘密" not in response.content.decode()
    assert MemberEvent.objects.filter(member=people.member, kind=MemberEventKind.DATA_DOWNLOADED).exists()
    assert AuditEvent.objects.filter(action="members.download_own_data", actor=people.user).exists()


def test_downloading_my_data_as_a_workbook_keeps_id_digits_and_starts_no_formula(people: People) -> None:
    Member.objects.filter(pk=people.member.pk).update(gig_platform="=cmd|' /C calc'!A0", is_gig_worker=True)

    response = _client(people.user).post("/me/data/download/", {"format": "xlsx"})

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert "会籍" in workbook.sheet_names
    rows = workbook.get_sheet_by_name("会籍").to_python()
    cells = [str(cell) for cell in rows[1]]
    assert ID_NUMBER in cells
    assert "'=cmd|' /C calc'!A0" in cells
    assert not [cell for row in rows[1:] for cell in map(str, row) if cell.startswith(("=", "+", "-", "@"))]


def test_an_account_without_records_is_told_there_is_nothing_to_download(tree: Tree) -> None:
    response = _client(make_member("13600006666")).post("/me/data/download/", {"format": "json"}, follow=True)

    assert "您的账户下没有工会会籍，也没有入会申请" in response.content.decode()
