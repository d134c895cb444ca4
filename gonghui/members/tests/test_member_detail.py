"""One member in the console: the page (masked numbers, history), showing the full numbers to
those who may (audited), correcting the details (each change an event with before and after)
and adding one member by hand (birth date and sex from the ID number)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.idnumbers import make_id_number
from gonghui.core.models import AuditEvent
from gonghui.members.models import Member, MemberEvent, MemberEventKind, MemberStatus
from gonghui.members.services.records import OneMember, add_one_member, reveal_numbers, update_member
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, client_for, make_workplace, officer_at

pytestmark = pytest.mark.django_db

ID_NUMBER = "330203199001011236"
MOBILE = "13912345678"
WOMAN_ID = make_id_number("330203", date(1992, 7, 9), 42, "female")


@pytest.fixture
def member(tree: Tree) -> Member:
    workplace = make_workplace(tree.town, tree.acme, name="东区甲公司")
    return Member.objects.bulk_create(
        [member_row(tree.acme, name="张伟明", id_number=ID_NUMBER, mobile=MOBILE, workplace=workplace)]
    )[0]


def _union_officer(tree: Tree) -> User:
    """May see and change the members of acme, but not see their full numbers."""
    return officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)


def _admin(tree: Tree) -> User:
    """A district administrator: every permission over east, full numbers included."""
    return officer_at(tree.east, "east.admin")


# --- the page ----------------------------------------------------------------------------------


def test_the_page_shows_the_member_masked_with_facts_from_the_id_number(
    tree: Tree, member: Member, django_assert_max_num_queries
) -> None:
    client = client_for(_admin(tree))

    with django_assert_max_num_queries(12):
        response = client.get(f"/console/members/{member.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "张**" in html
    assert "330203********1236" in html
    assert "139****5678" in html
    assert ID_NUMBER not in html
    assert MOBILE not in html
    assert "张伟明" not in html
    assert "1990年1月1日" in html  # the date of birth, read from the ID number
    assert "男" in html
    assert "东区甲公司工会" in html
    assert "东区甲公司" in html
    assert "显示完整号码" in html  # the administrator may reveal


def test_an_officer_without_the_reveal_permission_gets_no_reveal_button(tree: Tree, member: Member) -> None:
    html = client_for(_union_officer(tree)).get(f"/console/members/{member.pk}/").content.decode()

    assert "显示完整号码" not in html
    assert "修改信息" in html  # a union officer may change the members


def test_the_page_of_a_member_outside_the_scope_is_missing(tree: Tree, member: Member) -> None:
    outsider = officer_at(tree.west, "west.admin")

    assert client_for(outsider).get(f"/console/members/{member.pk}/").status_code == 404


def test_the_history_lists_changes_with_masked_values(tree: Tree, member: Member) -> None:
    admin = _admin(tree)
    update_member(member, actor=admin, mobile="13800001111", note="本人更换手机")

    html = client_for(admin).get(f"/console/members/{member.pk}/").content.decode()

    assert "信息变更" in html
    assert "139****5678 → 138****1111" in html
    assert "本人更换手机" in html
    assert "13800001111" not in html


# --- full numbers ------------------------------------------------------------------------------


def test_revealing_shows_the_full_numbers_once_and_audits_it(tree: Tree, member: Member) -> None:
    admin = _admin(tree)

    response = client_for(admin).post(f"/console/members/{member.pk}/reveal/", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert ID_NUMBER in html
    assert MOBILE in html
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="members.reveal")
    assert (event.actor, event.object_id) == (admin, str(member.pk))
    assert ID_NUMBER not in str(event.changes) + event.note


def test_revealing_without_javascript_returns_the_whole_page(tree: Tree, member: Member) -> None:
    html = client_for(_admin(tree)).post(f"/console/members/{member.pk}/reveal/").content.decode()

    assert ID_NUMBER in html
    assert "仅显示这一次" in html


def test_an_officer_without_the_permission_cannot_reveal(tree: Tree, member: Member) -> None:
    officer = _union_officer(tree)

    response = client_for(officer).post(f"/console/members/{member.pk}/reveal/")

    assert response.status_code == 404
    assert ID_NUMBER not in response.content.decode()
    with pytest.raises(NotFound):
        reveal_numbers(member, actor=officer)
    assert not AuditEvent.objects.filter(action="members.reveal").exists()


def test_revealing_needs_a_post(tree: Tree, member: Member) -> None:
    assert client_for(_admin(tree)).get(f"/console/members/{member.pk}/reveal/").status_code == 405


# --- editing -----------------------------------------------------------------------------------


def _edit_data(**changes: str) -> dict[str, str]:
    return {"name": "张伟明", "mobile": MOBILE, "workplace": "", "joined_on": "2020-01-01", **changes}


def test_editing_records_one_event_with_masked_before_and_after(tree: Tree, member: Member) -> None:
    officer = _union_officer(tree)
    data = _edit_data(name="张伟民", mobile="13800001111", is_migrant_worker="on", note="花名册有误")
    data["workplace"] = str(member.workplace_id)

    response = client_for(officer).post(f"/console/members/{member.pk}/edit/", data)

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.mobile, member.is_migrant_worker) == ("张伟民", "13800001111", True)
    event = MemberEvent.objects.get(member=member, kind=MemberEventKind.UPDATED)
    assert event.changes == {
        "name": ["张**", "张**"],
        "mobile": ["139****5678", "138****1111"],
        "is_migrant_worker": [False, True],
    }
    assert (event.actor, event.note) == (officer, "花名册有误")
    audit = AuditEvent.objects.get(action="members.update")
    assert audit.changes == event.changes
    assert "13800001111" not in str(audit.changes)


def test_a_new_mobile_number_is_searchable_through_its_blind_index(tree: Tree, member: Member) -> None:
    admin = _admin(tree)
    update_member(member, actor=admin, mobile="138 0000 1111")

    html = client_for(admin).get("/console/members/", {"q": "13800001111"}).content.decode()

    assert f'data-row-id="{member.pk}"' in html


def test_saving_without_changes_writes_nothing(tree: Tree, member: Member) -> None:
    data = _edit_data(workplace=str(member.workplace_id))

    response = client_for(_union_officer(tree)).post(f"/console/members/{member.pk}/edit/", data)

    assert response.status_code == 302
    assert not MemberEvent.objects.filter(member=member).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": '=HYPERLINK("http://x")'}, "name", "姓名只能包含文字、空格和间隔号"),
        ({"mobile": "1234"}, "mobile", ""),
        ({"joined_on": "2999-01-01"}, "joined_on", "入会日期不能晚于今天"),
        ({"joined_on": "1980-01-01"}, "joined_on", "入会日期不能早于出生日期"),
        ({"is_gig_worker": "on"}, "gig_occupation", "请选择平台工作的类型"),
        ({"workplace": "999999"}, "workplace", ""),
    ],
)
def test_bad_details_are_refused_with_a_message_and_change_nothing(
    tree: Tree, member: Member, changes: dict[str, str], field: str, message: str
) -> None:
    response = client_for(_union_officer(tree)).post(
        f"/console/members/{member.pk}/edit/", _edit_data(**changes)
    )

    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    member.refresh_from_db()
    assert (member.name, member.mobile, member.joined_on) == ("张伟明", MOBILE, date(2020, 1, 1))
    assert not MemberEvent.objects.filter(member=member).exists()


def test_a_workplace_the_union_does_not_cover_is_refused_by_the_service(tree: Tree, member: Member) -> None:
    elsewhere = make_workplace(tree.west, tree.gamma)

    with pytest.raises(ValidationFailed) as refused:
        update_member(member, actor=_union_officer(tree), workplace_id=elsewhere.pk)

    assert "workplace" in refused.value.fields


def test_an_ended_membership_cannot_be_edited(tree: Tree, member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.LEFT)
    officer = _union_officer(tree)

    page = client_for(officer).get(f"/console/members/{member.pk}/edit/")
    with pytest.raises(Conflict):
        update_member(member, actor=officer, name="李四")

    assert page.status_code == 302
    assert not MemberEvent.objects.filter(member=member).exists()


def test_an_officer_who_may_only_view_cannot_edit(tree: Tree, member: Member) -> None:
    viewer = officer_at(tree.east, "east.auditor", Role.AUDITOR)

    assert client_for(viewer).get(f"/console/members/{member.pk}/edit/").status_code == 404
    with pytest.raises(Forbidden):
        update_member(member, actor=viewer, name="李四")
    member.refresh_from_db()
    assert member.name == "张伟明"


# --- adding one member -------------------------------------------------------------------------


def test_adding_a_member_derives_birth_date_and_sex_and_records_the_join(tree: Tree) -> None:
    officer = _union_officer(tree)
    data = {
        "org": tree.acme.code,
        "name": " 李 芳 ",
        "id_number": WOMAN_ID.lower(),
        "mobile": "+86 138 0000 2222",
        "is_gig_worker": "on",
        "gig_occupation": "courier",
        "gig_platform": "顺丰",
    }

    response = client_for(officer).post("/console/members/new/", data)

    member = Member.objects.get(org=tree.acme)
    assert response.status_code == 302
    assert response["Location"] == f"/console/members/{member.pk}/"
    assert (member.birth_date, member.sex, member.is_female_worker) == (date(1992, 7, 9), "female", True)
    assert (member.mobile, member.joined_on) == ("13800002222", timezone.localdate())
    assert (member.is_gig_worker, member.gig_occupation, member.gig_platform) == (True, "courier", "顺丰")
    event = MemberEvent.objects.get(member=member)
    assert (event.kind, event.actor, event.note) == (MemberEventKind.JOINED, officer, "由工会干部添加")


def test_a_person_active_elsewhere_is_refused_with_the_union_named(tree: Tree, member: Member) -> None:
    data = {"org": tree.beta.code, "name": "张伟明", "id_number": ID_NUMBER}

    response = client_for(_admin(tree)).post("/console/members/new/", data)

    assert response.status_code == 422
    assert "东区甲公司工会" in response.content.decode()
    assert not Member.objects.filter(org=tree.beta).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "330203199001011234"}, "id_number"),  # wrong check digit
        ({"org": "W-G"}, "org"),  # outside the scope: as for a code that does not exist
        ({"org": "E-T"}, "org"),  # a federation holds no members
        ({"name": ""}, "name"),
        ({"joined_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "joined_on"),
    ],
)
def test_adding_bad_input_is_refused_and_writes_nothing(
    tree: Tree, changes: dict[str, str], field: str
) -> None:
    data = {"org": tree.acme.code, "name": "李芳", "id_number": WOMAN_ID, **changes}

    response = client_for(_admin(tree)).post("/console/members/new/", data)

    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Member.objects.exists()


def test_the_service_refuses_an_actor_outside_the_union(tree: Tree) -> None:
    outsider = officer_at(tree.west, "west.admin")

    with pytest.raises(ValidationFailed) as refused:
        add_one_member(OneMember(name="李芳", id_number=WOMAN_ID), org=tree.acme, actor=outsider)

    assert "org" in refused.value.fields
    assert not Member.objects.exists()


def test_an_officer_who_may_only_view_cannot_add(tree: Tree) -> None:
    viewer = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    client: Client = client_for(viewer)

    assert client.get("/console/members/new/").status_code == 404
    with pytest.raises(Forbidden):
        add_one_member(OneMember(name="李芳", id_number=WOMAN_ID), org=tree.acme, actor=viewer)
