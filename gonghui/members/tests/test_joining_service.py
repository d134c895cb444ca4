"""Online joining, the services: where an application goes, what is refused and why, and what
approving, rejecting and withdrawing write (membership, history, audit, texts)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from gonghui.accounts.models import User, VerificationPurpose
from gonghui.accounts.services import open_member_account
from gonghui.accounts.tests.factories import make_member
from gonghui.accounts.verification import check_verification_code, send_verification_code
from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.idnumbers import make_id_number, parse_id_number
from gonghui.core.models import AuditEvent
from gonghui.core.sms import outbox_messages
from gonghui.members.models import (
    GigOccupation,
    JoinApplication,
    JoinRoute,
    JoinStatus,
    Member,
    MemberEvent,
    MemberEventKind,
    MemberStatus,
)
from gonghui.members.services import joining, registry
from gonghui.members.services.joining import JoinDraft
from gonghui.members.tests.factories import make_join_application, next_id_number
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.tests.factories import Tree, add_org, make_workplace, officer_at

pytestmark = pytest.mark.django_db

MOBILE = "13700001111"
RIDER = GigOccupation.DELIVERY_RIDER


@pytest.fixture
def riders(tree: Tree) -> Org:
    """The east district's riders' industry union, with the east district's routes: riders go
    to it, everyone else of 东湖街道 to the community joint union."""
    union = add_org(tree.east, "E-R", "东区快递外卖行业工会", OrgKind.INDUSTRY_UNION)
    JoinRoute.objects.create(district="东区", occupation=RIDER, org=union)
    JoinRoute.objects.create(district="东区", township="东湖街道", org=tree.joint)
    return union


@pytest.fixture
def applicant() -> User:
    return make_member(MOBILE, display_name="张骑手")


def rider_draft(**changes: object) -> JoinDraft:
    draft = JoinDraft(
        name="张骑手",
        id_number=parse_id_number(make_id_number("330203", date(1995, 3, 8), 11, "male")),
        no_fixed_employer=True,
        gig_occupation=RIDER,
        gig_platform="美团",
        home_district="东区",
        home_township="东湖街道",
    )
    return replace(draft, **changes)  # type: ignore[arg-type]


def fields_of(error: ValidationFailed) -> dict[str, list[str]]:
    return {field: [str(text) for text in texts] for field, texts in error.fields.items()}


# --- submitting ---------------------------------------------------------------------------------


def test_a_rider_without_an_employer_goes_to_the_riders_union_and_is_texted(
    riders: Org, applicant: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        application = joining.submit_join_application(rider_draft(), actor=applicant)

    assert application.org == riders
    assert application.status == JoinStatus.SUBMITTED
    assert (application.is_gig_worker, application.gig_occupation, application.gig_platform) == (
        True,
        RIDER,
        "美团",
    )
    assert application.mobile == MOBILE
    assert application.birth_date == date(1995, 3, 8)
    assert application.sex == "male"
    assert application.applicant == applicant
    assert list(application.history.values_list("from_status", "to_status")) == [("", "submitted")]
    event = AuditEvent.objects.get(action="members.submit_join_application")
    assert event.changes["org"] == [None, riders.pk]
    assert "330203" not in str(event.changes)
    assert MOBILE not in str(event.changes)
    assert outbox_messages(MOBILE) == [
        "【工会 Gonghui】我们已收到您加入东区快递外卖行业工会的申请。审批后将短信通知您，"
        "您也可以在会员服务平台查看进度。"
    ]


def test_routing_by_employer_township_and_district(tree: Tree, riders: Org) -> None:
    covered = make_workplace(tree.town, tree.acme, name="东区甲公司")
    uncovered = make_workplace(tree.town, None, name="东湖小店")
    JoinRoute.objects.create(district="东区", org=tree.east)

    assert joining.union_for_draft(rider_draft(no_fixed_employer=False, workplace=covered)) == tree.acme
    assert joining.union_for_draft(rider_draft(no_fixed_employer=False, workplace=uncovered)) == tree.town
    # Not a rider: the township's joint union; another township: the district's own route.
    assert joining.union_for_draft(rider_draft(gig_occupation=GigOccupation.COURIER)) == tree.joint
    office_worker = rider_draft(no_fixed_employer=False, employer_name="某咨询工作室", home_township="别处")
    assert joining.union_for_draft(office_worker) == tree.east
    assert joining.union_for_draft(rider_draft(home_district="西区")) is None


def test_the_application_goes_to_the_union_with_jurisdiction_never_to_the_employer(
    tree: Tree, applicant: User
) -> None:
    workplace = make_workplace(tree.town, None, name="东湖小店")
    draft = rider_draft(no_fixed_employer=False, workplace=workplace, home_district="", home_township="")
    application = joining.submit_join_application(draft, actor=applicant)
    assert application.org == tree.town
    assert application.workplace == workplace
    assert not application.is_gig_worker


def test_no_route_says_whom_to_contact_and_files_nothing(tree: Tree, applicant: User) -> None:
    Org.objects.filter(pk=tree.west.pk).update(district="西区", contact_phone="0574-87000000")

    with pytest.raises(ValidationFailed) as caught:
        joining.submit_join_application(rider_draft(home_district="西区", home_township=""), actor=applicant)

    assert caught.value.code == "no_route"
    expected = (
        "西区暂无受理网上入会的工会。请联系西区总工会（电话 0574-87000000），或拨打职工服务热线 12351。"
    )
    assert str(caught.value.message) == expected
    assert fields_of(caught.value) == {"home_district": [expected]}
    assert not JoinApplication.objects.exists()


def test_an_employer_the_registry_cannot_place_is_explained(applicant: User, tree: Tree) -> None:
    nowhere = make_workplace(None, None, name="无主单位")
    with pytest.raises(ValidationFailed) as caught:
        joining.submit_join_application(
            rider_draft(no_fixed_employer=False, workplace=nowhere), actor=applicant
        )
    assert "系统中暂未登记无主单位所属的工会" in caught.value.message
    assert list(caught.value.fields) == ["employer"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "请填写与身份证一致的姓名。"),
        ({"name": "张" * 61}, "name", "请不要超过 60 个字。"),
        (
            {
                "id_number": parse_id_number(
                    make_id_number("330203", date.today() - timedelta(days=365 * 15), 11, "male")
                )
            },
            "id_number",
            "年满 16 周岁的职工才能入会。",
        ),
        (
            {"no_fixed_employer": False},
            "employer",
            "请从列表中选择单位、填写单位名称，或选择无固定单位。",
        ),
        ({"employer_name": "某公司"}, "employer", "请从列表中选择单位、填写单位名称，或选择无固定单位。"),
        ({"gig_occupation": "astronaut"}, "gig_occupation", "请选择您从事的平台工作类型。"),
        ({"home_district": ""}, "home_district", "请选择您居住或工作的区县。"),
        ({"gig_platform": "平" * 41}, "gig_platform", "请不要超过 40 个字。"),
        ({"home_address": "路" * 201}, "home_address", "请不要超过 200 个字。"),
    ],
)
def test_each_invalid_field_is_named_in_chinese_and_nothing_is_filed(
    riders: Org, applicant: User, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        joining.submit_join_application(rider_draft(**changes), actor=applicant)
    assert fields_of(caught.value)[field] == [message]
    assert not JoinApplication.objects.exists()


def test_text_is_normalised_before_it_is_stored(riders: Org, applicant: User) -> None:
    application = joining.submit_join_application(
        rider_draft(name=" 张　骑手 ", gig_platform="  美团  ", home_address="东湖路 １号"), actor=applicant
    )
    assert application.name == "张骑手"
    assert application.gig_platform == "美团"
    assert application.home_address == "东湖路 1号"


def test_a_second_open_application_for_the_same_id_is_refused(riders: Org, applicant: User) -> None:
    joining.submit_join_application(rider_draft(), actor=applicant)
    other = make_member("13700002222")
    with pytest.raises(Conflict) as caught:
        joining.submit_join_application(rider_draft(), actor=other)
    assert caught.value.code == "application_open"
    assert caught.value.message == (
        "该身份证号已有一份待审批的入会申请。请用提交申请时的手机号登录查看进度。"
    )
    assert JoinApplication.objects.count() == 1


def test_after_a_rejection_the_person_may_apply_again(riders: Org, applicant: User, tree: Tree) -> None:
    first = joining.submit_join_application(rider_draft(), actor=applicant)
    joining.reject_join_application(first, actor=officer_at(tree.east, "east.admin"), reason="信息不全")
    second = joining.submit_join_application(rider_draft(), actor=applicant)
    assert second.status == JoinStatus.SUBMITTED
    assert second.pk != first.pk


def test_an_id_active_elsewhere_is_refused_with_the_membership_for_a_transfer(
    riders: Org, applicant: User, tree: Tree
) -> None:
    draft = rider_draft()
    Member.objects.create(
        **registry.member_values(registry.NewMember(name="张骑手", id_number=draft.id_number, org=tree.gamma))
    )
    with pytest.raises(registry.ActiveElsewhere) as caught:
        joining.submit_join_application(draft, actor=applicant)
    assert caught.value.code == "active_elsewhere"
    assert caught.value.member.org == tree.gamma
    assert "西区丙公司工会" in caught.value.message
    assert not JoinApplication.objects.exists()


def test_only_a_member_account_may_apply(riders: Org, tree: Tree) -> None:
    with pytest.raises(Forbidden):
        joining.submit_join_application(rider_draft(), actor=officer_at(tree.east, "east.admin"))


# --- the applicant's account --------------------------------------------------------------------


def test_a_proved_mobile_number_opens_an_account_and_spends_the_code() -> None:
    send_verification_code(MOBILE, purpose=VerificationPurpose.JOIN)
    proof = check_verification_code(MOBILE, texted_code(), purpose=VerificationPurpose.JOIN)

    user = open_member_account(mobile=MOBILE, password="Rider-2026-ok", display_name="张骑手", proof=proof)

    assert user.is_member
    assert user.mobile == MOBILE
    assert user.check_password("Rider-2026-ok")
    with pytest.raises(ValidationFailed):
        proof.spend()  # spent: the same code cannot open a second account
    assert AuditEvent.objects.filter(action="accounts.open_member_account", actor=user).exists()


def test_an_existing_account_or_a_weak_password_is_refused_and_the_code_kept() -> None:
    send_verification_code(MOBILE, purpose=VerificationPurpose.JOIN)
    proof = check_verification_code(MOBILE, texted_code(), purpose=VerificationPurpose.JOIN)

    with pytest.raises(ValidationFailed) as weak:
        open_member_account(mobile=MOBILE, password="12345678", display_name="张", proof=proof)
    assert "password" in weak.value.fields
    make_member(MOBILE)
    with pytest.raises(Conflict) as exists:
        open_member_account(mobile=MOBILE, password="Rider-2026-ok", display_name="张", proof=proof)
    assert exists.value.code == "account_exists"
    assert exists.value.message == "该手机号已注册账号，请登录后继续。"
    proof.spend()  # still unspent after both refusals


def texted_code() -> str:
    """The six-digit code in the latest text to MOBILE."""
    match = re.search(r"\d{6}", outbox_messages(MOBILE)[0])
    assert match is not None
    return match.group()


# --- deciding -----------------------------------------------------------------------------------


def test_approval_opens_the_membership_with_its_history_audit_and_a_text(
    riders: Org, applicant: User, tree: Tree, django_capture_on_commit_callbacks
) -> None:
    application = joining.submit_join_application(rider_draft(), actor=applicant)
    officer = officer_at(tree.east, "east.admin")

    with django_capture_on_commit_callbacks(execute=True):
        joining.approve_join_application(application, actor=officer, comment="欢迎入会")

    application.refresh_from_db()
    member = Member.objects.get()
    assert application.status == JoinStatus.APPROVED
    assert application.member == member
    assert application.decided_at is not None
    assert (member.org, member.status, member.user) == (riders, MemberStatus.ACTIVE, applicant)
    assert (member.is_gig_worker, member.gig_occupation, member.gig_platform) == (True, RIDER, "美团")
    assert member.mobile == MOBILE
    assert member.joined_on == timezone.localdate()
    event = MemberEvent.objects.get(member=member)
    assert event.kind == MemberEventKind.JOINED
    assert event.note == f"网上入会，申请编号 {application.pk}"
    audit = AuditEvent.objects.get(action="members.approve_join_application")
    assert audit.changes == {"status": ["submitted", "approved"], "member": [None, member.pk]}
    assert audit.actor == officer
    assert audit.note == "欢迎入会"
    assert list(application.history.order_by("id").values_list("to_status", "comment")) == [
        ("submitted", ""),
        ("approved", "欢迎入会"),
    ]
    assert outbox_messages(MOBILE)[0] == (
        "【工会 Gonghui】欢迎！您加入东区快递外卖行业工会的申请已通过。电子会员卡可在会员服务平台查看。"
    )


def test_an_application_to_a_federation_is_placed_in_a_union_under_it(tree: Tree, applicant: User) -> None:
    application = make_join_application(tree.town, id_number=next_id_number(), applicant=applicant)
    officer = officer_at(tree.town, "town.admin")

    with pytest.raises(ValidationFailed) as caught:
        joining.approve_join_application(application, actor=officer)
    assert list(caught.value.fields) == ["org"]
    assert "东湖街道总工会" in caught.value.message
    with pytest.raises(ValidationFailed, match="请选择您管辖范围内、东湖街道总工会下属的工会"):
        joining.approve_join_application(application, actor=officer, org=tree.gamma)

    joining.approve_join_application(application, actor=officer, org=tree.joint)
    assert Member.objects.get().org == tree.joint


def test_officers_outside_the_union_cannot_see_or_decide(riders: Org, applicant: User, tree: Tree) -> None:
    application = joining.submit_join_application(rider_draft(), actor=applicant)
    west = officer_at(tree.west, "west.admin")
    with pytest.raises(Http404):
        joining.approve_join_application(application, actor=west)
    with pytest.raises(Http404):
        joining.reject_join_application(application, actor=west, reason="不符合条件")
    application.refresh_from_db()
    assert application.status == JoinStatus.SUBMITTED


def test_approval_is_refused_when_the_person_became_a_member_elsewhere_meanwhile(
    riders: Org, applicant: User, tree: Tree
) -> None:
    draft = rider_draft()
    application = joining.submit_join_application(draft, actor=applicant)
    Member.objects.create(
        **registry.member_values(registry.NewMember(name="张骑手", id_number=draft.id_number, org=tree.beta))
    )
    with pytest.raises(registry.ActiveElsewhere):
        joining.approve_join_application(application, actor=officer_at(tree.east, "east.admin"))
    application.refresh_from_db()
    assert application.status == JoinStatus.SUBMITTED


def test_rejection_needs_a_reason_which_the_applicant_is_texted(
    riders: Org, applicant: User, tree: Tree, django_capture_on_commit_callbacks
) -> None:
    application = joining.submit_join_application(rider_draft(), actor=applicant)
    officer = officer_at(tree.east, "east.admin")

    with pytest.raises(ValidationFailed) as caught:
        joining.reject_join_application(application, actor=officer, reason="   ")
    assert fields_of(caught.value) == {"reason": ["请填写驳回理由：申请人会收到该理由。"]}

    with django_capture_on_commit_callbacks(execute=True):
        joining.reject_join_application(application, actor=officer, reason="不在本区工作。")

    application.refresh_from_db()
    assert (application.status, application.reject_reason) == (JoinStatus.REJECTED, "不在本区工作。")
    assert not Member.objects.exists()
    assert AuditEvent.objects.get(action="members.reject_join_application").note == "不在本区工作。"
    assert outbox_messages(MOBILE)[0] == (
        "【工会 Gonghui】您加入东区快递外卖行业工会的申请未获通过。理由：不在本区工作。"
        "如有疑问，请联系东区快递外卖行业工会。"
    )


def test_a_decided_application_cannot_be_decided_again(riders: Org, applicant: User, tree: Tree) -> None:
    application = joining.submit_join_application(rider_draft(), actor=applicant)
    officer = officer_at(tree.east, "east.admin")
    joining.reject_join_application(application, actor=officer, reason="信息不全")
    with pytest.raises(InvalidTransition):
        joining.approve_join_application(application, actor=officer)
    with pytest.raises(InvalidTransition):
        joining.withdraw_join_application(application, actor=applicant)
    assert not Member.objects.exists()


def test_the_applicant_alone_may_withdraw(riders: Org, applicant: User, tree: Tree) -> None:
    application = joining.submit_join_application(rider_draft(), actor=applicant)
    with pytest.raises(NotFound):
        joining.withdraw_join_application(application, actor=make_member("13700003333"))
    with pytest.raises(NotFound):
        joining.withdraw_join_application(application, actor=officer_at(tree.east, "east.admin"))

    joining.withdraw_join_application(application, actor=applicant)

    application.refresh_from_db()
    assert application.status == JoinStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="members.withdraw_join_application", actor=applicant).exists()


# --- the overdue list ---------------------------------------------------------------------------


def _opened_days_ago(org: Org, days: int) -> JoinApplication:
    application = make_join_application(org)
    JoinApplication.objects.filter(pk=application.pk).update(created_at=timezone.now() - timedelta(days=days))
    return application


def test_the_overdue_list_shows_open_applications_older_than_15_days_to_the_orgs_above(tree: Tree) -> None:
    late = _opened_days_ago(tree.acme, 16)
    _opened_days_ago(tree.acme, 14)
    decided = _opened_days_ago(tree.acme, 30)
    JoinApplication.objects.filter(pk=decided.pk).update(status=JoinStatus.REJECTED)
    elsewhere = _opened_days_ago(tree.gamma, 20)

    def overdue_for(org: Org) -> list[int]:
        return [a.pk for a in joining.overdue_applications(officer_at(org, f"officer.{org.code.lower()}"))]

    assert overdue_for(tree.east) == [late.pk]
    assert overdue_for(tree.town) == [late.pk]
    assert overdue_for(tree.city) == [elsewhere.pk, late.pk]
    assert overdue_for(tree.west) == [elsewhere.pk]
    assert overdue_for(tree.beta) == []
