"""The mediation time limit: extensions only by the parties' recorded agreement, the overdue
list, and `gonghui notify-overdue-disputes` telling each worker once."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.sms import outbox_messages
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at
from gonghui.rights.models import DisputeMessage, DisputeStatus, MessageAuthor
from gonghui.rights.services import disputes as services
from gonghui.rights.services.overdue import notify_overdue_disputes
from gonghui.rights.tests.factories import make_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(tree):
    return officer_at(tree.east, "east.handler", Role.CASE_HANDLER)


def test_an_extension_needs_a_later_date_and_who_agreed(tree, handler, english):
    dispute = make_dispute(tree.acme, status=DisputeStatus.IN_MEDIATION)
    with pytest.raises(ValidationFailed) as caught:
        services.record_extension(
            dispute.pk, actor=handler, new_deadline=dispute.mediation_deadline, agreed_by=""
        )
    assert set(caught.value.fields) == {"new_deadline", "agreed_by"}
    later = dispute.mediation_deadline + timedelta(days=10)
    extension = services.record_extension(
        dispute.pk, actor=handler, new_deadline=later, agreed_by="王小明、公司李经理"
    )
    dispute.refresh_from_db()
    assert (dispute.mediation_deadline, extension.previous_deadline) == (later, later - timedelta(days=10))


def test_a_concluded_dispute_cannot_be_extended(tree, handler):
    dispute = make_dispute(tree.acme, status=DisputeStatus.SETTLED)
    with pytest.raises(Conflict):
        services.record_extension(dispute.pk, actor=handler, new_deadline=date(2027, 1, 1), agreed_by="双方")


def test_the_overdue_list_shows_open_disputes_past_their_deadline_to_the_superior_orgs(tree, client):
    today = timezone.localdate()
    late = make_dispute(
        tree.acme, received_on=today - timedelta(days=30), mediation_deadline=today - timedelta(days=1)
    )
    on_time = make_dispute(tree.acme, received_on=today)
    settled = make_dispute(
        tree.acme, status=DisputeStatus.SETTLED, mediation_deadline=today - timedelta(days=3)
    )
    sign_in_verified(client, officer_at(tree.city, "city.auditor", Role.AUDITOR))
    page = client.get("/console/rights/overdue/").content.decode()
    assert f'data-row-id="{late.pk}"' in page
    assert f'data-row-id="{on_time.pk}"' not in page
    assert f'data-row-id="{settled.pk}"' not in page


def test_the_worker_is_told_once_by_sms_and_on_the_case_page(tree):
    today = timezone.localdate()
    late = make_dispute(
        tree.acme,
        mobile="13900003333",
        received_on=today - timedelta(days=20),
        mediation_deadline=today - timedelta(days=2),
    )
    make_dispute(tree.acme, received_on=today)
    out = StringIO()
    call_command("notify_overdue_disputes", stdout=out)
    assert "1" in out.getvalue()
    texts = outbox_messages("13900003333")
    assert len(texts) == 1
    assert late.number in texts[0]
    assert "仲裁" in texts[0]
    assert DisputeMessage.objects.get(dispute=late).author_kind == MessageAuthor.SYSTEM
    assert notify_overdue_disputes() == 0
    assert len(outbox_messages("13900003333")) == 1


def test_an_extension_lets_the_worker_be_told_again_when_the_new_deadline_passes(tree, handler):
    today = timezone.localdate()
    late = make_dispute(
        tree.acme, status=DisputeStatus.IN_MEDIATION, mediation_deadline=today - timedelta(days=2)
    )
    assert notify_overdue_disputes() == 1
    services.record_extension(
        late.pk, actor=handler, new_deadline=today + timedelta(days=5), agreed_by="双方"
    )
    assert notify_overdue_disputes() == 0
    assert notify_overdue_disputes(today + timedelta(days=6)) == 1
