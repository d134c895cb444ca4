"""Services of consultations, legal aid submission with the eligibility check, messages,
documents and lawyers: what they write, where a case goes, deadlines from gonghui.workdays, and
that bad input is refused with field errors and nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.tests.factories import make_member
from gonghui.assistance.tests.factories import make_threshold
from gonghui.assistance.tests.factories_funds import make_file_on_record
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.legal.models import (
    AidStatus,
    Author,
    Channel,
    ConsultationMessage,
    ConsultationStatus,
    Lawyer,
    LegalAid,
    LegalConsultation,
)
from gonghui.legal.services import aid as aid_services
from gonghui.legal.services import consultations as services
from gonghui.legal.services import lawyers as lawyer_services
from gonghui.legal.tests.endpoints.common import PDF
from gonghui.legal.tests.factories import make_aid, make_consultation, make_lawyer, make_member_with_account
from gonghui.members.models import MemberStatus
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, officer_at
from gonghui.workdays.deadlines import due_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(tree: Tree) -> Any:
    return officer_at(tree.east, "east.handler", Role.CASE_HANDLER)


def _log(org: Any, **fields: Any) -> services.LogInput:
    values: dict[str, Any] = {
        "org_id": org.pk,
        "channel": Channel.HOTLINE,
        "topic": "wages",
        "question": "公司拖欠工资怎么办？",
        "asker_name": "王芳",
        "asker_mobile": "139 1234 5678",
        **fields,
    }
    return services.LogInput(**values)


# --- consultations -----------------------------------------------------------------------------


def test_logging_a_hotline_question_puts_it_in_the_queue(tree: Tree, handler: Any) -> None:
    consultation = services.log_consultation(actor=handler, data=_log(tree.acme, asked_on=date(2026, 9, 30)))
    assert consultation.status == ConsultationStatus.AWAITING
    assert consultation.asker_mobile == "13912345678"
    # 3 working days from 30 September 2026: the National Day holiday (1–7 October) is skipped and
    # Saturday 10 October is a make-up working day.
    assert consultation.answer_due == due_date("legal.consultation_answer", date(2026, 9, 30))
    assert consultation.answer_due == date(2026, 10, 10)
    event = AuditEvent.objects.get(action="legal.log_consultation", object_id=str(consultation.pk))
    assert event.changes["asker_mobile"] == [None, "139****5678"]


def test_a_question_answered_at_the_desk_is_recorded_as_answered_by_the_lawyer_on_duty(
    tree: Tree, handler: Any
) -> None:
    lawyer = make_lawyer(tree.east)
    consultation = services.log_consultation(
        actor=handler,
        data=_log(tree.acme, channel=Channel.WALK_IN, answer="可以申请劳动仲裁。", lawyer_id=lawyer.pk),
    )
    assert consultation.status == ConsultationStatus.ANSWERED
    message = consultation.messages.get()
    assert (message.author, message.lawyer_id, message.text) == (
        Author.LAWYER,
        lawyer.pk,
        "可以申请劳动仲裁。",
    )


def test_logging_refuses_bad_input_all_at_once(tree: Tree, handler: Any) -> None:
    tomorrow = timezone.localdate().replace(year=timezone.localdate().year + 1)
    with pytest.raises(ValidationFailed) as caught:
        services.log_consultation(
            actor=handler,
            data=_log(
                tree.acme,
                channel=Channel.ONLINE,
                topic="tax",
                question=" ",
                asker_mobile="123",
                asked_on=tomorrow,
            ),
        )
    assert set(caught.value.fields) == {"channel", "topic", "question", "asker_mobile", "asked_on"}
    assert not LegalConsultation.objects.exists()


def test_logging_outside_ones_scope_is_like_no_union(tree: Tree) -> None:
    west = officer_at(tree.west, "west.handler", Role.CASE_HANDLER)
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    for actor in (west, auditor):
        with pytest.raises(NotFound):
            services.log_consultation(actor=actor, data=_log(tree.acme))
    assert not LegalConsultation.objects.exists()


def test_a_member_asks_online_and_it_goes_to_their_union(tree: Tree) -> None:
    member, user = make_member_with_account(tree.acme)
    consultation = services.ask_online(actor=user, topic="dismissal", question="被辞退有补偿吗？")
    assert (consultation.org_id, consultation.member_id, consultation.channel) == (
        tree.acme.pk,
        member.pk,
        Channel.ONLINE,
    )
    assert consultation.asker_mobile == user.mobile
    assert consultation.asker_name == member.name


def test_a_worker_without_membership_asks_the_city_federation(tree: Tree) -> None:
    user = make_member("13700001111")
    consultation = services.ask_online(actor=user, topic="other", question="怎么查社保？")
    assert (consultation.org_id, consultation.member_id) == (tree.city.pk, None)


def test_asking_online_has_a_limit_of_open_questions(tree: Tree) -> None:
    user = make_member("13700001112")
    for _ in range(services.MAX_OPEN_PER_ASKER):
        services.ask_online(actor=user, topic="wages", question="问题")
    with pytest.raises(Conflict) as caught:
        services.ask_online(actor=user, topic="wages", question="问题")
    assert caught.value.code == "too_many_open"


def test_the_handler_answers_and_the_worker_follows_up(tree: Tree, handler: Any) -> None:
    _, user = make_member_with_account(tree.acme)
    consultation = services.ask_online(actor=user, topic="wages", question="加班费怎么算？")
    services.answer_consultation(consultation.pk, actor=handler, text="工作日加班按150%支付。")
    assert LegalConsultation.objects.get(pk=consultation.pk).status == ConsultationStatus.ANSWERED
    services.follow_up(consultation.pk, actor=user, text="周末呢？")
    found = LegalConsultation.objects.get(pk=consultation.pk)
    assert found.status == ConsultationStatus.AWAITING
    assert found.answer_due == due_date("legal.consultation_answer", timezone.localdate())
    assert [m.author for m in found.messages.all()] == [Author.OFFICER, Author.ASKER]


def test_only_the_asker_follows_up(tree: Tree) -> None:
    _, user = make_member_with_account(tree.acme)
    _, other = make_member_with_account(tree.acme)
    consultation = services.ask_online(actor=user, topic="wages", question="问题")
    with pytest.raises(NotFound):
        services.follow_up(consultation.pk, actor=other, text="我也想问")
    logged = make_consultation(tree.acme)
    with pytest.raises(NotFound):
        services.follow_up(logged.pk, actor=user, text="？")
    assert not ConsultationMessage.objects.exists()


def test_referral_to_a_lawyer_who_then_answers(tree: Tree, handler: Any) -> None:
    consultation = make_consultation(tree.acme)
    lawyer = make_lawyer(tree.east)
    with pytest.raises(NotFound):
        services.answer_consultation(consultation.pk, actor=lawyer.user, text="答复")
    services.refer_to_lawyer(consultation.pk, actor=handler, lawyer_id=lawyer.pk)
    services.answer_consultation(consultation.pk, actor=lawyer.user, text="建议先协商。")
    message = ConsultationMessage.objects.get(consultation=consultation)
    assert (message.author, message.lawyer_id) == (Author.LAWYER, lawyer.pk)


def test_referral_only_to_a_lawyer_serving_the_union(tree: Tree, handler: Any) -> None:
    consultation = make_consultation(tree.acme)
    west_lawyer = make_lawyer(tree.west)
    with pytest.raises(ValidationFailed):
        services.refer_to_lawyer(consultation.pk, actor=handler, lawyer_id=west_lawyer.pk)
    assert LegalConsultation.objects.get(pk=consultation.pk).lawyer_id is None


def test_a_viewer_may_not_answer(tree: Tree) -> None:
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    consultation = make_consultation(tree.acme)
    with pytest.raises(Forbidden):
        services.answer_consultation(consultation.pk, actor=auditor, text="答复")
    with pytest.raises(ValidationFailed):
        services.answer_consultation(
            consultation.pk, actor=officer_at(tree.east, "east.second", Role.CASE_HANDLER), text=""
        )


# --- legal aid submission and eligibility ------------------------------------------------------


def _aid_input(**fields: Any) -> aid_services.AidInput:
    values: dict[str, Any] = {
        "matter_type": "wages",
        "description": "公司拖欠三个月工资",
        "employer_name": "某建筑公司",
        "amount_at_stake": "15000",
        **fields,
    }
    return aid_services.AidInput(**values)


def test_an_active_member_is_eligible(tree: Tree) -> None:
    _, user = make_member_with_account(tree.acme)
    aid = aid_services.apply_online(actor=user, data=_aid_input(), documents=[("合同.pdf", PDF)])
    assert (
        aid.is_eligible,
        aid.eligible_as_member,
        aid.eligible_by_income,
        aid.eligible_by_hardship_file,
    ) == (
        True,
        True,
        False,
        False,
    )
    assert aid.org_id == tree.acme.pk
    assert aid.amount_at_stake == Decimal("15000.00")
    assert aid.review_due == due_date("legal.aid_review", aid.submitted_on)
    assert aid.documents.count() == 1
    assert aid.history.get().to_status == AidStatus.SUBMITTED


def test_a_worker_under_the_income_threshold_is_eligible(tree: Tree) -> None:
    make_threshold(tree.east, year=timezone.localdate().year, amount="1200.00")
    user = make_member("13700002222")
    aid = aid_services.apply_online(
        actor=user, data=_aid_input(household_size=3, household_monthly_income="3500")
    )
    # 3500 / 3 = 1166.67 a person, under 1200; the case goes to the city (no membership), whose
    # own threshold is missing, so the east district's does not apply: not eligible by income.
    assert aid.org_id == tree.city.pk
    assert (aid.per_capita_income, aid.threshold, aid.is_eligible) == (Decimal("1166.67"), None, False)
    make_threshold(tree.city, year=timezone.localdate().year, amount="1200.00")
    aid = aid_services.apply_online(
        actor=user, data=_aid_input(household_size=3, household_monthly_income="3500")
    )
    assert (aid.eligible_by_income, aid.threshold, aid.is_eligible) == (True, Decimal("1200.00"), True)


def test_income_at_the_threshold_is_not_under_it(tree: Tree) -> None:
    make_threshold(tree.city, year=timezone.localdate().year, amount="1200.00")
    user = make_member("13700003333")
    aid = aid_services.apply_online(
        actor=user, data=_aid_input(household_size=2, household_monthly_income="2400")
    )
    assert (aid.per_capita_income, aid.eligible_by_income, aid.is_eligible) == (
        Decimal("1200.00"),
        False,
        False,
    )


def test_a_household_on_a_hardship_file_is_eligible_even_when_the_membership_ended(
    tree: Tree, handler: Any
) -> None:
    member, user = make_member_with_account(tree.acme)
    make_file_on_record(member)
    member.status = MemberStatus.LEFT
    member.save()
    aid = aid_services.enter_application(
        actor=handler, org_id=tree.acme.pk, member_id=member.pk, data=_aid_input(applicant_name="")
    )
    assert (aid.eligible_as_member, aid.eligible_by_hardship_file, aid.is_eligible) == (False, True, True)
    assert aid.applicant_id == user.pk
    assert aid.applicant_name == member.name


def test_submission_refuses_bad_input_and_writes_nothing(tree: Tree) -> None:
    user = make_member("13700004444")
    with pytest.raises(ValidationFailed) as caught:
        aid_services.apply_online(
            actor=user,
            data=_aid_input(
                matter_type="tax",
                description="",
                employer_name="",
                amount_at_stake="12.345",
                household_size=3,
                household_monthly_income="",
                applicant_mobile="12",
            ),
        )
    assert set(caught.value.fields) == {
        "matter_type",
        "description",
        "employer_name",
        "amount_at_stake",
        "household_monthly_income",
        "applicant_mobile",
    }
    assert not LegalAid.objects.exists()


def test_a_bad_document_refuses_the_whole_application(tree: Tree) -> None:
    _, user = make_member_with_account(tree.acme)
    with pytest.raises(ValidationFailed):
        aid_services.apply_online(actor=user, data=_aid_input(), documents=[("virus.exe", b"MZ\x90\x00")])
    assert not LegalAid.objects.exists()


def test_messages_between_the_applicant_the_handler_and_the_lawyer(tree: Tree, handler: Any) -> None:
    _, user = make_member_with_account(tree.acme)
    lawyer = make_lawyer(tree.east)
    aid = make_aid(tree.acme, status=AidStatus.ASSIGNED, applicant=user, lawyer=lawyer)
    aid_services.post_message(aid.pk, actor=handler, text="已为您指派律师。")
    aid_services.post_message(aid.pk, actor=lawyer.user, text="请带上劳动合同。")
    aid_services.post_message(aid.pk, actor=user, text="好的。")
    assert [m.author for m in aid.messages.all()] == [Author.OFFICER, Author.LAWYER, Author.ASKER]
    with pytest.raises(NotFound):
        aid_services.post_message(aid.pk, actor=make_lawyer(tree.east).user, text="？")
    with pytest.raises(Forbidden):
        aid_services.post_message(
            aid.pk, actor=officer_at(tree.east, "east.auditor", Role.AUDITOR), text="？"
        )
    with pytest.raises(ValidationFailed):
        aid_services.post_message(aid.pk, actor=user, text="  ")


def test_no_messages_or_documents_on_a_closed_case(tree: Tree, handler: Any) -> None:
    aid = make_aid(tree.acme, status=AidStatus.CLOSED)
    with pytest.raises(Conflict):
        aid_services.post_message(aid.pk, actor=handler, text="补充")
    with pytest.raises(Conflict):
        aid_services.add_documents(aid.pk, actor=handler, documents=[("a.pdf", PDF)])


# --- lawyers -----------------------------------------------------------------------------------


def _lawyer_input(**fields: Any) -> lawyer_services.LawyerInput:
    values = {
        "name": "陈 律师",
        "law_firm": "明正律师事务所",
        "licence_number": "1330 2201 0100 00001",
        "practice_areas": "劳动争议",
        **fields,
    }
    return lawyer_services.LawyerInput(**values)


def test_registering_a_lawyer_and_opening_the_sign_in(tree: Tree, handler: Any) -> None:
    lawyer = lawyer_services.register_lawyer(actor=handler, org_id=tree.east.pk, data=_lawyer_input())
    assert lawyer.licence_number == "13302201010000001"
    with pytest.raises(ValidationFailed) as caught:
        lawyer_services.register_lawyer(actor=handler, org_id=tree.east.pk, data=_lawyer_input(name=""))
    assert set(caught.value.fields) == {"name", "licence_number"}
    lawyer_services.open_lawyer_account(
        lawyer.pk, actor=handler, username="chen.lawyer", password="Quiet-harbour-2026"
    )
    lawyer = Lawyer.objects.get(pk=lawyer.pk)
    assert lawyer.user is not None
    assert lawyer.user.is_officer
    assert not lawyer.user.role_grants.exists()
    with pytest.raises(Conflict):
        lawyer_services.open_lawyer_account(
            lawyer.pk, actor=handler, username="x.lawyer", password="Quiet-2026-x"
        )


def test_switching_a_lawyer_off_stops_the_sign_in(tree: Tree, handler: Any) -> None:
    lawyer = make_lawyer(tree.east)
    assert lawyer_services.deactivate_lawyer(lawyer.pk, actor=handler) is True
    assert lawyer_services.deactivate_lawyer(lawyer.pk, actor=handler) is False
    lawyer = Lawyer.objects.select_related("user").get(pk=lawyer.pk)
    assert lawyer.user is not None
    assert not lawyer.user.is_active
    assert not lawyer.is_active


def test_a_viewer_may_not_change_a_lawyer(tree: Tree) -> None:
    lawyer = make_lawyer(tree.east)
    with pytest.raises(Forbidden):
        lawyer_services.change_lawyer(
            lawyer.pk, actor=officer_at(tree.east, "east.auditor", Role.AUDITOR), data=_lawyer_input()
        )
    with pytest.raises(NotFound):
        lawyer_services.change_lawyer(
            lawyer.pk, actor=officer_at(tree.west, "west.handler", Role.CASE_HANDLER), data=_lawyer_input()
        )
