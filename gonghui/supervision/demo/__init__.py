"""Labour-law supervision in the demo city: the district federation's supervision committee and
about thirty inspections of workplaces in the district over the past months, in every state of
the workflow, with findings, notices of all three kinds, follow-ups (some overdue, so that the
overdue list has rows) and a few interviews. Written directly (the demo loader is the system
itself); choices come from the city's seed. Called by the demo loader once the city is loaded
and undone by its reset (inspections hold their workplaces with PROTECT)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from gonghui.orgs.models import Org, Workplace
from gonghui.supervision.models import (
    Finding,
    FollowUp,
    FollowUpDocument,
    FollowUpResult,
    Inspection,
    InspectionHistory,
    InspectionKind,
    InspectionStatus,
    Interview,
    Notice,
    NoticeKind,
    ScopeItem,
    Severity,
    Supervisor,
)
from gonghui.supervision.services.notices import FOLLOWUP_RULE, RECTIFICATION_RULE, notice_number
from gonghui.workdays.deadlines import due_date

INSPECTIONS = 30
S = InspectionStatus

SUPERVISORS = (
    ("陈立新", "13857400101"),
    ("王海燕", "13857400102"),
    ("李建国", "13857400103"),
    ("张晓红", "13857400104"),
    ("刘志强", "13857400105"),
    ("周丽萍", "13857400106"),
)


@dataclass(frozen=True)
class DemoFinding:
    item: str
    text: str
    severity: str
    basis: str


FINDINGS = (
    DemoFinding(ScopeItem.WAGES, "拖欠一线职工两个月工资共计18.6万元", Severity.GRAVE, "《劳动法》第五十条"),
    DemoFinding(
        ScopeItem.CONTRACTS,
        "12名职工入职超过一个月未签订书面劳动合同",
        Severity.SERIOUS,
        "《劳动合同法》第十条",
    ),
    DemoFinding(
        ScopeItem.HOURS,
        "生产旺季连续安排加班，月加班时间超过36小时",
        Severity.SERIOUS,
        "《劳动法》第四十一条",
    ),
    DemoFinding(
        ScopeItem.SOCIAL_INSURANCE, "未为5名职工缴纳社会保险", Severity.SERIOUS, "《社会保险法》第五十八条"
    ),
    DemoFinding(ScopeItem.SAFETY, "车间未按规定配发防护用品", Severity.MINOR, "《安全生产法》第四十五条"),
    DemoFinding(
        ScopeItem.FEMALE_WORKERS,
        "孕期女职工仍被安排夜班",
        Severity.SERIOUS,
        "《女职工劳动保护特别规定》第六条",
    ),
    DemoFinding(
        ScopeItem.MINIMUM_WAGE, "试用期工资低于当地最低工资标准", Severity.GRAVE, "《最低工资规定》第十二条"
    ),
)

REQUIREMENTS: dict[str, str] = {
    ScopeItem.WAGES: "立即足额支付拖欠的工资，并建立工资支付台账。",
    ScopeItem.CONTRACTS: "与未签合同的职工补签书面劳动合同。",
    ScopeItem.HOURS: "与工会协商合理安排工作时间，依法支付加班工资。",
    ScopeItem.SOCIAL_INSURANCE: "为全体职工依法足额缴纳社会保险费。",
    ScopeItem.SAFETY: "为一线岗位配齐劳动防护用品。",
    ScopeItem.FEMALE_WORKERS: "调整孕期女职工岗位，不得安排夜班劳动。",
    ScopeItem.MINIMUM_WAGE: "补足差额，试用期工资不得低于最低工资标准。",
}

# How far along each inspection is, in order of the seeded workplaces (repeated to INSPECTIONS).
PLAN = (
    S.CLOSED, S.RECTIFIED, S.AWAITING_RECTIFICATION, S.NOT_RECTIFIED, S.CLOSED,
    S.FINDINGS_RECORDED, S.IN_PROGRESS, S.PLANNED, S.AWAITING_RECTIFICATION, S.CANCELLED,
)  # fmt: skip


def _history(inspection: Inspection, path: list[str], day: date) -> None:
    previous = ""
    for status in path:
        InspectionHistory.objects.create(inspection=inspection, from_status=previous, to_status=status)
        previous = status
    InspectionHistory.objects.filter(inspection=inspection).update(
        created_at=timezone.make_aware(datetime(day.year, day.month, day.day, 10))
    )


def _path_to(status: str, second_round: bool) -> list[str]:
    path: list[str] = [S.PLANNED]
    if status == S.PLANNED:
        return path
    if status == S.CANCELLED:
        return [*path, S.CANCELLED]
    path.append(S.IN_PROGRESS)
    if status == S.IN_PROGRESS:
        return path
    path.append(S.FINDINGS_RECORDED)
    if status == S.FINDINGS_RECORDED:
        return path
    path.append(S.AWAITING_RECTIFICATION)
    if second_round:
        path += [S.NOT_RECTIFIED, S.AWAITING_RECTIFICATION]
    if status == S.AWAITING_RECTIFICATION:
        return path
    path.append(S.RECTIFIED if status in (S.RECTIFIED, S.CLOSED) else S.NOT_RECTIFIED)
    if status == S.CLOSED:
        path.append(S.CLOSED)
    return path


class _Numbers:
    def __init__(self, org: Org) -> None:
        self.org = org
        self.used: dict[int, int] = {}

    def next(self, kind: str, year: int) -> tuple[int, str]:
        sequence = self.used.get(year, 0) + 1
        self.used[year] = sequence
        return sequence, notice_number(self.org, kind, year, sequence)


def seed_demo_supervision(root: Org, *, district: Org, seed: int) -> None:
    """Supervisors of `district` and INSPECTIONS inspections of workplaces in its area."""
    rng = random.Random(f"{seed}:supervision")  # noqa: S311 — demo data, reproducible from the seed
    today = timezone.localdate()
    supervisors = [
        Supervisor.objects.create(
            org=district, name=name, certificate_number=f"JD{today.year - 1}{number:03d}", mobile=mobile
        )
        for number, (name, mobile) in enumerate(SUPERVISORS, start=1)
    ]
    workplaces = list(
        Workplace.objects.filter(jurisdiction__path__startswith=district.path).order_by("id")[
            : INSPECTIONS * 3
        ]
    )
    rng.shuffle(workplaces)
    numbers = _Numbers(district)
    for index, workplace in enumerate(sorted(workplaces[:INSPECTIONS], key=lambda place: place.pk)):
        status = PLAN[index % len(PLAN)]
        days_ago = 5 if status == S.PLANNED else 300 - index * 9
        inspected_on = today - timedelta(days=days_ago) if status != S.PLANNED else today + timedelta(days=5)
        kind = (InspectionKind.CAMPAIGN, InspectionKind.ROUTINE, InspectionKind.COMPLAINT)[index % 3]
        picked = rng.sample(FINDINGS, k=1 + index % 2)
        inspection = Inspection.objects.create(
            org=district,
            workplace=workplace,
            inspected_on=inspected_on,
            kind=kind,
            campaign="根治欠薪专项行动" if kind == InspectionKind.CAMPAIGN else "",
            scope_items=[
                item for item in ScopeItem.values if item in {f.item for f in picked} | {ScopeItem.CONTRACTS}
            ],
            summary="检查组查阅了劳动合同、工资发放记录和考勤表，并与职工代表座谈。",
            status=status,
        )
        inspection.supervisors.set(rng.sample(supervisors, k=2))
        second_round = status == S.AWAITING_RECTIFICATION and index % 4 == 2
        _history(inspection, _path_to(status, second_round), min(inspected_on, today))
        if status in (S.PLANNED, S.IN_PROGRESS, S.CANCELLED):
            continue
        findings = [
            Finding.objects.create(
                inspection=inspection, item=f.item, finding=f.text, severity=f.severity, legal_basis=f.basis
            )
            for f in picked
        ]
        if status == S.FINDINGS_RECORDED:
            continue
        rounds = [NoticeKind.REMINDER, NoticeKind.OPINION] if second_round else [NoticeKind.REMINDER]
        if status == S.NOT_RECTIFIED or index % 5 == 1:
            rounds = [NoticeKind.RECOMMENDATION]
        issued_on = inspected_on + timedelta(days=3)
        for round_number, notice_kind in enumerate(rounds):
            last = round_number == len(rounds) - 1
            deadline = due_date(RECTIFICATION_RULE, issued_on)
            # The overdue list needs rows: some awaiting inspections are past their deadline.
            if last and status == S.AWAITING_RECTIFICATION and index % 4 != 0:
                deadline = min(deadline, today - timedelta(days=4))
            elif last and status == S.AWAITING_RECTIFICATION:
                deadline = max(deadline, today + timedelta(days=10))
            sequence, number = numbers.next(notice_kind, issued_on.year)
            notice = Notice.objects.create(
                inspection=inspection,
                org=district,
                kind=notice_kind,
                year=issued_on.year,
                sequence=sequence,
                number=number,
                issued_on=issued_on,
                rectification_deadline=deadline,
                followup_due=due_date(FOLLOWUP_RULE, deadline),
                requirements="\n".join(REQUIREMENTS[f.item] for f in picked),
                issuer_name=district.name,
                workplace_name=workplace.name,
            )
            notice.findings.set(findings)
            if last and status == S.AWAITING_RECTIFICATION:
                break
            result = (
                FollowUpResult.PARTLY
                if not last
                else (
                    FollowUpResult.RECTIFIED
                    if status in (S.RECTIFIED, S.CLOSED)
                    else FollowUpResult.NOT_RECTIFIED
                )
            )
            checked_on = min(deadline + timedelta(days=2), today)
            FollowUp.objects.create(
                notice=notice, checked_on=checked_on, result=result, note="回访核实整改情况。"
            )
            issued_on = checked_on + timedelta(days=1)
        if status == S.NOT_RECTIFIED or second_round:
            Interview.objects.create(
                org=district,
                workplace=workplace,
                inspection=inspection,
                held_on=min(issued_on + timedelta(days=1), today),
                representative="单位负责人（总经理）",
                attendees=f"{district.name} {supervisors[0].name}、{supervisors[1].name}\n单位负责人、人事主管",  # noqa: E501
                subject="未按期整改约谈",
                record="通报检查发现的问题和回访情况，单位负责人说明了未整改的原因。",
                commitments="一个月内完成整改并书面报告区总工会。",
            )


def reset_demo_supervision(root: Org) -> None:
    """Remove every supervision record of the demo tree or its workplaces, children first."""
    in_tree = Q(org__path__startswith=root.path) | Q(workplace__jurisdiction__path__startswith=root.path)
    inspections = Inspection.objects.filter(in_tree)
    notices = Notice.objects.filter(Q(org__path__startswith=root.path) | Q(inspection__in=inspections))
    FollowUpDocument.objects.filter(followup__notice__in=notices).delete()
    FollowUp.objects.filter(notice__in=notices).delete()
    notices.delete()
    Interview.objects.filter(in_tree).delete()
    inspections.delete()
    Supervisor.objects.filter(org__path__startswith=root.path).delete()
