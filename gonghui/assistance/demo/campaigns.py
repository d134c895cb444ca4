"""Demo care campaigns: the city's winter warmth for the families on record (list confirmed),
a district's summer cooling for gig workers (list being prepared, goods only), this autumn's
education grants taking applications (some approved, some turned down, some waiting), and last
spring's job fair, closed.

Lists are built with the same one-statement insert the service uses (`insert_rule_picks`), so
the unique (campaign, person) index holds; each budget covers its list, and each campaign has
its history rows. Call after the hardship files and funds are seeded: the winter list picks the
members on record and is paid from the city's fund if there is one (the payment itself is left
to the demo's finance officer)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any, Literal

from django.core.files.base import ContentFile
from django.db.models import Q, Sum
from django.utils import timezone

from gonghui.assistance.models import (
    ApplicationStatus,
    BeneficiarySource,
    CareBeneficiary,
    CareCampaign,
    CareCampaignAction,
    CareCampaignHistory,
    CareCampaignStatus,
    Channel,
    EducationApplication,
    EducationDocument,
    Fund,
    FundStatus,
    HardshipGrade,
    SchoolLevel,
    Season,
)
from gonghui.assistance.services.campaigns import insert_rule_picks, rule_members
from gonghui.core.idnumbers import make_id_number
from gonghui.members.categories import MemberCategory
from gonghui.members.models import Member, id_number_index
from gonghui.orgs.models import Org

SCHOOLS = (
    ("浙江大学", SchoolLevel.UNDERGRADUATE),
    ("宁波大学", SchoolLevel.UNDERGRADUATE),
    ("浙江工商职业技术学院", SchoolLevel.JUNIOR_COLLEGE),
    ("宁波职业技术学院", SchoolLevel.JUNIOR_COLLEGE),
    ("宁波市甬江职业高级中学", SchoolLevel.VOCATIONAL),
    ("复旦大学", SchoolLevel.POSTGRADUATE),
    ("宁波诺丁汉大学", SchoolLevel.UNDERGRADUATE),
)
CHILD_NAMES = ("雨欣", "子涵", "浩宇", "梓萱", "一诺", "欣怡", "俊熙", "思远", "佳琪", "博文")
REJECT_REASONS = (
    "录取通知书照片不清晰，请重新上传后再申请。",
    "子女已于往年享受过金秋助学资助，本年度不再重复资助。",
)
# A tiny valid PDF: the demo's admission letters are placeholders, not real scans.
DEMO_PDF = b"%PDF-1.4\n% demo admission letter\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _history(campaign: CareCampaign, steps: list[tuple[str, str, str]], comment: str = "") -> None:
    CareCampaignHistory.objects.bulk_create(
        CareCampaignHistory(
            campaign=campaign, action=action, from_status=before, to_status=after, comment=comment
        )
        for action, before, after in steps
    )


def _fit_budget(campaign: CareCampaign, headroom: Decimal) -> None:
    """A budget a little above the list's total, rounded up to ¥10,000 as budgets are."""
    total = CareBeneficiary.objects.filter(campaign=campaign).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)
    budget = ((total * headroom) / 10000).to_integral_value(rounding=ROUND_CEILING) * 10000
    campaign.budget = max(budget, Decimal("10000.00"))
    campaign.save(update_fields=["budget", "updated_at"])


def _campaign(root: Org, eligible: Org, season: str, year: int, title: str, **fields: Any) -> CareCampaign:
    fields.setdefault("budget", Decimal("10000.00"))
    campaign: CareCampaign = CareCampaign.objects.create(
        org=root, eligible_org=eligible, season=season, year=year, title=title, **fields
    )
    return campaign


BUILT: list[tuple[str, str, str]] = [
    (CareCampaignAction.CREATE, "", CareCampaignStatus.DRAFT),
    (CareCampaignAction.BUILD_LIST, CareCampaignStatus.DRAFT, CareCampaignStatus.LISTING),
]


def make_demo_campaigns(root: Org, rng: random.Random, *, district: Org) -> list[CareCampaign]:
    """The demo's care campaigns of `root` (the city federation) and `district` (one of its
    districts). A tree that has campaigns already is left as it is."""
    if CareCampaign.objects.filter(org__path__startswith=root.path).exists():
        return []
    today = timezone.localdate()
    year = today.year
    fund = Fund.objects.filter(org=root, status=FundStatus.OPEN).order_by("id").first()

    winter = _campaign(
        root,
        root,
        Season.WINTER_WARMTH,
        year,
        f"{year}年元旦春节送温暖",
        description="走访慰问在档困难职工家庭，每户发放慰问金。",
        amount_per_person=Decimal("800.00"),
        grades=[HardshipGrade.SEVERE, HardshipGrade.RELATIVE, HardshipGrade.ACCIDENTAL],
        fund=fund,
    )
    insert_rule_picks(winter, rule_members(winter), None)
    # Severe hardship gets more, as most federations' rules say.
    CareBeneficiary.objects.filter(campaign=winter, hardship_file__grade=HardshipGrade.SEVERE).update(
        amount=Decimal("1500.00"), note="深度困难，提高标准"
    )
    _fit_budget(winter, Decimal("1.05"))
    winter.status = CareCampaignStatus.CONFIRMED
    winter.save(update_fields=["status", "updated_at"])
    _history(
        winter,
        [*BUILT, (CareCampaignAction.CONFIRM, CareCampaignStatus.LISTING, CareCampaignStatus.CONFIRMED)],
    )

    summer = _campaign(
        district,
        district,
        Season.SUMMER_COOLING,
        year,
        f"{year}年夏送清凉·关爱新就业形态劳动者",
        description="为外卖骑手、快递员等户外劳动者送防暑降温用品。",
        amount_per_person=Decimal("120.00"),
        categories=[MemberCategory.GIG_WORKER],
    )
    insert_rule_picks(summer, rule_members(summer), None)
    _fit_budget(summer, Decimal("1.3"))
    summer.status = CareCampaignStatus.LISTING
    summer.save(update_fields=["status", "updated_at"])
    _history(summer, BUILT)

    autumn = _campaign(
        root,
        root,
        Season.AUTUMN_EDUCATION,
        year,
        f"{year}年金秋助学",
        description="资助困难职工家庭当年考入大中专院校的子女。",
        amount_per_person=Decimal("3000.00"),
        budget=Decimal("300000.00"),
        applications_from=today - timedelta(days=20),
        applications_until=today + timedelta(days=25),
        status=CareCampaignStatus.LISTING,
    )
    _history(autumn, BUILT)
    _applications(autumn, root, rng, year)

    spring = _campaign(
        district,
        district,
        Season.SPRING_JOBS,
        year - 1,
        f"{year - 1}年春风行动·送岗位",
        description="组织专场招聘会，为失业职工家属推荐岗位。",
        amount_per_person=Decimal("0.00"),
        grades=[HardshipGrade.RELATIVE],
        status=CareCampaignStatus.CLOSED,
    )
    insert_rule_picks(spring, rule_members(spring), None)
    _history(
        spring,
        [
            *BUILT,
            (CareCampaignAction.CONFIRM, CareCampaignStatus.LISTING, CareCampaignStatus.CONFIRMED),
            (CareCampaignAction.CLOSE, CareCampaignStatus.CONFIRMED, CareCampaignStatus.CLOSED),
        ],
    )
    return [winter, summer, autumn, spring]


def _applications(campaign: CareCampaign, root: Org, rng: random.Random, year: int) -> None:
    members = list(
        Member.objects.active()
        .in_subtree(root)
        .filter(user__isnull=False)
        .select_related("org")
        .order_by("id")[:40]
    ) or list(Member.objects.active().in_subtree(root).select_related("org").order_by("id")[:40])
    rng.shuffle(members)
    now = timezone.now()
    for number, member in enumerate(members[:12]):
        school, level = rng.choice(SCHOOLS)
        born = timezone.localdate().replace(year=year - 18) - timedelta(days=rng.randrange(0, 300))
        sex: Literal["male", "female"] = "male" if rng.random() < 0.5 else "female"
        child_id = make_id_number(member.id_number[:6], born, number * 2 + (1 if sex == "male" else 2), sex)
        status = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.SUBMITTED)[
            number % 3
        ]
        application = EducationApplication.objects.create(
            campaign=campaign,
            member=member,
            person_index=member.id_number_index,
            org=member.org,
            child_name=member.name[0] + rng.choice(CHILD_NAMES),
            child_id_number=child_id,
            child_index=id_number_index(child_id),
            school=school,
            level=level,
            admission_year=year,
            channel=Channel.MEMBER,
            status=status,
            decision_reason=rng.choice(REJECT_REASONS) if status == ApplicationStatus.REJECTED else "",
            decided_at=now if status != ApplicationStatus.SUBMITTED else None,
        )
        document = EducationDocument(
            application=application,
            original_name="录取通知书.pdf",
            content_type="application/pdf",
            size=len(DEMO_PDF),
        )
        document.file.save(f"demo-admission-{application.pk}.pdf", ContentFile(DEMO_PDF), save=True)
        if status == ApplicationStatus.APPROVED:
            CareBeneficiary.objects.get_or_create(
                campaign=campaign,
                person_index=member.id_number_index,
                defaults={
                    "member": member,
                    "org": member.org,
                    "amount": campaign.amount_per_person,
                    "source": BeneficiarySource.APPLICATION,
                    "note": f"{application.child_name}，{school}",
                },
            )


def reset_demo_campaigns(root: Org) -> None:
    """Remove the care campaigns of the demo tree with their lists and applications."""
    campaigns = CareCampaign.objects.filter(Q(org__path__startswith=root.path))
    documents = EducationDocument.objects.filter(application__campaign__in=campaigns)
    for document in documents:
        document.file.delete(save=False)
    documents.delete()
    EducationApplication.objects.filter(campaign__in=campaigns).delete()
    CareBeneficiary.objects.filter(campaign__in=campaigns).delete()
    CareCampaignHistory.objects.filter(campaign__in=campaigns).delete()
    campaigns.delete()
