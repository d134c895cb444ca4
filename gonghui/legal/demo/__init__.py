"""Demo data of legal consultation and aid for the demo city (gonghui.orgs.demo.loader seeds and
resets it): volunteer lawyers, one of them with the sign-in `legal.lawyer` (the demo password),
about 80 consultations over the last three months and about 15 legal aid cases in every status.
Written as rows (not through the services): the demo shows finished work, and the services'
rules are tested elsewhere."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from gonghui.accounts.models import AccountKind, User
from gonghui.legal.models import (
    AID_TRANSITIONS,
    AidAction,
    AidChannel,
    AidMessage,
    AidStatus,
    Author,
    Channel,
    ConsultationMessage,
    ConsultationStatus,
    Lawyer,
    LegalAid,
    LegalAidHistory,
    LegalConsultation,
    Outcome,
    Topic,
)
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.demo.accounts import DEMO_PASSWORD, MEMBER_MOBILE
from gonghui.orgs.models import Org, OrgKind
from gonghui.workdays.deadlines import due_date

LAWYER_USERNAME = "legal.lawyer"
CONSULTATIONS = 80
DAYS_BACK = 90

LAWYERS = (
    ("周明", "示范市明正律师事务所", "劳动争议、工伤赔偿"),
    ("吴婷", "示范市公信律师事务所", "劳动合同、社会保险"),
    ("郑浩", "东海律师事务所", "欠薪、集体劳动争议"),
    ("冯敏", "和衡律师事务所", "女职工权益、劳动合同"),
    ("陈立", "正阳律师事务所", "工伤认定、社会保险"),
    ("褚兰", "示范市法律援助律师事务所", "解除劳动合同、经济补偿"),
)
QUESTIONS = {
    Topic.WAGES: (
        "公司已经拖欠两个月工资，我该怎么办？",
        "可先向公司书面催告，仍不支付可向劳动监察投诉或申请劳动仲裁。",
    ),
    Topic.CONTRACT: (
        "入职半年公司一直不签劳动合同，合法吗？",
        "用人单位自用工之日起超过一个月不满一年未订立书面劳动合同的，应当支付二倍工资。",
    ),
    Topic.SOCIAL_INSURANCE: (
        "公司按最低标准给我交社保，可以吗？",
        "社保缴费基数应按本人上年度月平均工资确定，可向社保经办机构反映。",
    ),
    Topic.WORK_INJURY: (
        "下班路上被车撞了算工伤吗？",
        "在上下班途中受到非本人主要责任的交通事故伤害的，应当认定为工伤。",
    ),
    Topic.DISMISSAL: (
        "公司口头通知我明天不用来了，有补偿吗？",
        "用人单位违法解除劳动合同的，应按经济补偿标准的二倍支付赔偿金。",
    ),
    Topic.OTHER: (
        "加班费应该怎么计算？",
        "工作日延长工作时间按150%，休息日安排工作又不能补休的按200%，法定节假日按300%支付。",
    ),
}
EMPLOYERS = (
    "示范市宏达建筑工程有限公司",
    "东区恒信物流有限公司",
    "示范市美佳餐饮管理有限公司",
    "新城电子科技有限公司",
)
# Statuses of the demo's aid cases, each reached through the table's steps from "submitted".
AID_STATUSES = (
    AidStatus.SUBMITTED,
    AidStatus.SUBMITTED,
    AidStatus.UNDER_REVIEW,
    AidStatus.UNDER_REVIEW,
    AidStatus.APPROVED,
    AidStatus.REJECTED,
    AidStatus.ASSIGNED,
    AidStatus.ASSIGNED,
    AidStatus.IN_PROGRESS,
    AidStatus.IN_PROGRESS,
    AidStatus.CONCLUDED,
    AidStatus.CONCLUDED,
    AidStatus.CLOSED,
    AidStatus.CLOSED,
    AidStatus.CLOSED,
)
PATH_TO = {
    AidStatus.SUBMITTED: (),
    AidStatus.UNDER_REVIEW: (AidAction.REVIEW,),
    AidStatus.APPROVED: (AidAction.REVIEW, AidAction.APPROVE),
    AidStatus.REJECTED: (AidAction.REVIEW, AidAction.REJECT),
    AidStatus.ASSIGNED: (AidAction.REVIEW, AidAction.APPROVE, AidAction.ASSIGN),
    AidStatus.IN_PROGRESS: (AidAction.REVIEW, AidAction.APPROVE, AidAction.ASSIGN, AidAction.START),
    AidStatus.CONCLUDED: (
        AidAction.REVIEW,
        AidAction.APPROVE,
        AidAction.ASSIGN,
        AidAction.START,
        AidAction.CONCLUDE,
    ),
    AidStatus.CLOSED: (
        AidAction.REVIEW,
        AidAction.APPROVE,
        AidAction.ASSIGN,
        AidAction.START,
        AidAction.CONCLUDE,
        AidAction.CLOSE,
    ),
}


def _lawyers(root: Org, district: Org) -> list[Lawyer]:
    rows = []
    for index, (name, firm, areas) in enumerate(LAWYERS):
        user = None
        if index == 0 and not User.objects.filter(username=LAWYER_USERNAME).exists():
            user = User.objects.create_user(
                username=LAWYER_USERNAME, password=DEMO_PASSWORD, display_name=name, kind=AccountKind.OFFICER
            )
        rows.append(
            Lawyer.objects.create(
                org=district if index < 4 else root,
                name=name,
                law_firm=firm,
                licence_number=f"133022{2010 + index}1{index:06d}",
                practice_areas=areas,
                user=user,
            )
        )
    return rows


def _consultations(unions: list[Org], lawyers: list[Lawyer], rng: random.Random) -> None:
    today = timezone.localdate()
    worker = User.objects.filter(username=MEMBER_MOBILE).first()
    channels = [Channel.WALK_IN, Channel.HOTLINE, Channel.HOTLINE, Channel.ONLINE, Channel.OUTREACH]
    for index in range(CONSULTATIONS):
        topic = rng.choice(list(Topic))
        question, answer = QUESTIONS[topic]
        asked_on = today - timedelta(days=rng.randrange(0, DAYS_BACK))
        channel = rng.choice(channels)
        online_by_demo_member = worker is not None and index < 3
        answered = (asked_on < today - timedelta(days=2) and rng.random() < 0.85) or index == 0
        lawyer = rng.choice(lawyers) if rng.random() < 0.3 else None
        if index < 4:
            lawyer = lawyers[0]  # the sign-in lawyer has work on the desk
        consultation = LegalConsultation.objects.create(
            org=rng.choice(unions),
            channel=Channel.ONLINE if online_by_demo_member else channel,
            topic=topic,
            question=question,
            asker_name=rng.choice(("王芳", "李强", "张伟", "刘洋", "陈静", "杨磊")),
            asker_mobile=f"139{rng.randrange(10_000_000, 99_999_999)}",
            asker=worker if online_by_demo_member else None,
            asked_on=asked_on,
            answer_due=due_date("legal.consultation_answer", asked_on),
            status=ConsultationStatus.ANSWERED if answered else ConsultationStatus.AWAITING,
            lawyer=lawyer,
            answered_at=timezone.now() if answered else None,
        )
        if answered:
            ConsultationMessage.objects.create(
                consultation=consultation,
                author=Author.LAWYER if lawyer else Author.OFFICER,
                lawyer=lawyer,
                text=answer,
            )


def _aid(unions: list[Org], members: list[Member], lawyers: list[Lawyer], rng: random.Random) -> None:
    today = timezone.localdate()
    for index, status in enumerate(AID_STATUSES):
        member = members[index % len(members)] if members and index % 3 else None
        submitted_on = today - timedelta(
            days=rng.randrange(1, 6) if status in {AidStatus.SUBMITTED} else rng.randrange(10, 80)
        )
        lawyer = lawyers[0] if index in {6, 8, 10} else rng.choice(lawyers)
        needs_lawyer = status in {
            AidStatus.ASSIGNED,
            AidStatus.IN_PROGRESS,
            AidStatus.CONCLUDED,
            AidStatus.CLOSED,
        }
        concluded = status in {AidStatus.CONCLUDED, AidStatus.CLOSED}
        amount = Decimal(rng.randrange(30, 600) * 100)
        outcome = rng.choice(list(Outcome)) if concluded else ""
        aid = LegalAid.objects.create(
            org=member.org if member is not None else rng.choice(unions),
            channel=AidChannel.ONLINE if index % 2 else AidChannel.OFFICER,
            member=member,
            applicant=member.user if member is not None else None,
            applicant_name=member.name if member is not None else rng.choice(("赵敏", "孙浩", "周丽")),
            applicant_mobile=f"138{rng.randrange(10_000_000, 99_999_999)}",
            matter_type=rng.choice(list(Topic)),
            description="用人单位拖欠工资并拒绝支付经济补偿，多次协商未果。",
            employer_name=rng.choice(EMPLOYERS),
            amount_at_stake=amount,
            submitted_on=submitted_on,
            review_due=due_date("legal.aid_review", submitted_on),
            status=status,
            is_eligible=member is not None or index % 4 != 0,
            eligible_as_member=member is not None,
            eligible_by_hardship_file=False,
            eligible_by_income=member is None and index % 4 != 0,
            household_size=None if member is not None else 3,
            household_monthly_income=None if member is not None else Decimal("2700.00"),
            per_capita_income=None if member is not None else Decimal("900.00"),
            reject_reason="不属于劳动争议，建议向有关部门咨询。" if status == AidStatus.REJECTED else "",
            lawyer=lawyer if needs_lawyer else None,
            outcome=outcome,
            amount_recovered=(amount if outcome == Outcome.WON else amount / 2).quantize(Decimal("0.01"))
            if concluded
            else None,
            summary="经调解，用人单位同意分期支付。" if concluded else "",
            concluded_on=submitted_on + timedelta(days=8) if concluded else None,
            rating=rng.choice((4, 5, 5)) if status == AidStatus.CLOSED else None,
        )
        LegalAidHistory.objects.create(
            aid=aid, action=AidAction.SUBMIT, from_status="", to_status=AidStatus.SUBMITTED
        )
        previous = AidStatus.SUBMITTED
        for action in PATH_TO[status]:
            target = AID_TRANSITIONS[action].target
            LegalAidHistory.objects.create(aid=aid, action=action, from_status=previous, to_status=target)
            previous = target
        if needs_lawyer:
            AidMessage.objects.create(
                aid=aid, author=Author.LAWYER, text="您好，我是您的援助律师，请准备劳动合同和工资流水。"
            )


def seed_demo_legal(root: Org, *, district: Org, seed: int) -> None:
    """Seed the legal demo of `root`'s tree; a tree that has lawyers already is left as it is."""
    if Lawyer.objects.filter(org__path__startswith=root.path).exists():
        return
    rng = random.Random(f"{seed}:legal")  # noqa: S311 - invented data
    unions = list(
        Org.objects.filter(path__startswith=district.path, kind=OrgKind.GRASSROOTS).order_by("path")[:30]
    ) or [district]
    members = list(
        Member.objects.filter(org__path__startswith=district.path, status=MemberStatus.ACTIVE)
        .select_related("org", "user")
        .order_by("id")[:10]
    )
    lawyers = _lawyers(root, district)
    _consultations(unions, lawyers, rng)
    _aid(unions, members, lawyers, rng)


def reset_demo_legal(root: Org) -> None:
    """Remove the legal demo of `root`'s tree: cases first (they point at lawyers), then the
    lawyers and the demo lawyer's sign-in."""
    LegalAid.objects.filter(org__path__startswith=root.path).delete()
    LegalConsultation.objects.filter(org__path__startswith=root.path).delete()
    lawyers = Lawyer.objects.filter(org__path__startswith=root.path)
    user_ids = list(lawyers.exclude(user=None).values_list("user_id", flat=True))
    lawyers.delete()
    User.objects.filter(pk__in=user_ids).delete()
