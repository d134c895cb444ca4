"""Demo hardship files and income thresholds: the city's threshold for this year and last (some
districts set their own, higher), and households of members all over the tree — applications
waiting (a few of them overdue), files on record with their grade and re-check date (some due
now), a few not accepted and a few that left the record.

Rows are written in bulk as the services leave them: the figures come from
`household_figures`, every household row's blind index is unique among the active files (the
partial unique index holds), and each file has its history rows."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.assistance.models import (
    Channel,
    HardshipCause,
    HardshipFile,
    HardshipFileAction,
    HardshipFileCause,
    HardshipFileHistory,
    HardshipFileStatus,
    HardshipGrade,
    HouseholdMember,
    IncomeThreshold,
    Occupation,
    Relation,
)
from gonghui.assistance.services.files import household_figures, one_year_after
from gonghui.core.idnumbers import make_id_number
from gonghui.members.models import Member, MemberStatus, id_number_index
from gonghui.orgs.models import Org, OrgKind, OrgStatus

CITY_THRESHOLD = Decimal("1190.00")
DISTRICT_EXTRA = (Decimal("0.00"), Decimal("60.00"), Decimal("120.00"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
GIVEN_FEMALE = ("秀英", "桂英", "玉兰", "丽娟", "春梅", "雅静", "佳怡", "海燕", "红霞", "晓雯")
GIVEN_MALE = ("建国", "志强", "海涛", "德明", "国庆", "永刚", "子轩", "浩然", "宇航", "俊杰")
ILLNESSES = (
    "尿毒症，每周透析三次",
    "乳腺癌术后化疗",
    "脑梗后遗症，生活不能自理",
    "肢体二级残疾",
    "精神二级残疾",
    "白血病，正在住院治疗",
    "糖尿病并发症",
)
SITUATIONS = {
    HardshipCause.ILLNESS: "家中有人身患重病，长期治疗花费大，医保报销后自付部分仍难以承担。",
    HardshipCause.DISABILITY: "家庭成员残疾，需要长期照护，一人收入维持全家生活。",
    HardshipCause.ACCIDENT: "本人在上下班途中遭遇交通事故，停工治疗期间收入大幅减少。",
    HardshipCause.EDUCATION: "子女在读大学，学费和生活费开支较大，家庭入不敷出。",
    HardshipCause.UNEMPLOYMENT: "配偶所在企业停产，失业在家，家庭收入骤减。",
    HardshipCause.DISASTER: "台风造成房屋受损，修缮费用较高，家庭积蓄耗尽。",
    HardshipCause.LOW_INCOME: "本人工资收入低，家庭人口多，人均收入低于当地标准。",
}
OPINIONS_REJECT = (
    "经入户核实，家庭人均收入高于当地低收入标准，且无重大疾病等特殊困难，暂不纳入困难档案。",
    "申请材料不全，经多次联系未补齐，请补齐后重新申请。",
)
EXIT_REASONS = ("本人已再就业，家庭收入稳定，经复核退出档案。", "子女已毕业参加工作，家庭困难已缓解。")
# Share of files by status.
STATUS_WEIGHTS = (
    (HardshipFileStatus.APPLIED, 25),
    (HardshipFileStatus.ON_FILE, 55),
    (HardshipFileStatus.REJECTED, 10),
    (HardshipFileStatus.EXITED, 10),
)


Person = tuple[str, str, str, str, Decimal, str]  # relation, name, ID number, occupation, income, health


@dataclass
class Plan:
    file: HardshipFile
    people: list[Person]
    causes: list[str]
    applied_at: datetime
    reviewed_at: datetime | None


def _thresholds(root: Org, year: int) -> dict[str, IncomeThreshold]:
    """The city's thresholds for this year and last, and the district federations' own for this
    year (a third of them at the city's level set none)."""
    rows = [
        IncomeThreshold(
            org=root,
            year=year - 1,
            monthly_per_capita=CITY_THRESHOLD - Decimal("60.00"),
            note="市政府关于调整城乡居民最低生活保障标准的通知",
        ),
        IncomeThreshold(
            org=root,
            year=year,
            monthly_per_capita=CITY_THRESHOLD,
            note="市政府关于调整城乡居民最低生活保障标准的通知",
        ),
    ]
    districts = Org.objects.filter(
        path__startswith=root.path, depth=root.depth + 1, kind=OrgKind.FEDERATION, status=OrgStatus.ACTIVE
    ).order_by("path")
    for index, district in enumerate(districts):
        extra = DISTRICT_EXTRA[index % len(DISTRICT_EXTRA)]
        if extra:
            rows.append(
                IncomeThreshold(
                    org=district,
                    year=year,
                    monthly_per_capita=CITY_THRESHOLD + extra,
                    note="区政府低收入家庭认定标准",
                )
            )
    IncomeThreshold.objects.bulk_create(rows, ignore_conflicts=True)
    found = IncomeThreshold.objects.filter(org__path__startswith=root.path, year=year).select_related("org")
    return {threshold.org.path: threshold for threshold in found}


def _threshold_for(paths: dict[str, IncomeThreshold], org_path: str, steplen: int) -> IncomeThreshold | None:
    for end in range(len(org_path), 0, -steplen):
        found = paths.get(org_path[:end])
        if found is not None:
            return found
    return None


def _aware(day: date, rng: random.Random) -> datetime:
    moment = datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)))
    return timezone.make_aware(moment)


@transaction.atomic
def make_demo_files(root: Org, rng: random.Random, *, count: int) -> list[HardshipFile]:
    """Up to `count` hardship files of active members of `root`'s tree, with this year's income
    thresholds. A tree that has files already is left as it is."""
    if HardshipFile.objects.filter(org__path__startswith=root.path).exists():
        return []
    today = timezone.localdate()
    thresholds = _thresholds(root, today.year)
    candidates = list(
        Member.objects.filter(org__path__startswith=root.path, status=MemberStatus.ACTIVE)
        .select_related("org")
        .order_by("id")[: count * 20]
    )
    rng.shuffle(candidates)
    chosen = candidates[:count]
    used: set[str] = {member.id_number_index for member in chosen}
    statuses = [status for status, weight in STATUS_WEIGHTS for _ in range(weight)]
    files: list[HardshipFile] = []
    plans: list[Plan] = []
    for member in chosen:
        status = rng.choice(statuses)
        people = _household(member, rng, used)
        incomes = [income for *_rest, income, _health in people]
        other = Decimal(rng.choice(("0.00", "0.00", "300.00", "560.00")))
        figures = household_figures(incomes, other)
        picked = {str(cause) for cause in rng.sample(list(SITUATIONS), k=rng.choice((1, 1, 2)))}
        if any(health for *_rest, health in people):
            picked.add(HardshipCause.ILLNESS.value)
        causes = sorted(picked)
        days_ago = rng.randrange(3, 45) if status == HardshipFileStatus.APPLIED else rng.randrange(60, 700)
        applied_on = today - timedelta(days=days_ago)
        threshold = (
            _threshold_for(thresholds, member.org.path, Org.steplen)
            if applied_on.year == today.year
            else None
        )
        on_record = status in {HardshipFileStatus.ON_FILE, HardshipFileStatus.EXITED}
        reviewed_on = applied_on + timedelta(days=rng.randrange(5, 25))
        recheck_due = one_year_after(reviewed_on) if status == HardshipFileStatus.ON_FILE else None
        if recheck_due is not None and recheck_due < today - timedelta(days=60):
            recheck_due = today + timedelta(days=rng.randrange(-10, 40))
        hardship_file = HardshipFile(
            member=member,
            person_index=member.id_number_index,
            org=member.org,
            year=applied_on.year,
            status=status,
            grade=rng.choice(HardshipGrade.values) if on_record else "",
            situation=" ".join(SITUATIONS[HardshipCause(cause)] for cause in causes),
            other_monthly_income=other,
            household_size=figures.household_size,
            household_monthly_income=figures.household_monthly_income,
            per_capita_income=figures.per_capita_income,
            threshold=threshold.monthly_per_capita if threshold is not None else None,
            threshold_org=threshold.org if threshold is not None else None,
            channel=rng.choice((Channel.MEMBER, Channel.MEMBER, Channel.OFFICER)),
            opinion=rng.choice(OPINIONS_REJECT) if status == HardshipFileStatus.REJECTED else "",
            reviewed_at=_aware(reviewed_on, rng) if status != HardshipFileStatus.APPLIED else None,
            recheck_due=recheck_due,
            exited_on=min(today, one_year_after(reviewed_on))
            if status == HardshipFileStatus.EXITED
            else None,
            exit_reason=rng.choice(EXIT_REASONS) if status == HardshipFileStatus.EXITED else "",
        )
        files.append(hardship_file)
        plans.append(Plan(hardship_file, people, causes, _aware(applied_on, rng), hardship_file.reviewed_at))
    HardshipFile.objects.bulk_create(files, batch_size=500)
    # auto_now_add stamped every file "now"; the demo spreads the applications over time.
    for plan in plans:
        plan.file.created_at = plan.applied_at
    HardshipFile.objects.bulk_update(files, ["created_at"], batch_size=500)
    _children(plans)
    return files


def _household(member: Member, rng: random.Random, used: set[str]) -> list[Person]:
    """(relation, name, ID number, occupation, income, health) rows, the member first; the IDs
    are new and unique among the demo households."""
    own_income = Decimal(rng.randrange(1800, 4200, 50))
    rows = [(Relation.SELF.value, member.name, member.id_number, Occupation.EMPLOYED.value, own_income, "")]
    region = member.id_number[:6]
    surname = member.name[0]
    spouse_ill = rng.random() < 0.5
    if rng.random() < 0.85:
        sex = "female" if member.sex == "male" else "male"
        given = GIVEN_FEMALE if sex == "female" else GIVEN_MALE
        occupation = (
            Occupation.UNABLE if spouse_ill else rng.choice((Occupation.EMPLOYED, Occupation.UNEMPLOYED))
        )
        income = (
            Decimal("0.00") if occupation != Occupation.EMPLOYED else Decimal(rng.randrange(1500, 2600, 50))
        )
        rows.append(
            (
                Relation.SPOUSE.value,
                rng.choice(SURNAMES) + rng.choice(given),
                _new_id(
                    region,
                    date(1970 + rng.randrange(20), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                    sex,
                    rng,
                    used,
                ),
                occupation.value,
                income,
                rng.choice(ILLNESSES) if spouse_ill else "",
            )
        )
    for _child in range(rng.choice((0, 1, 1, 2))):
        sex = rng.choice(("male", "female"))
        given = GIVEN_FEMALE if sex == "female" else GIVEN_MALE
        born = date(2003 + rng.randrange(18), 1 + rng.randrange(12), 1 + rng.randrange(28))
        rows.append(
            (
                Relation.CHILD.value,
                surname + rng.choice(given),
                _new_id(region, born, sex, rng, used),
                (Occupation.STUDENT if born.year < 2020 else Occupation.PRESCHOOL).value,
                Decimal("0.00"),
                "",
            )
        )
    return rows


def _new_id(region: str, born: date, sex: str, rng: random.Random, used: set[str]) -> str:
    while True:
        sequence = rng.randrange(500) * 2 + (1 if sex == "male" else 0)  # odd for men, even for women
        value = make_id_number(region, born, sequence, "male" if sex == "male" else "female")
        index = id_number_index(value)
        if index not in used:
            used.add(index)
            return value


def _children(plans: list[Plan]) -> None:
    household: list[HouseholdMember] = []
    causes: list[HardshipFileCause] = []
    history: list[HardshipFileHistory] = []
    stamps: list[datetime] = []
    for plan in plans:
        hardship_file, people, file_causes = plan.file, plan.people, plan.causes
        decided_at = plan.reviewed_at or plan.applied_at
        active = hardship_file.status in {HardshipFileStatus.APPLIED, HardshipFileStatus.ON_FILE}
        for position, (relation, name, id_number, occupation, income, health) in enumerate(people, start=1):
            household.append(
                HouseholdMember(
                    file=hardship_file,
                    position=position,
                    relation=relation,
                    name=name,
                    id_number=id_number,
                    person_index=id_number_index(id_number),
                    occupation=occupation,
                    monthly_income=income,
                    health=health,
                    active=active,
                )
            )
        causes.extend(HardshipFileCause(file=hardship_file, cause=cause) for cause in file_causes)
        history.append(
            HardshipFileHistory(
                file=hardship_file,
                action=HardshipFileAction.APPLY,
                from_status="",
                to_status=HardshipFileStatus.APPLIED,
            )
        )
        stamps.append(plan.applied_at)
        if hardship_file.status == HardshipFileStatus.REJECTED:
            history.append(
                HardshipFileHistory(
                    file=hardship_file,
                    action=HardshipFileAction.REJECT,
                    from_status=HardshipFileStatus.APPLIED,
                    to_status=HardshipFileStatus.REJECTED,
                    comment=hardship_file.opinion,
                )
            )
            stamps.append(decided_at)
        elif hardship_file.status in {HardshipFileStatus.ON_FILE, HardshipFileStatus.EXITED}:
            history.append(
                HardshipFileHistory(
                    file=hardship_file,
                    action=HardshipFileAction.APPROVE,
                    from_status=HardshipFileStatus.APPLIED,
                    to_status=HardshipFileStatus.ON_FILE,
                    comment="经入户走访核实，情况属实，同意纳入困难职工档案。",
                )
            )
            stamps.append(decided_at)
            if hardship_file.status == HardshipFileStatus.EXITED:
                history.append(
                    HardshipFileHistory(
                        file=hardship_file,
                        action=HardshipFileAction.EXIT,
                        from_status=HardshipFileStatus.ON_FILE,
                        to_status=HardshipFileStatus.EXITED,
                        comment=hardship_file.exit_reason,
                    )
                )
                assert hardship_file.exited_on is not None
                stamps.append(
                    max(decided_at, timezone.make_aware(datetime.combine(hardship_file.exited_on, time(10))))
                )
    HouseholdMember.objects.bulk_create(household, batch_size=1000)
    HardshipFileCause.objects.bulk_create(causes, batch_size=1000)
    HardshipFileHistory.objects.bulk_create(history, batch_size=1000)
    for entry, stamp in zip(history, stamps, strict=True):
        entry.created_at = stamp
    HardshipFileHistory.objects.bulk_update(history, ["created_at"], batch_size=1000)


def reset_demo_files(root: Org) -> None:
    """Remove the hardship files and income thresholds of `root`'s tree (their household,
    causes, documents, re-checks and history go with them). Grants and campaign lists that
    point at files must be removed first."""
    HardshipFile.objects.filter(org__path__startswith=root.path).delete()
    IncomeThreshold.objects.filter(org__path__startswith=root.path).delete()
