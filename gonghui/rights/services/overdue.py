"""Telling workers that the mediation time limit has passed (Labour Dispute Mediation and
Arbitration Law, art. 14: when mediation does not end in an agreement within 15 days, the
parties may apply for arbitration). Run daily by `gonghui notify-overdue-disputes`.

Each dispute is told once per time limit: the conditional UPDATE of `overdue_notified_at`
claims it, so two runs at the same time never text a worker twice. An extension clears the
mark, so a worker is told again if the new deadline passes too.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit
from gonghui.core.mobile import is_mobile
from gonghui.core.sms import send_sms
from gonghui.rights.models import Dispute, DisputeMessage, MessageAuthor


def worker_mobile(dispute: Dispute) -> str:
    """Where the worker is texted: the reporting account's number, else the first party's."""
    reporter = dispute.reporter
    if reporter is not None and reporter.mobile and is_mobile(reporter.mobile):
        return str(reporter.mobile)
    for party in dispute.parties.all():
        if party.mobile:
            return str(party.mobile)
    return ""


def overdue_text(dispute: Dispute) -> str:
    return _(
        "The mediation time limit of your labour dispute %(number)s passed on %(deadline)s without a "
        "settlement. You may apply to the labour dispute arbitration commission for arbitration."
    ) % {"number": dispute.number, "deadline": date_format(dispute.mediation_deadline, "DATE_FORMAT")}


def _notify(dispute_id: int, now_date: date) -> bool:
    with transaction.atomic():
        claimed = (
            Dispute.objects.overdue(now_date)
            .filter(pk=dispute_id, overdue_notified_at__isnull=True)
            .update(overdue_notified_at=timezone.now())
        )
        if not claimed:
            return False
        dispute = Dispute.objects.select_related("reporter", "org").get(pk=dispute_id)
        text = overdue_text(dispute)
        DisputeMessage.objects.create(dispute=dispute, author_kind=MessageAuthor.SYSTEM, text=text)
        mobile = worker_mobile(dispute)
        if mobile:
            send_sms(mobile, text)
        record_audit(
            actor=None, action="rights.notify_overdue", obj=dispute, note="sms" if mobile else "portal"
        )
    return True


def notify_overdue_disputes(today: date | None = None) -> int:
    """Tell the worker of every open dispute past its deadline, once; returns how many were told."""
    today = today or timezone.localdate()
    pending = list(
        Dispute.objects.overdue(today)
        .filter(overdue_notified_at__isnull=True)
        .values_list("pk", flat=True)[:100_000]
    )
    return sum(1 for pk in pending if _notify(pk, today))
