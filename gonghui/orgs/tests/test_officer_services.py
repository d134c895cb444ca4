"""Officer terms: adding, changing and ending them, and every rule the services enforce."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.http import Http404

from gonghui.accounts.tests.factories import make_member, make_officer
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import OfficerPosition, OfficerTerm, OrgStatus, Role
from gonghui.orgs.services.officers import (
    OfficerTermData,
    add_officer_term,
    end_officer_term,
    update_officer_term,
)
from gonghui.orgs.tests.factories import make_term, officer_at, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(tree):
    """A union officer of the east district: OFFICER_CHANGE over its whole subtree."""
    return officer_at(tree.east, "east.officer", Role.UNION_OFFICER)


def data(**changes) -> OfficerTermData:
    base = OfficerTermData(
        name="李 红",
        position=OfficerPosition.VICE_CHAIR_PART_TIME,
        term_start=today() - timedelta(days=30),
        term_end=today() + timedelta(days=5 * 365),
        elected_on=today() - timedelta(days=31),
        contact_phone="１３８ ０００１ ２３４５",
    )
    return replace(base, **changes)


def snapshot_terms() -> list[dict[str, Any]]:
    return [model_to_dict(term) for term in OfficerTerm.objects.order_by("pk")]


# --- adding -----------------------------------------------------------------------------------


def test_adding_a_term_cleans_the_input_and_records_an_audit_event(tree, officer):
    term = add_officer_term(org=tree.acme, data=data(), actor=officer)

    assert term.org == tree.acme
    assert term.name == "李红"  # no spaces inside a Chinese name
    assert term.contact_phone == "13800012345"  # full-width digits and spaces folded
    event = AuditEvent.objects.get(action="orgs.add_officer_term")
    assert event.object_id == str(term.pk)
    assert event.org_path == tree.acme.path
    assert event.changes["name"] == [None, "李红"]
    assert event.changes["contact_phone"] == [None, "138****2345"]  # personal data masked


def test_a_landline_with_area_code_is_accepted_as_contact_phone(tree, officer):
    term = add_officer_term(org=tree.acme, data=data(contact_phone="0574-8765 4321"), actor=officer)
    assert term.contact_phone == "0574-87654321"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"term_end": today() - timedelta(days=30)}, "term_end"),  # same day as the start
        ({"term_end": today() - timedelta(days=60)}, "term_end"),
        ({"elected_on": today() - timedelta(days=29)}, "elected_on"),  # after the term starts
        ({"name": "   "}, "name"),
        ({"name": "张" * 61}, "name"),
        ({"position": "treasurer"}, "position"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_phone": "1381234567"}, "contact_phone"),
        ({"username": "nobody.here"}, "username"),
    ],
)
def test_invalid_terms_are_refused_field_by_field_and_nothing_is_stored(tree, officer, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        add_officer_term(org=tree.acme, data=data(**changes), actor=officer)
    assert field in refused.value.fields
    assert not OfficerTerm.objects.exists()
    assert not AuditEvent.objects.filter(action="orgs.add_officer_term").exists()


def test_all_field_errors_come_back_at_once(tree, officer):
    bad = data(name="", term_end=today() - timedelta(days=40), contact_phone="x")
    with pytest.raises(ValidationFailed) as refused:
        add_officer_term(org=tree.acme, data=bad, actor=officer)
    assert set(refused.value.fields) == {"name", "term_end", "contact_phone"}


def test_the_election_may_be_on_the_day_the_term_starts(tree, officer):
    start = today() - timedelta(days=30)
    term = add_officer_term(org=tree.acme, data=data(elected_on=start, term_start=start), actor=officer)
    assert term.elected_on == term.term_start


def test_a_term_can_be_linked_to_an_officer_account_by_username(tree, officer):
    account = make_officer("li.hong", display_name="李红")
    term = add_officer_term(org=tree.acme, data=data(username="LI.HONG"), actor=officer)
    assert term.user == account


def test_a_member_account_cannot_be_linked_to_a_term(tree, officer):
    member = make_member("13900001111")
    with pytest.raises(ValidationFailed) as refused:
        add_officer_term(org=tree.acme, data=data(username=member.username), actor=officer)
    assert "username" in refused.value.fields


def test_adding_outside_the_officers_subtree_answers_not_found_and_stores_nothing(tree, officer):
    with pytest.raises(Http404):
        add_officer_term(org=tree.gamma, data=data(), actor=officer)
    assert not OfficerTerm.objects.exists()


def test_a_read_only_auditor_cannot_add_officers(tree):
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    with pytest.raises(Http404):
        add_officer_term(org=tree.acme, data=data(), actor=auditor)
    assert not OfficerTerm.objects.exists()


def test_a_dissolved_union_cannot_be_given_officers(tree, officer):
    tree.beta.status = OrgStatus.DISSOLVED
    tree.beta.save(update_fields=["status"])
    with pytest.raises(Conflict):
        add_officer_term(org=tree.beta, data=data(), actor=officer)
    assert not OfficerTerm.objects.exists()


# --- one chair at a time ----------------------------------------------------------------------


def chair(**changes) -> OfficerTermData:
    return data(name="赵新", position=OfficerPosition.CHAIR, **changes)


def test_a_second_chair_in_the_same_period_is_refused_naming_the_chair_in_office(tree, officer):
    current = make_term(tree.acme, "王建国", OfficerPosition.CHAIR, days_left=200)
    before = snapshot_terms()

    with pytest.raises(Conflict) as refused:
        add_officer_term(org=tree.acme, data=chair(), actor=officer)

    assert refused.value.code == "chair_already_in_office"
    message = refused.value.message
    assert "东区甲公司工会" in message
    assert "王建国" in message
    assert f"{current.term_start.year}年{current.term_start.month}月{current.term_start.day}日" in message
    assert "position" in refused.value.fields
    assert snapshot_terms() == before


def test_the_successor_may_start_on_the_day_the_old_term_ends(tree, officer):
    old = make_term(tree.acme, "王建国", OfficerPosition.CHAIR, days_left=10)
    successor = chair(
        term_start=old.term_end, term_end=old.term_end + timedelta(days=5 * 365), elected_on=None
    )
    term = add_officer_term(org=tree.acme, data=successor, actor=officer)
    assert term.term_start == old.term_end


def test_a_chair_who_left_office_makes_room_for_a_new_one(tree, officer):
    make_term(
        tree.acme, "王建国", OfficerPosition.CHAIR, days_left=900, ended_on=today() - timedelta(days=31)
    )
    term = add_officer_term(org=tree.acme, data=chair(), actor=officer)
    assert term.position == OfficerPosition.CHAIR


def test_a_chair_who_left_after_the_new_term_began_still_overlaps(tree, officer):
    make_term(
        tree.acme, "王建国", OfficerPosition.CHAIR, days_left=900, ended_on=today() - timedelta(days=10)
    )
    with pytest.raises(Conflict):
        add_officer_term(org=tree.acme, data=chair(), actor=officer)


def test_a_future_chair_term_overlapping_the_new_one_is_refused_too(tree, officer):
    make_term(
        tree.acme,
        "钱进",
        OfficerPosition.CHAIR,
        start=today() + timedelta(days=100),
        end=today() + timedelta(days=2000),
    )
    with pytest.raises(Conflict, match="钱进"):
        add_officer_term(org=tree.acme, data=chair(), actor=officer)


def test_chairs_of_other_unions_and_several_vice_chairs_do_not_conflict(tree, officer):
    make_term(tree.beta, "王建国", OfficerPosition.CHAIR)
    make_term(tree.acme, "孙丽", OfficerPosition.VICE_CHAIR_FULL_TIME)
    add_officer_term(org=tree.acme, data=chair(), actor=officer)
    add_officer_term(org=tree.acme, data=data(name="周一"), actor=officer)
    add_officer_term(org=tree.acme, data=data(name="周二"), actor=officer)
    assert OfficerTerm.objects.filter(org=tree.acme).count() == 4


def test_making_a_vice_chair_the_chair_while_there_is_one_is_refused(tree, officer):
    make_term(tree.acme, "王建国", OfficerPosition.CHAIR)
    vice = make_term(tree.acme, "孙丽", OfficerPosition.VICE_CHAIR_FULL_TIME)
    with pytest.raises(Conflict, match="王建国"):
        update_officer_term(
            term=vice, data=replace(OfficerTermData.of(vice), position=OfficerPosition.CHAIR), actor=officer
        )
    vice.refresh_from_db()
    assert vice.position == OfficerPosition.VICE_CHAIR_FULL_TIME


# --- changing -----------------------------------------------------------------------------------


def test_a_chair_term_can_be_changed_without_conflicting_with_itself(tree, officer):
    term = make_term(tree.acme, "王建国", OfficerPosition.CHAIR)
    later = term.term_end + timedelta(days=30)
    updated = update_officer_term(
        term=term, data=replace(OfficerTermData.of(term), term_end=later), actor=officer
    )
    assert updated.term_end == later
    event = AuditEvent.objects.get(action="orgs.update_officer_term")
    assert event.changes == {"term_end": [term.term_end.isoformat(), later.isoformat()]}


def test_saving_a_term_unchanged_records_no_audit_event(tree, officer):
    term = make_term(tree.acme)
    update_officer_term(term=term, data=OfficerTermData.of(term), actor=officer)
    assert not AuditEvent.objects.filter(action="orgs.update_officer_term").exists()


def test_changing_a_term_outside_the_subtree_answers_not_found_and_changes_nothing(tree, officer):
    term = make_term(tree.gamma)
    before = snapshot_terms()
    with pytest.raises(Http404):
        update_officer_term(term=term, data=replace(OfficerTermData.of(term), name="改名"), actor=officer)
    assert snapshot_terms() == before


def test_an_invalid_change_is_refused_and_changes_nothing(tree, officer):
    term = make_term(tree.acme)
    before = snapshot_terms()
    with pytest.raises(ValidationFailed):
        update_officer_term(
            term=term, data=replace(OfficerTermData.of(term), term_end=term.term_start), actor=officer
        )
    assert snapshot_terms() == before


def test_an_ended_term_cannot_be_moved_to_start_after_the_officer_left(tree, officer):
    term = make_term(tree.acme, ended_on=today() - timedelta(days=3))
    with pytest.raises(ValidationFailed) as refused:
        update_officer_term(
            term=term, data=replace(OfficerTermData.of(term), term_start=today()), actor=officer
        )
    assert "term_start" in refused.value.fields


# --- ending -----------------------------------------------------------------------------------


def test_ending_a_term_records_the_day_and_reason_and_audits_it(tree, officer):
    term = make_term(tree.acme)
    ended = end_officer_term(term=term, ended_on=today(), reason=" 调任 其他单位 ", actor=officer)
    assert ended.ended_on == today()
    assert ended.end_reason == "调任 其他单位"
    event = AuditEvent.objects.get(action="orgs.end_officer_term")
    assert event.note == "调任 其他单位"
    assert event.changes["ended_on"] == [None, today().isoformat()]
    assert not OfficerTerm.objects.current(today()).exists()


def test_a_term_cannot_be_ended_twice(tree, officer):
    term = make_term(tree.acme, ended_on=today() - timedelta(days=1))
    with pytest.raises(Conflict) as refused:
        end_officer_term(term=term, ended_on=today(), reason="再次", actor=officer)
    assert refused.value.code == "already_ended"


@pytest.mark.parametrize(
    ("days_from_today", "reason", "field"),
    [(1, "辞职", "ended_on"), (-3000, "辞职", "ended_on"), (0, "  ", "reason"), (0, "长" * 201, "reason")],
)
def test_ending_is_refused_for_a_bad_date_or_reason_and_changes_nothing(
    tree, officer, days_from_today, reason, field
):
    term = make_term(tree.acme)
    with pytest.raises(ValidationFailed) as refused:
        end_officer_term(
            term=term, ended_on=today() + timedelta(days=days_from_today), reason=reason, actor=officer
        )
    assert field in refused.value.fields
    term.refresh_from_db()
    assert term.ended_on is None


def test_ending_a_term_outside_the_subtree_answers_not_found(tree, officer):
    term = make_term(tree.gamma)
    with pytest.raises(Http404):
        end_officer_term(term=term, ended_on=today(), reason="辞职", actor=officer)
    term.refresh_from_db()
    assert term.ended_on is None
