"""Founding notices (告知书): numbering, what the letter says, who may issue it, delivery."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from gonghui.core.errors import Conflict, InvalidTransition, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.founding import services
from gonghui.founding.models import DeliveryMethod, FoundingNotice, NoticeStatus
from gonghui.founding.tests.factories import add_workplace, issue, make_city, officer_at
from gonghui.orgs.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return make_city()


@pytest.fixture
def admin(city):
    return officer_at(city.district, "district.admin")


def test_given_a_workplace_without_a_union_when_notices_are_issued_then_they_are_numbered_per_issuer_and_year(
    city, admin
):
    first = issue(add_workplace(city.joint, "甲公司"), city.district, admin)
    second = issue(add_workplace(city.joint, "乙公司"), city.district, admin)
    by_town = issue(add_workplace(city.joint, "丙公司"), city.town, admin)

    year = timezone.localdate().year
    assert (first.sequence, second.sequence, by_town.sequence) == (1, 2, 1)
    assert first.number == f"明州区总建告〔{year}〕1号"
    assert second.number == f"明州区总建告〔{year}〕2号"
    assert by_town.number == f"东湖建告〔{year}〕1号"


def test_the_notice_keeps_what_the_letter_said_when_it_was_issued(city, admin):
    workplace = add_workplace(city.joint, "明州甲机械有限公司", employees=120)
    notice = issue(workplace, city.district, admin)
    workplace.name = "明州甲机械集团有限公司"
    workplace.save()

    notice.refresh_from_db()
    assert notice.workplace_name == "明州甲机械有限公司"
    assert notice.credit_code == workplace.credit_code
    assert notice.issuer_name == "明州区总工会"
    assert notice.employee_count == 120
    assert notice.status == NoticeStatus.ISSUED
    assert "《中华人民共和国工会法》第十一条" in notice.legal_basis
    assert "贵单位现有职工120人，应当依法建立基层工会委员会。" in notice.legal_basis


def test_a_workplace_under_25_is_told_of_its_choices_rather_than_its_duty(city, admin):
    notice = issue(add_workplace(city.joint, "小商店", employees=12), city.district, admin)
    assert "贵单位现有职工12人，可以单独建立基层工会委员会" in notice.legal_basis
    assert "应当依法建立" not in notice.legal_basis


def test_issuing_is_audited_under_the_issuer(city, admin):
    notice = issue(add_workplace(city.joint, "甲公司"), city.district, admin)
    event = AuditEvent.objects.get(action="founding.issue_notice")
    assert event.object_id == str(notice.pk)
    assert event.org_path == city.district.path


def test_a_workplace_that_has_a_union_gets_no_notice(city, admin):
    workplace = add_workplace(city.joint, "甲公司", is_unionised=True, union=city.joint)
    with pytest.raises(Conflict, match="甲公司已建立工会"):
        issue(workplace, city.district, admin)
    assert not FoundingNotice.objects.exists()


def test_the_issuer_must_be_an_org_of_the_workplaces_area(city, admin):
    workplace = add_workplace(city.joint, "甲公司")
    root_admin = officer_at(city.city, "city.admin")
    with pytest.raises(ValidationFailed) as refused:
        issue(workplace, city.west, root_admin)
    assert refused.value.fields == {"issuing_org": ["请选择该单位所在区域的组织。"]}
    assert not FoundingNotice.objects.exists()


def test_an_officer_cannot_issue_through_an_org_above_their_own(city):
    town_officer = officer_at(city.town, "town.officer", Role.UNION_OFFICER)
    with pytest.raises(ValidationFailed) as refused:
        issue(add_workplace(city.joint, "甲公司"), city.district, town_officer)
    assert "issuing_org" in refused.value.fields


def test_a_workplace_outside_the_officers_area_is_not_found(city):
    west_admin = officer_at(city.west, "west.admin")
    with pytest.raises(Http404):
        issue(add_workplace(city.joint, "甲公司"), city.district, west_admin)
    assert not FoundingNotice.objects.exists()


def test_a_read_only_auditor_cannot_issue(city):
    auditor = officer_at(city.district, "auditor", Role.AUDITOR)
    with pytest.raises(Http404):
        issue(add_workplace(city.joint, "甲公司"), city.district, auditor)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"response_deadline": timezone.localdate()}, "response_deadline", "请填写今天以后的日期。"),
        ({"contact_name": "  "}, "contact_name", "请填写联系人姓名。"),
        (
            {"contact_phone": "87650001"},
            "contact_phone",
            "请输入手机号码，或带区号的固定电话，例如 0574-87654321。",
        ),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_issued(city, admin, change, field, message):
    fields = {
        "workplace": add_workplace(city.joint, "甲公司").pk,
        "issuing_org": city.district.pk,
        "response_deadline": timezone.localdate() + timedelta(days=30),
        "contact_name": "王芳",
        "contact_phone": "0574-87650001",
        **change,
    }
    with pytest.raises(ValidationFailed) as refused:
        services.issue_notice(actor=admin, **fields)
    assert refused.value.fields == {field: [message]}
    assert not FoundingNotice.objects.exists()


def test_contact_phones_are_kept_in_one_form():
    assert services.clean_contact_phone("138 0574 0001") == "13805740001"
    assert services.clean_contact_phone("０５７４－８７６５０００１") == "0574-87650001"


# --- delivery -------------------------------------------------------------------------------


def test_recording_the_delivery_marks_the_notice_delivered(city, admin):
    notice = issue(add_workplace(city.joint, "甲公司"), city.district, admin)
    today = timezone.localdate()
    services.record_delivery(
        notice, delivered_on=today, method=DeliveryMethod.IN_PERSON, recipient_name="赵 六", actor=admin
    )
    notice.refresh_from_db()
    assert (notice.status, notice.delivered_on, notice.delivery_method, notice.recipient_name) == (
        NoticeStatus.DELIVERED,
        today,
        DeliveryMethod.IN_PERSON,
        "赵六",
    )
    event = AuditEvent.objects.get(action="founding.record_delivery")
    assert event.changes["status"] == ["issued", "delivered"]


def test_a_delivery_is_recorded_once(city, admin):
    notice = issue(add_workplace(city.joint, "甲公司"), city.district, admin)
    today = timezone.localdate()
    services.record_delivery(
        notice, delivered_on=today, method=DeliveryMethod.EMAIL, recipient_name="赵六", actor=admin
    )
    with pytest.raises(InvalidTransition, match="送达情况已登记"):
        services.record_delivery(
            notice, delivered_on=today, method=DeliveryMethod.IN_PERSON, recipient_name="钱七", actor=admin
        )
    notice.refresh_from_db()
    assert (notice.delivery_method, notice.recipient_name) == (DeliveryMethod.EMAIL, "赵六")


@pytest.mark.parametrize(
    ("days", "method", "recipient", "field"),
    [
        (-1, DeliveryMethod.IN_PERSON, "赵六", "delivered_on"),
        (1, DeliveryMethod.IN_PERSON, "赵六", "delivered_on"),
        (0, "pigeon", "赵六", "delivery_method"),
        (0, DeliveryMethod.IN_PERSON, " ", "recipient_name"),
    ],
)
def test_a_bad_delivery_record_changes_nothing(city, admin, days, method, recipient, field):
    notice = issue(add_workplace(city.joint, "甲公司"), city.district, admin)
    with pytest.raises(ValidationFailed) as refused:
        services.record_delivery(
            notice,
            delivered_on=timezone.localdate() + timedelta(days=days),
            method=method,
            recipient_name=recipient,
            actor=admin,
        )
    assert set(refused.value.fields) == {field}
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED


def test_another_district_cannot_record_the_delivery(city, admin):
    notice = issue(add_workplace(city.joint, "甲公司"), city.district, admin)
    with pytest.raises(Http404):
        services.record_delivery(
            notice,
            delivered_on=timezone.localdate(),
            method=DeliveryMethod.IN_PERSON,
            recipient_name="赵六",
            actor=officer_at(city.west, "west.admin"),
        )


# --- numbering under concurrency (PostgreSQL row locks) --------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_officers_issuing_at_the_same_moment_get_distinct_numbers():
    city = make_city()
    admin = officer_at(city.district, "district.admin")
    workplaces = [add_workplace(city.joint, f"并发公司{i}") for i in range(6)]
    start = threading.Barrier(len(workplaces))
    errors: list[BaseException] = []

    def issue_one(index: int) -> None:
        try:
            start.wait()
            issue(workplaces[index], city.district, admin)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue_one, args=(i,)) for i in range(len(workplaces))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = sorted(FoundingNotice.objects.values_list("sequence", flat=True))
    assert sequences == [1, 2, 3, 4, 5, 6]
