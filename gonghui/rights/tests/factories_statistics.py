"""The known fixture of the statistics tests: nine disputes whose figures are worked out by hand in
test_statistics.py. Eight are in the east district's subtree, one (D7) in the west's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gonghui.orgs.tests.factories import Tree, make_workplace
from gonghui.rights.models import ClaimType, Dispute, DisputeStatus, IntakeChannel, ReferralBody
from gonghui.rights.tests.factories import make_dispute

WAGE, OVERTIME, INSURANCE = ClaimType.WAGE_ARREARS, ClaimType.OVERTIME, ClaimType.SOCIAL_INSURANCE
DISMISSAL, INJURY = ClaimType.DISMISSAL, ClaimType.WORK_INJURY


@dataclass(frozen=True)
class Fixture:
    d1: Dispute
    d2: Dispute
    d3: Dispute
    d4: Dispute
    d5: Dispute
    d6: Dispute
    d7: Dispute
    d8: Dispute
    d9: Dispute


def make_statistics_fixture(tree: Tree) -> Fixture:
    factory = make_workplace(tree.town, tree.acme, name="东区甲精工有限公司", industry="C")
    builder = make_workplace(tree.east, None, name="东区乙建筑有限公司", industry="E")
    return Fixture(
        # Settled in 15 days; 12,000 claimed, 9,500 recovered.
        d1=make_dispute(
            tree.acme,
            status=DisputeStatus.SETTLED,
            received_on=date(2026, 3, 5),
            concluded_on=date(2026, 3, 20),
            claims=((WAGE, "10000.00", "8000.00"), (OVERTIME, "2000.00", "1500.00")),
            workplace=factory,
            channel=IntakeChannel.WALK_IN,
        ),
        # Received in March, settled in April (13 days).
        d2=make_dispute(
            tree.acme,
            status=DisputeStatus.SETTLED,
            received_on=date(2026, 3, 28),
            concluded_on=date(2026, 4, 10),
            claims=((WAGE, "5000.00", "5000.00"),),
            workplace=factory,
            channel=IntakeChannel.HOTLINE,
        ),
        # Collective (12 workers); mediation failed after 15 days.
        d3=make_dispute(
            tree.beta,
            status=DisputeStatus.FAILED,
            received_on=date(2026, 4, 2),
            concluded_on=date(2026, 4, 17),
            claims=((DISMISSAL, "20000.00"),),
            workers_count=12,
            workplace=builder,
            channel=IntakeChannel.ONLINE,
            failure_reason="用人单位拒绝调解",
        ),
        # Declined the next day.
        d4=make_dispute(
            tree.beta,
            status=DisputeStatus.DECLINED,
            received_on=date(2026, 4, 8),
            concluded_on=date(2026, 4, 9),
            claims=((INSURANCE, "3000.00"),),
            channel=IntakeChannel.HOTLINE,
            decline_reason="已进入仲裁程序",
        ),
        # Handled by the district itself, still in mediation.
        d5=make_dispute(
            tree.east,
            status=DisputeStatus.IN_MEDIATION,
            received_on=date(2026, 5, 6),
            claims=((WAGE, "7000.00"), (INSURANCE, "1000.00")),
            channel=IntakeChannel.ARBITRATION,
        ),
        # Just received.
        d6=make_dispute(
            tree.acme,
            status=DisputeStatus.RECEIVED,
            received_on=date(2026, 5, 10),
            claims=((INJURY, "50000.00"),),
            channel=IntakeChannel.WALK_IN,
        ),
        # The west district's: never in the east's figures.
        d7=make_dispute(
            tree.gamma,
            status=DisputeStatus.SETTLED,
            received_on=date(2026, 3, 10),
            concluded_on=date(2026, 3, 12),
            claims=((WAGE, "9999.00", "9999.00"),),
        ),
        # Received in 2025, settled in January 2026 (16 days).
        d8=make_dispute(
            tree.acme,
            status=DisputeStatus.SETTLED,
            received_on=date(2025, 12, 20),
            concluded_on=date(2026, 1, 5),
            claims=((WAGE, "4000.00", "4000.00"),),
            workplace=factory,
            channel=IntakeChannel.WALK_IN,
        ),
        # Failed after 15 days and referred to arbitration since: still a failure.
        d9=make_dispute(
            tree.acme,
            status=DisputeStatus.REFERRED,
            received_on=date(2026, 2, 2),
            concluded_on=date(2026, 2, 17),
            claims=((OVERTIME, "6000.00"),),
            channel=IntakeChannel.COURT,
            failure_reason="双方分歧较大",
            referred_to=ReferralBody.ARBITRATION,
            referral_body="东区劳动人事争议仲裁委员会",
            referred_on=date(2026, 2, 20),
        ),
    )
