"""Builders for the care campaign and education application tests: rows as the services would
leave them (a file on record has its grade, an application its document)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_member as make_member_account
from gonghui.assistance.models import (
    BeneficiarySource,
    CareBeneficiary,
    CareCampaign,
    CareCampaignStatus,
    Channel,
    EducationApplication,
    EducationDocument,
    HardshipFile,
    HardshipFileStatus,
    HardshipGrade,
    SchoolLevel,
    Season,
)
from gonghui.assistance.tests.factories import make_care_campaign
from gonghui.core.idnumbers import make_id_number
from gonghui.members.models import Member, id_number_index
from gonghui.members.tests.factories import member_row
from gonghui.orgs.models import Org

# The smallest valid PDF header: check_document reads the type from the bytes.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_children = iter(range(1, 10**6))


def child_id_number() -> str:
    n = next(_children)
    return make_id_number("330203", date(2008, 1, 1) + timedelta(days=n // 400), (n % 400) * 2 + 2, "female")


def member_of(org: Org, **fields: Any) -> Member:
    member: Member = member_row(org, **fields)
    member.save()
    return member


def on_file(
    member: Member, grade: str = HardshipGrade.SEVERE, *, status: str = HardshipFileStatus.ON_FILE
) -> HardshipFile:
    """A hardship file of `member` on record with `grade` (or in another status, gradeless)."""
    graded = status in (HardshipFileStatus.ON_FILE, HardshipFileStatus.EXITED)
    file: HardshipFile = HardshipFile.objects.create(
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        year=2027,
        status=status,
        grade=grade if graded else "",
        situation="家中老人常年患病",
        household_size=3,
        household_monthly_income=Decimal("2400.00"),
        per_capita_income=Decimal("800.00"),
        channel=Channel.OFFICER,
    )
    return file


def member_account(member: Member, mobile: str) -> User:
    """A portal account linked to `member`."""
    user = make_member_account(mobile, display_name=member.name)
    Member.objects.filter(pk=member.pk).update(user=user)
    member.user = user
    return user


def listing_campaign(org: Org, **fields: Any) -> CareCampaign:
    campaign = make_care_campaign(org, **fields)
    CareCampaign.objects.filter(pk=campaign.pk).update(status=CareCampaignStatus.LISTING)
    campaign.refresh_from_db()
    return campaign


def education_campaign(org: Org, **fields: Any) -> CareCampaign:
    """An autumn education campaign taking applications today."""
    today = timezone.localdate()
    fields.setdefault("applications_from", today - timedelta(days=10))
    fields.setdefault("applications_until", today + timedelta(days=20))
    fields.setdefault("year", today.year)
    fields.setdefault("amount_per_person", "2000.00")
    return listing_campaign(org, season=Season.AUTUMN_EDUCATION, **fields)


def beneficiary(
    campaign: CareCampaign, member: Member, amount: str | None = None, **fields: Any
) -> CareBeneficiary:
    row: CareBeneficiary = CareBeneficiary.objects.create(
        campaign=campaign,
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        amount=Decimal(amount) if amount is not None else campaign.amount_per_person,
        source=fields.pop("source", BeneficiarySource.RULE),
        **fields,
    )
    return row


def application(campaign: CareCampaign, member: Member, **fields: Any) -> EducationApplication:
    child = fields.pop("child_id_number", None) or child_id_number()
    row: EducationApplication = EducationApplication.objects.create(
        campaign=campaign,
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        child_name=fields.pop("child_name", "王小雨"),
        child_id_number=child,
        child_index=id_number_index(child),
        school=fields.pop("school", "浙江大学"),
        level=fields.pop("level", SchoolLevel.UNDERGRADUATE),
        admission_year=fields.pop("admission_year", campaign.year),
        channel=Channel.MEMBER,
        **fields,
    )
    document = EducationDocument(
        application=row, original_name="录取通知书.pdf", content_type="application/pdf", size=len(PDF)
    )
    document.file.save("test-admission.pdf", ContentFile(PDF), save=True)
    return row


def education_application(org: Org) -> EducationApplication:
    """A submitted application of a member of `org` to an education campaign of `org`."""
    return application(education_campaign(org), member_of(org))


def campaign_beneficiary(org: Org) -> CareBeneficiary:
    """A rule-picked person of `org` on the listing campaign of `org`."""
    return beneficiary(listing_campaign(org), member_of(org))
