"""Hardship files through their services: applying (figures, threshold, one file per family),
review, the yearly re-check, leaving the record and documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gonghui.assistance.models import (
    HARDSHIP_FILE_TRANSITIONS,
    Channel,
    HardshipFile,
    HardshipFileHistory,
    HardshipFileStatus,
    HardshipRecheck,
    HouseholdMember,
    Relation,
)
from gonghui.assistance.services import files as services
from gonghui.assistance.tests.factories import make_threshold
from gonghui.assistance.tests.factories_files import (
    PDF,
    application,
    household_id,
    make_file,
    make_member_with_account,
    person,
    png,
    self_row,
)
from gonghui.core.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from gonghui.core.idnumbers import mask_id_number
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import make_tree, officer_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Any:
    return make_tree()


def test_a_member_applies_for_their_household(tree: Any, english: Any) -> None:
    make_threshold(tree.city, year=timezone.localdate().year, amount="1500.00")
    town = make_threshold(tree.town, year=timezone.localdate().year, amount="1200.00")
    member, user = make_member_with_account(tree.acme)

    hardship_file = services.apply_for_hardship(
        actor=user,
        **application(
            member,
            person(income="0.00"),
            person(Relation.CHILD, name="王小雨", occupation="student"),
            other_monthly_income="500.00",
            causes=["illness", "education", "illness"],
            documents=[("诊断证明.png", png())],
        ),
    )

    assert hardship_file.status == HardshipFileStatus.APPLIED
    assert hardship_file.channel == Channel.MEMBER
    assert hardship_file.household_size == 3
    assert hardship_file.household_monthly_income == Decimal("2300.00")
    # 2300 / 3 = 766.666… → 766.67, half up
    assert hardship_file.per_capita_income == Decimal("766.67")
    assert hardship_file.threshold == town.monthly_per_capita
    assert hardship_file.threshold_org == tree.town
    assert hardship_file.below_threshold is True
    assert hardship_file.person_index == member.id_number_index
    assert sorted(hardship_file.causes.values_list("cause", flat=True)) == ["education", "illness"]
    rows = list(hardship_file.household.all())
    assert [row.relation for row in rows] == ["self", "spouse", "child"]
    assert all(row.active for row in rows)
    assert rows[0].id_number == member.id_number
    assert hardship_file.documents.count() == 1
    assert list(hardship_file.history.values_list("action", "to_status")) == [("apply", "applied")]
    event = AuditEvent.objects.get(action="assistance.apply_for_hardship")
    assert member.id_number not in str(event.changes)
    assert mask_id_number(member.id_number) in str(event.changes)


def test_per_capita_income_rounds_half_up_to_the_fen() -> None:
    figures = services.household_figures([Decimal("0.05"), Decimal("0.00")], Decimal("0.00"))
    assert figures.per_capita_income == Decimal("0.03")
    figures = services.household_figures([Decimal("1000.00")] * 3, Decimal("0.01"))
    assert figures.per_capita_income == Decimal("1000.00")
    assert figures.household_monthly_income == Decimal("3000.01")


def test_without_a_threshold_the_file_says_so(tree: Any) -> None:
    member, user = make_member_with_account(tree.gamma)
    hardship_file = services.apply_for_hardship(actor=user, **application(member))
    assert hardship_file.threshold is None
    assert hardship_file.below_threshold is None


def test_an_officer_applies_for_a_member_of_their_union(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    officer = officer_at(tree.town, "town.officer", Role.UNION_OFFICER)
    hardship_file = services.apply_for_hardship(actor=officer, member=member.pk, **application(member))
    assert hardship_file.channel == Channel.OFFICER
    assert hardship_file.submitted_by == officer


def test_an_officer_elsewhere_cannot_apply_for_the_member(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    officer = officer_at(tree.west, "west.officer")
    with pytest.raises(NotFound):
        services.apply_for_hardship(actor=officer, member=member, **application(member))
    assert not HardshipFile.objects.exists()


def test_someone_without_a_membership_cannot_apply(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    stranger = officer_at(tree.west, "west.officer")
    with pytest.raises(NotFound):
        services.apply_for_hardship(actor=stranger, **application(member))


def test_every_problem_of_the_application_is_reported_at_once(tree: Any, english: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    twin = household_id()
    household = [
        self_row(member, income="12.345"),
        person(name="", id_number="330205198501011234", occupation="astronaut"),
        person(relation="cousin", id_number=twin),
        person(id_number=twin, income="-5"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        services.apply_for_hardship(
            actor=user,
            household=household,
            other_monthly_income="abc",
            causes=[],
            situation="  ",
        )
    fields = caught.value.fields
    assert set(fields) == {
        "household.0.monthly_income",
        "household.1.name",
        "household.1.id_number",
        "household.1.occupation",
        "household.2.relation",
        "household.3.id_number",
        "household.3.monthly_income",
        "other_monthly_income",
        "causes",
        "situation",
    }
    assert fields["household.3.id_number"] == ["This ID number is already given for person 3."]
    assert not HardshipFile.objects.exists()


def test_the_member_row_must_be_the_member(tree: Any, english: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    with pytest.raises(ValidationFailed) as caught:
        services.apply_for_hardship(
            actor=user, **application(member, household=[self_row(member, id_number=household_id())])
        )
    assert caught.value.fields["household.0.id_number"] == [
        "The row “The member” must carry the member's own ID number."
    ]
    with pytest.raises(ValidationFailed) as caught:
        services.apply_for_hardship(actor=user, **application(member, household=[person(), person()]))
    assert caught.value.fields["household"] == ["Exactly one person must be “The member” themselves."]


def test_a_family_is_not_on_file_twice(tree: Any, english: Any) -> None:
    first, first_user = make_member_with_account(tree.acme, name="王大明")
    spouse = person(name="李秀英")
    on_file = services.apply_for_hardship(actor=first_user, **application(first, spouse))
    second, second_user = make_member_with_account(tree.beta, name="李秀英")
    household = [
        self_row(second, id_number=second.id_number),
        person(Relation.SPOUSE, name="王大明", id_number=first.id_number),
    ]

    with pytest.raises(Conflict) as caught:
        services.apply_for_hardship(actor=second_user, **application(second, household=household))
    assert caught.value.code == "already_on_file"
    masked = mask_id_number(first.id_number)
    assert caught.value.message.startswith(f"王** ({masked}) is already in a hardship file")
    assert on_file.reference not in caught.value.message
    assert list(caught.value.fields) == ["household.1.id_number"]

    officer = officer_at(tree.east, "east.officer")
    with pytest.raises(Conflict) as caught:
        services.apply_for_hardship(actor=officer, member=second, **application(second, household=household))
    assert f"is already in hardship file {on_file.reference}" in caught.value.message
    assert HardshipFile.objects.count() == 1


def test_a_rejected_or_exited_file_frees_the_household(tree: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    officer = officer_at(tree.town, "town.officer")
    rejected = services.apply_for_hardship(actor=user, **application(member))
    services.reject_hardship_file(rejected, actor=officer, opinion="人均收入高于当地标准")
    assert not HouseholdMember.objects.filter(file=rejected, active=True).exists()

    again = services.apply_for_hardship(actor=user, **application(member))
    services.approve_hardship_file(again, actor=officer, grade="severe")
    services.exit_hardship_file(again, actor=officer, reason="本人已再就业，收入稳定")
    assert not HouseholdMember.objects.filter(active=True).exists()
    assert services.apply_for_hardship(actor=user, **application(member)).status == "applied"


def test_approval_needs_a_grade_and_sets_the_first_recheck(tree: Any, english: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    officer = officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)
    with pytest.raises(ValidationFailed) as caught:
        services.approve_hardship_file(hardship_file, actor=officer, grade="")
    assert caught.value.fields == {"grade": ["Choose a grade."]}

    approved = services.approve_hardship_file(
        hardship_file, actor=officer, grade="severe", opinion="情况属实"
    )
    today = timezone.localdate()
    assert approved.status == HardshipFileStatus.ON_FILE
    assert approved.grade == "severe"
    assert approved.reviewed_by == officer
    assert approved.recheck_due == services.one_year_after(today)
    entry = approved.history.order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.from_status, entry.to_status, entry.comment) == (
        "approve",
        "applied",
        "on_file",
        "情况属实",
    )
    assert AuditEvent.objects.filter(action="assistance.approve_hardship_file").count() == 1


def test_rejection_needs_an_opinion(tree: Any, english: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    officer = officer_at(tree.acme, "acme.officer")
    with pytest.raises(ValidationFailed) as caught:
        services.reject_hardship_file(hardship_file, actor=officer, opinion=" ")
    assert caught.value.fields == {"opinion": ["This field is required."]}
    assert HardshipFile.objects.get(pk=hardship_file.pk).status == "applied"


def test_a_viewer_may_not_decide_and_an_outsider_does_not_see_the_file(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    finance = officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER)
    with pytest.raises(Forbidden):
        services.approve_hardship_file(hardship_file, actor=finance, grade="severe")
    with pytest.raises(NotFound):
        services.approve_hardship_file(
            hardship_file, actor=officer_at(tree.west, "west.officer"), grade="severe"
        )
    assert HardshipFile.objects.get(pk=hardship_file.pk).status == "applied"


def test_the_yearly_recheck_keeps_or_regrades(tree: Any, english: Any) -> None:
    year = timezone.localdate().year
    make_threshold(tree.east, year=year, amount="1300.00")
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member, status="on_file", grade="relative")
    officer = officer_at(tree.acme, "acme.officer")

    kept = services.recheck_hardship_file(hardship_file, actor=officer, result="keep", opinion="情况无变化")
    assert (kept.grade_before, kept.grade_after, kept.per_capita_income) == (
        "relative",
        "relative",
        Decimal("900.00"),
    )
    refreshed = HardshipFile.objects.get(pk=hardship_file.pk)
    today = timezone.localdate()
    assert refreshed.last_checked_on == today
    assert refreshed.recheck_due == services.one_year_after(today)
    assert refreshed.threshold is None  # no new income: the comparison is left as it was

    with pytest.raises(ValidationFailed) as caught:
        services.recheck_hardship_file(
            hardship_file, actor=officer, result="regrade", grade="relative", opinion="x"
        )
    assert "grade" in caught.value.fields

    regraded = services.recheck_hardship_file(
        hardship_file,
        actor=officer,
        result="regrade",
        grade="severe",
        per_capita_income="650.50",
        opinion="妻子病情加重",
    )
    assert (regraded.grade_before, regraded.grade_after) == ("relative", "severe")
    refreshed = HardshipFile.objects.get(pk=hardship_file.pk)
    assert refreshed.grade == "severe"
    assert refreshed.per_capita_income == Decimal("650.50")
    assert refreshed.threshold == Decimal("1300.00")
    assert refreshed.threshold_org == tree.east
    assert HardshipRecheck.objects.filter(file=hardship_file).count() == 2


def test_a_recheck_that_ends_in_exit_closes_the_file(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member, status="on_file")
    officer = officer_at(tree.acme, "acme.officer")
    services.recheck_hardship_file(hardship_file, actor=officer, result="exit", opinion="家庭收入已超过标准")
    refreshed = HardshipFile.objects.get(pk=hardship_file.pk)
    assert refreshed.status == HardshipFileStatus.EXITED
    assert refreshed.exited_on == timezone.localdate()
    assert refreshed.exit_reason == "家庭收入已超过标准"
    assert refreshed.recheck_due is None
    actions = list(refreshed.history.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["recheck", "exit"]
    assert not HouseholdMember.objects.filter(file=hardship_file, active=True).exists()


def test_recheck_requires_a_result_and_an_opinion(tree: Any, english: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member, status="on_file")
    officer = officer_at(tree.acme, "acme.officer")
    with pytest.raises(ValidationFailed) as caught:
        services.recheck_hardship_file(
            hardship_file, actor=officer, result="maybe", opinion="", per_capita_income="1.234"
        )
    assert set(caught.value.fields) == {"result", "opinion", "per_capita_income"}
    assert not HardshipRecheck.objects.exists()


ACTIONS: dict[str, Callable[[HardshipFile, Any], Any]] = {
    "approve": lambda f, a: services.approve_hardship_file(f, actor=a, grade="severe"),
    "reject": lambda f, a: services.reject_hardship_file(f, actor=a, opinion="不符合条件"),
    "recheck": lambda f, a: services.recheck_hardship_file(f, actor=a, result="keep", opinion="无变化"),
    "exit": lambda f, a: services.exit_hardship_file(f, actor=a, reason="已脱困"),
}


ILLEGAL = [
    (status, action)
    for status in HardshipFileStatus.values
    for action in sorted(ACTIONS)
    if not HARDSHIP_FILE_TRANSITIONS.allows(action, status)
]


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transitions_are_refused_and_change_nothing(tree: Any, status: str, action: str) -> None:
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member, status=status)
    officer = officer_at(tree.acme, "acme.officer")
    before = HardshipFile.objects.filter(pk=hardship_file.pk).values().get()
    history = HardshipFileHistory.objects.count()
    with pytest.raises(InvalidTransition):
        ACTIONS[action](hardship_file, officer)
    assert HardshipFile.objects.filter(pk=hardship_file.pk).values().get() == before
    assert HardshipFileHistory.objects.count() == history
    assert not HardshipRecheck.objects.exists()


def test_documents_are_added_by_the_member_or_a_handler(tree: Any, english: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    services.add_hardship_documents(hardship_file, actor=user, documents=[("低保证.pdf", PDF)])
    officer = officer_at(tree.town, "town.officer")
    services.add_hardship_documents(hardship_file, actor=officer, documents=[("照片.png", png())])
    assert hardship_file.documents.count() == 2
    with pytest.raises(NotFound):
        services.add_hardship_documents(
            hardship_file, actor=officer_at(tree.west, "west.officer"), documents=[("a.pdf", PDF)]
        )
    with pytest.raises(ValidationFailed) as caught:
        services.add_hardship_documents(hardship_file, actor=user, documents=[("a.txt", b"hello")])
    assert "file" in caught.value.fields
    with pytest.raises(ValidationFailed):
        services.add_hardship_documents(
            hardship_file, actor=user, documents=[("a.pdf", PDF)] * (services.MAX_DOCUMENTS - 1)
        )
    assert hardship_file.documents.count() == 2

    closed = make_file(make_member_with_account(tree.acme)[0], status="rejected")
    with pytest.raises(Conflict):
        services.add_hardship_documents(closed, actor=officer, documents=[("a.pdf", PDF)])


def test_a_file_waiting_over_thirty_days_is_overdue(tree: Any) -> None:
    member, _user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    today = timezone.localdate()
    assert not services.is_overdue(hardship_file, today)
    assert services.is_overdue(hardship_file, today + timedelta(days=31))


def test_one_year_after_a_leap_day() -> None:
    assert services.one_year_after(date(2028, 2, 29)) == date(2029, 2, 28)
    assert services.one_year_after(date(2027, 3, 5)) == date(2028, 3, 5)


def test_my_files_follow_the_person_across_memberships(tree: Any) -> None:
    member, user = make_member_with_account(tree.acme)
    hardship_file = make_file(member)
    assert list(services.my_files(user)) == [hardship_file]
    _other, other_user = make_member_with_account(tree.beta)
    assert list(services.my_files(other_user)) == []
    with pytest.raises(NotFound):
        services.get_my_file(other_user, hardship_file.pk)
