"""Disputes of the demo city: a mediation centre at the first district federation and a studio
at one of its unions, the mediator account `rights.mediator` (the demo password), and about
sixty disputes received across 2026 in every status, with wage, overtime, social-insurance,
injury, dismissal and contract claims, some past their time limit and one collective dispute,
so that the lists, the desk and the statistics have something to show. Written directly (the
demo loader is the system itself); the random choices come from the city's seed. Called by the
demo loader once the city is loaded and undone by its reset."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from gonghui.accounts.models import AccountKind, User
from gonghui.members.models import mobile_index
from gonghui.orgs.demo.accounts import DEMO_PASSWORD, MEMBER_MOBILE
from gonghui.orgs.models import Org, Workplace
from gonghui.rights.models import (
    COLLECTIVE_THRESHOLD,
    CentreKind,
    ClaimItem,
    ClaimType,
    CollectiveAlert,
    Dispute,
    DisputeAction,
    DisputeCounter,
    DisputeHistory,
    DisputeStatus,
    IntakeChannel,
    MediationCentre,
    Mediator,
    Party,
    ReferralBody,
    Settlement,
    dispute_number,
)
from gonghui.rights.services.disputes import superior_org
from gonghui.workdays.deadlines import due_date

MEDIATOR_USERNAME = "rights.mediator"
DISPUTES = 60
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞")
SUMMARIES = {
    ClaimType.WAGE_ARREARS: "拖欠工资未发",
    ClaimType.OVERTIME: "加班费未按规定支付",
    ClaimType.SOCIAL_INSURANCE: "未依法缴纳社会保险",
    ClaimType.WORK_INJURY: "工伤待遇未落实",
    ClaimType.DISMISSAL: "被违法解除劳动合同",
    ClaimType.CONTRACT: "未签订书面劳动合同",
    ClaimType.OTHER: "其他劳动权益纠纷",
}
# Statuses with their weight among the demo's disputes.
STATUSES = (
    (DisputeStatus.RECEIVED, 4),
    (DisputeStatus.ACCEPTED, 4),
    (DisputeStatus.IN_MEDIATION, 6),
    (DisputeStatus.SETTLED, 14),
    (DisputeStatus.FAILED, 4),
    (DisputeStatus.DECLINED, 2),
    (DisputeStatus.REFERRED, 3),
    (DisputeStatus.CLOSED, 18),
    (DisputeStatus.ARCHIVED, 5),
)
PATH = {
    DisputeStatus.RECEIVED: [],
    DisputeStatus.ACCEPTED: [DisputeAction.ACCEPT],
    DisputeStatus.DECLINED: [DisputeAction.DECLINE],
    DisputeStatus.IN_MEDIATION: [DisputeAction.ACCEPT, DisputeAction.START_MEDIATION],
    DisputeStatus.SETTLED: [DisputeAction.ACCEPT, DisputeAction.START_MEDIATION, DisputeAction.SETTLE],
    DisputeStatus.FAILED: [DisputeAction.ACCEPT, DisputeAction.START_MEDIATION, DisputeAction.FAIL],
    DisputeStatus.REFERRED: [
        DisputeAction.ACCEPT,
        DisputeAction.START_MEDIATION,
        DisputeAction.FAIL,
        DisputeAction.REFER,
    ],
    DisputeStatus.CLOSED: [
        DisputeAction.ACCEPT,
        DisputeAction.START_MEDIATION,
        DisputeAction.SETTLE,
        DisputeAction.CLOSE,
    ],
    DisputeStatus.ARCHIVED: [
        DisputeAction.ACCEPT,
        DisputeAction.START_MEDIATION,
        DisputeAction.SETTLE,
        DisputeAction.CLOSE,
        DisputeAction.ARCHIVE,
    ],
}
TARGET = {
    DisputeAction.ACCEPT: DisputeStatus.ACCEPTED,
    DisputeAction.DECLINE: DisputeStatus.DECLINED,
    DisputeAction.START_MEDIATION: DisputeStatus.IN_MEDIATION,
    DisputeAction.SETTLE: DisputeStatus.SETTLED,
    DisputeAction.FAIL: DisputeStatus.FAILED,
    DisputeAction.REFER: DisputeStatus.REFERRED,
    DisputeAction.CLOSE: DisputeStatus.CLOSED,
    DisputeAction.ARCHIVE: DisputeStatus.ARCHIVED,
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", *GIVEN))


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high, 100)).quantize(Decimal("0.01"))


def seed_demo_rights(root: Org, *, district: Org, seed: int) -> None:
    rng = random.Random(f"rights-{seed}")  # noqa: S311 - demo data, repeatable from the seed
    today = timezone.localdate()
    unions = list(
        Org.objects.filter(path__startswith=district.path, depth__gt=district.depth).order_by("path")[:20]
    )
    studio_org = unions[0] if unions else district
    centre = MediationCentre.objects.create(
        org=district,
        kind=CentreKind.CENTRE,
        name=f"{district.short_name or district.name}职工劳动争议调解中心",
        address=district.address or "区职工服务中心二楼",
        phone="12351",
    )
    studio = MediationCentre.objects.create(
        org=studio_org,
        kind=CentreKind.STUDIO,
        name=f"{studio_org.name}劳动争议调解工作室",
        phone="0574-12351",
    )
    account = User.objects.create_user(
        username=MEDIATOR_USERNAME, password=DEMO_PASSWORD, display_name="陈调解员", kind=AccountKind.OFFICER
    )
    mediators = [
        Mediator.objects.create(centre=centre, user=account, name="陈调解员", phone="0574-87001234"),
        Mediator.objects.create(centre=centre, name="刘律师", phone="0574-87001235"),
        Mediator.objects.create(centre=studio, name="周主席", phone="0574-87001236"),
    ]
    workplaces = list(Workplace.objects.filter(union__path__startswith=district.path).order_by("pk")[:40])
    reporter = User.objects.filter(username=MEMBER_MOBILE).first()
    year = today.year
    start = date(year, 1, 5)
    statuses = [status for status, weight in STATUSES for _ in range(weight)]
    claim_types = list(ClaimType)
    sequence = DisputeCounter.objects.filter(year=year).values_list("last", flat=True).first() or 0
    parties: list[Party] = []
    claims: list[ClaimItem] = []
    history: list[DisputeHistory] = []
    for index in range(DISPUTES):
        status = statuses[index % len(statuses)]
        open_case = status in (DisputeStatus.RECEIVED, DisputeStatus.ACCEPTED, DisputeStatus.IN_MEDIATION)
        if open_case:
            # Half the open disputes are past the 15-day limit, the rest arrived lately.
            received = today - timedelta(days=rng.randint(20, 40) if index % 2 else rng.randint(0, 9))
        else:
            received = start + timedelta(days=rng.randint(0, max(1, (today - start).days - 40)))
        workplace = rng.choice(workplaces) if workplaces and rng.random() < 0.85 else None
        org = workplace.union if workplace is not None and workplace.union is not None else district
        collective = index == 7
        workers = 23 if collective else rng.choice((1, 1, 1, 2, 3))
        mediator = rng.choice(mediators) if status != DisputeStatus.RECEIVED else None
        concluded = None
        if not open_case:
            concluded = min(today, received + timedelta(days=rng.randint(3, 14)))
        sequence += 1
        kinds = rng.sample(claim_types[:6], k=rng.choice((1, 1, 2)))
        dispute = Dispute.objects.create(
            number=dispute_number(year, sequence),
            year=year,
            sequence=sequence,
            channel=rng.choice(list(IntakeChannel)) if index % 9 else IntakeChannel.ONLINE,
            org=org,
            centre=mediator.centre if mediator else None,
            mediator=mediator,
            workplace=workplace,
            employer_name=workplace.name if workplace else "某装修工程队",
            summary=SUMMARIES[kinds[0]],
            description="职工反映情况属实，已收集工资条和考勤记录。",
            received_on=received,
            mediation_deadline=due_date("rights.mediation", received),
            status=status,
            workers_count=workers,
            is_collective=workers >= COLLECTIVE_THRESHOLD,
            reporter=reporter if index in (3, 12) else None,
            concluded_on=concluded,
            decline_reason="不属于劳动争议调解范围" if status == DisputeStatus.DECLINED else None,
            failure_reason="用人单位拒绝调解"
            if status in (DisputeStatus.FAILED, DisputeStatus.REFERRED)
            else None,
            referred_to=ReferralBody.ARBITRATION if status == DisputeStatus.REFERRED else "",
            referral_body="区劳动人事争议仲裁委员会" if status == DisputeStatus.REFERRED else "",
            referred_on=concluded if status == DisputeStatus.REFERRED else None,
            followup_due=due_date("rights.followup", concluded) if concluded else None,
            followup_on=min(today, concluded + timedelta(days=10))
            if concluded and status in (DisputeStatus.CLOSED, DisputeStatus.ARCHIVED)
            else None,
            followup_note="款项已到账，职工表示满意。"
            if status in (DisputeStatus.CLOSED, DisputeStatus.ARCHIVED)
            else "",
            rating=rng.choice((4, 5, 5, 3))
            if status in (DisputeStatus.CLOSED, DisputeStatus.ARCHIVED)
            else None,
        )
        settled = status in (DisputeStatus.SETTLED, DisputeStatus.CLOSED, DisputeStatus.ARCHIVED)
        for position, kind in enumerate(kinds, start=1):
            claimed = _amount(rng, 2000, 60000) * (workers if collective else 1)
            agreed = (
                (claimed * Decimal(rng.choice(("0.8", "0.9", "1.0")))).quantize(Decimal("0.01"))
                if settled
                else None
            )
            recovered = agreed if agreed is not None and status != DisputeStatus.SETTLED else Decimal("0.00")
            claims.append(
                ClaimItem(
                    dispute=dispute,
                    position=position,
                    type=kind,
                    amount_claimed=claimed,
                    amount_agreed=agreed,
                    amount_recovered=recovered,
                )
            )
        for position in range(1, min(workers, 12) + 1):
            mobile = f"139{rng.randrange(10**8):08d}"
            parties.append(
                Party(
                    dispute=dispute,
                    position=position,
                    name=_name(rng),
                    mobile=mobile,
                    mobile_index=mobile_index(mobile),
                )
            )
        if settled and concluded is not None:
            Settlement.objects.create(
                dispute=dispute,
                terms="用人单位于签订协议之日起十日内一次性支付上述款项。",
                signed_on=concluded,
            )
        history.append(
            DisputeHistory(dispute=dispute, action=DisputeAction.RECEIVE, to_status=DisputeStatus.RECEIVED)
        )
        source = DisputeStatus.RECEIVED
        for action in PATH[status]:
            history.append(
                DisputeHistory(dispute=dispute, action=action, from_status=source, to_status=TARGET[action])
            )
            source = TARGET[action]
        if collective:
            CollectiveAlert.objects.create(dispute=dispute, org=superior_org(org))
    Party.objects.bulk_create(parties)
    ClaimItem.objects.bulk_create(claims)
    DisputeHistory.objects.bulk_create(history)
    counter, _created = DisputeCounter.objects.get_or_create(year=year)
    last = Dispute.objects.filter(year=year).aggregate(Max("sequence"))["sequence__max"] or 0
    DisputeCounter.objects.filter(pk=counter.pk).update(last=max(counter.last, last))


def reset_demo_rights(root: Org) -> None:
    """Remove the demo's disputes, centres and mediators (they hold orgs, workplaces and
    accounts with PROTECT, so the reset calls this before deleting those)."""
    Dispute.objects.filter(org__path__startswith=root.path).delete()
    Mediator.objects.filter(centre__org__path__startswith=root.path).delete()
    MediationCentre.objects.filter(org__path__startswith=root.path).delete()
    User.objects.filter(username=MEDIATOR_USERNAME).delete()
