"""Rights protection for tests: centres, mediators (with sign-ins) and disputes as rows.

`make_dispute` writes a dispute directly in any status (the service tests start from it; they
do not check intake), with its parties and claim items; `received_dispute` goes through the
intake service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import AccountKind, User
from gonghui.members.models import id_number_index, mobile_index
from gonghui.members.tests.factories import next_id_number
from gonghui.orgs.models import Org, Workplace
from gonghui.rights.models import (
    COLLECTIVE_THRESHOLD,
    OPEN_STATUSES,
    ClaimItem,
    ClaimType,
    Dispute,
    DisputeStatus,
    IntakeChannel,
    MediationCentre,
    Mediator,
    Party,
    Settlement,
    dispute_number,
)
from gonghui.rights.services import disputes as services

_serial = count(1)
PASSWORD = "Mediate-pass-2026"
# Factory rows take sequence numbers far above what intake gives in a test.
FACTORY_SEQUENCE = 900_000

Claim = tuple[str, str | Decimal] | tuple[str, str | Decimal, str | Decimal]


def make_centre(org: Org, **fields: Any) -> MediationCentre:
    values: dict[str, Any] = {"name": f"劳动争议调解中心{next(_serial)}", "phone": "0574-12351", **fields}
    return MediationCentre.objects.create(org=org, **values)


def make_mediator(centre: MediationCentre, *, account: bool = True, **fields: Any) -> Mediator:
    serial = next(_serial)
    user = (
        User.objects.create_user(
            username=f"mediator{serial}", password=PASSWORD, display_name="调解员", kind=AccountKind.OFFICER
        )
        if account
        else None
    )
    return Mediator.objects.create(
        centre=centre, user=user, name=fields.pop("name", f"陈调解{serial}"), **fields
    )


def make_dispute(
    org: Org,
    *,
    status: str = DisputeStatus.RECEIVED,
    received_on: date | None = None,
    claims: Sequence[Claim] = ((ClaimType.WAGE_ARREARS, "8600.00"),),
    parties: int = 1,
    mediator: Mediator | None = None,
    workplace: Workplace | None = None,
    reporter: User | None = None,
    mobile: str = "13900001111",
    **fields: Any,
) -> Dispute:
    received = received_on or timezone.localdate()
    sequence = FACTORY_SEQUENCE + next(_serial)
    workers = max(fields.pop("workers_count", parties), parties)
    concluded = fields.pop("concluded_on", received if status not in OPEN_STATUSES else None)
    dispute = Dispute.objects.create(
        number=dispute_number(received.year, sequence),
        year=received.year,
        sequence=sequence,
        channel=fields.pop("channel", IntakeChannel.ONLINE if reporter else IntakeChannel.WALK_IN),
        org=org,
        centre=mediator.centre if mediator else fields.pop("centre", None),
        mediator=mediator,
        workplace=workplace,
        employer_name=fields.pop("employer_name", workplace.name if workplace else "示范建筑劳务有限公司"),
        summary=fields.pop("summary", "拖欠两个月工资"),
        received_on=received,
        mediation_deadline=fields.pop("mediation_deadline", received + timedelta(days=15)),
        status=status,
        workers_count=workers,
        is_collective=workers >= COLLECTIVE_THRESHOLD,
        reporter=reporter,
        concluded_on=concluded,
        **fields,
    )
    rows = []
    for position in range(1, parties + 1):
        id_number = next_id_number()
        number = mobile if position == 1 else ""
        rows.append(
            Party(
                dispute=dispute,
                position=position,
                name=f"王小{position}" if position > 1 else "王小明",
                id_number=id_number,
                id_number_index=id_number_index(id_number),
                mobile=number,
                mobile_index=mobile_index(number),
            )
        )
    Party.objects.bulk_create(rows)
    ClaimItem.objects.bulk_create(
        [
            ClaimItem(
                dispute=dispute,
                position=position,
                type=claim[0],
                amount_claimed=Decimal(claim[1]),
                amount_agreed=Decimal(claim[2]) if len(claim) > 2 else None,
                amount_recovered=Decimal(claim[2]) if len(claim) > 2 else Decimal("0.00"),
            )
            for position, claim in enumerate(claims, start=1)
        ]
    )
    if status in (DisputeStatus.SETTLED, DisputeStatus.CLOSED, DisputeStatus.ARCHIVED) and concluded:
        Settlement.objects.create(dispute=dispute, terms="用人单位于十日内支付工资。", signed_on=concluded)
    return dispute


def dispute_input(**fields: Any) -> services.DisputeInput:
    values: dict[str, Any] = {
        "channel": IntakeChannel.WALK_IN,
        "employer_name": "示范建筑劳务有限公司",
        "summary": "拖欠三月、四月工资",
        "parties": [services.PartyInput(name="王小明", id_number=next_id_number(), mobile="13900002222")],
        "claims": [services.ClaimInput(type=ClaimType.WAGE_ARREARS, amount_claimed="8600.00")],
        **fields,
    }
    return services.DisputeInput(**values)


def received_dispute(org: Org, actor: User, **fields: Any) -> Dispute:
    return services.intake_dispute(actor=actor, org_id=org.pk, data=dispute_input(**fields))
