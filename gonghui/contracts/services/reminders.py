"""The daily run: expiry reminders and expiry (`gonghui send-contract-reminders`).

A contract in force whose reminder day has come (`reminder_due_on`, rule
`contracts.expiry_reminder` counted from the term's end) is claimed by
`UPDATE … SET reminded_at = now WHERE reminded_at IS NULL` before its text goes to the
registering union's contact phone, so two runs at once, or a run repeated after a crash, never
text twice; a contract already renewed needs no reminder. A contract whose term has ended is
set to expired in the same run, one transaction per contract so that one bad row does not hold
up the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.contracts.models import CollectiveContract, ContractStatus
from gonghui.contracts.services.contracts import expire_contract
from gonghui.core.mobile import is_mobile, normalize_mobile
from gonghui.core.sms import send_sms

BATCH = 500


@dataclass(frozen=True)
class RunResult:
    reminded: int  # contracts whose reminder was claimed (texted when the union has a mobile)
    texted: int
    expired: int


def _remind(contract: CollectiveContract, now: datetime) -> bool:
    """Claim the reminder and text the union's contact phone; whether a text went out."""
    if not CollectiveContract.objects.filter(pk=contract.pk, reminded_at__isnull=True).update(
        reminded_at=now
    ):
        return False  # another run has it
    phone = normalize_mobile(contract.org.contact_phone or "")
    if not is_mobile(phone):
        return False
    text = _(
        "[%(site)s] The collective contract “%(title)s” of %(org)s ends on %(end)s. Please start "
        "bargaining on its renewal; see the console for details."
    ) % {
        "site": settings.GONGHUI_SITE_NAME,
        "title": contract.title,
        "org": contract.org.name,
        "end": date_format(contract.term_end, "DATE_FORMAT"),
    }
    transaction.on_commit(lambda: send_sms(phone, text))
    return True


def send_due_reminders(today: date | None = None, now: datetime | None = None) -> RunResult:
    """Text every union whose contract's reminder day has come, once, and expire the contracts
    whose term ended before `today`."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    reminded = texted = expired = 0
    due = (
        CollectiveContract.objects.filter(
            status=ContractStatus.IN_FORCE,
            reminded_at__isnull=True,
            reminder_due_on__lte=today,
            term_end__gte=today,
        )
        .filter(renewal__isnull=True)
        .select_related("org")
    )
    last_id = 0
    while batch := list(due.filter(pk__gt=last_id).order_by("pk")[:BATCH]):
        for contract in batch:
            last_id = contract.pk
            with transaction.atomic():
                was_texted = _remind(contract, now)
            reminded += 1
            texted += was_texted
    ended = CollectiveContract.objects.filter(status=ContractStatus.IN_FORCE, term_end__lt=today)
    for contract_id in list(ended.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            locked = (
                CollectiveContract.objects.select_for_update(of=("self",))
                .select_related("org")
                .filter(pk=contract_id, status=ContractStatus.IN_FORCE)
                .first()
            )
            if locked is not None:
                expire_contract(locked)
                expired += 1
    return RunResult(reminded=reminded, texted=texted, expired=expired)
