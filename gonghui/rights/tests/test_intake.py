"""Receiving disputes: at the console and online, numbering, routing, member matching,
collective disputes alerting the superior org, and refusals that write nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.benefits.tests.factories import make_member_with_account
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.core.sms import outbox_messages
from gonghui.members.tests.factories import next_id_number
from gonghui.orgs.models import Org, Role
from gonghui.orgs.tests.factories import make_workplace, officer_at
from gonghui.rights.models import CollectiveAlert, Dispute, DisputeStatus, IntakeChannel, Party
from gonghui.rights.services import disputes as services
from gonghui.rights.tests.factories import dispute_input, make_dispute, received_dispute
from gonghui.workdays.deadlines import due_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(tree):
    return officer_at(tree.east, "east.handler", Role.CASE_HANDLER)


def test_a_walk_in_dispute_gets_the_years_next_number_and_the_statutory_deadline(tree, handler):
    received_on = timezone.localdate() - timedelta(days=2)
    first = received_dispute(tree.acme, handler, received_on=received_on)
    second = received_dispute(tree.acme, handler, channel=IntakeChannel.HOTLINE)
    assert first.number == f"调-{received_on.year}-000001"
    assert second.number.endswith("-000002") or second.year != first.year
    assert first.mediation_deadline == due_date("rights.mediation", received_on)
    assert (first.status, first.channel, first.received_by) == (DisputeStatus.RECEIVED, "walk_in", handler)
    assert first.history.get().to_status == DisputeStatus.RECEIVED
    event = AuditEvent.objects.get(action="rights.receive_dispute", object_id=str(first.pk))
    assert "王小明" not in str(event.changes)  # names are masked in the audit log


def test_a_party_with_a_registered_id_number_is_matched_to_the_member(tree, handler):
    member, _user = make_member_with_account(tree.acme)
    dispute = received_dispute(
        tree.acme, handler, parties=[services.PartyInput(name=member.name, id_number=member.id_number)]
    )
    assert dispute.parties.get().member == member


def test_bad_input_is_refused_all_at_once_and_nothing_is_written(tree, handler, english):
    with pytest.raises(ValidationFailed) as caught:
        services.intake_dispute(
            actor=handler,
            org_id=tree.acme.pk,
            data=dispute_input(
                channel=IntakeChannel.ONLINE,
                summary="",
                received_on=timezone.localdate() + timedelta(days=1),
                parties=[services.PartyInput(name="", id_number="123", mobile="555")],
                claims=[services.ClaimInput(type="bribe", amount_claimed="12,5")],
                workers_count=0,
            ),
        )
    assert set(caught.value.fields) == {
        "channel",
        "summary",
        "received_on",
        "parties.0.name",
        "parties.0.id_number",
        "parties.0.mobile",
        "claims.0.type",
        "claims.0.amount_claimed",
        "workers_count",
    }
    assert not Dispute.objects.exists()


def test_an_officer_outside_the_union_cannot_receive_for_it(tree):
    west = officer_at(tree.west, "west.handler", Role.CASE_HANDLER)
    with pytest.raises(NotFound):
        received_dispute(tree.acme, west)
    assert not Dispute.objects.exists()


def test_ten_workers_make_a_collective_dispute_that_alerts_the_superior_org_at_once(tree, handler):
    Org.objects.filter(pk=tree.town.pk).update(contact_phone="13700009999")
    dispute = received_dispute(tree.acme, handler, workers_count=12)
    assert dispute.is_collective
    alert = CollectiveAlert.objects.get(dispute=dispute)
    assert alert.org == tree.town  # acme's parent
    assert dispute.number in outbox_messages("13700009999")[0]


def test_a_dispute_growing_to_ten_workers_becomes_collective_once(tree, handler):
    dispute = make_dispute(tree.acme, parties=9)
    assert not dispute.is_collective
    services.add_party(
        dispute.pk, actor=handler, party=services.PartyInput(name="李小红", id_number=next_id_number())
    )
    dispute.refresh_from_db()
    assert (dispute.workers_count, dispute.is_collective) == (10, True)
    services.add_party(dispute.pk, actor=handler, party=services.PartyInput(name="赵小刚"))
    assert CollectiveAlert.objects.filter(dispute=dispute).count() == 1
    assert Party.objects.filter(dispute=dispute).count() == 11


def test_raising_the_number_of_workers_to_ten_alerts_too(tree, handler, english):
    dispute = make_dispute(tree.beta)
    services.set_workers_count(dispute.pk, actor=handler, workers_count=30)
    assert CollectiveAlert.objects.get(dispute=dispute).org == tree.east
    with pytest.raises(ValidationFailed):
        services.set_workers_count(dispute.pk, actor=handler, workers_count=3)


def test_an_online_dispute_goes_to_the_workplaces_union_else_its_area_else_the_city(tree):
    _member, worker = make_member_with_account(tree.acme)
    unionised = make_workplace(tree.town, tree.beta)
    area_only = make_workplace(tree.town, name="无工会小作坊")
    cases = [(unionised.pk, tree.beta), (area_only.pk, tree.town), (None, tree.city)]
    for workplace_id, expected in cases:
        dispute = services.report_dispute(
            actor=worker,
            data=dispute_input(workplace_id=workplace_id, parties=[services.PartyInput(name="王小明")]),
            documents=[("欠条.pdf", b"%PDF-1.4 test")],
        )
        assert (dispute.org, dispute.channel, dispute.reporter) == (expected, "online", worker)
        assert dispute.parties.get().mobile == worker.mobile
        assert dispute.documents.get().from_worker
    assert Dispute.objects.get(workplace=unionised).employer_name == "示范建筑劳务有限公司"


def test_an_online_report_refuses_a_file_that_is_not_a_photo_or_pdf(tree, english):
    _member, worker = make_member_with_account(tree.acme)
    with pytest.raises(ValidationFailed):
        services.report_dispute(actor=worker, data=dispute_input(), documents=[("a.txt", b"hello")])
    assert not Dispute.objects.exists()


def test_a_worker_with_five_open_reports_is_asked_to_follow_them_up(tree):
    _member, worker = make_member_with_account(tree.acme)
    for _ in range(services.MAX_OPEN_REPORTS):
        services.report_dispute(actor=worker, data=dispute_input())
    with pytest.raises(Conflict) as refused:
        services.report_dispute(actor=worker, data=dispute_input())
    assert refused.value.code == "too_many_open_reports"
    assert Dispute.objects.filter(reporter=worker).count() == services.MAX_OPEN_REPORTS
    Dispute.objects.filter(reporter=worker).update(status=DisputeStatus.SETTLED)
    services.report_dispute(actor=worker, data=dispute_input())  # concluded ones do not count


def test_money_stays_exact(tree, handler):
    dispute = received_dispute(
        tree.acme, handler, claims=[services.ClaimInput(type="overtime", amount_claimed="¥1,234.56")]
    )
    assert dispute.claims.get().amount_claimed == Decimal("1234.56")
