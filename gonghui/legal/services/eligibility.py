"""Who may have legal aid from the union, checked when an application comes in.

Any one ground is enough, and each is recorded with the application:

1. the applicant is an active union member;
2. the household is on an open hardship file (gonghui.assistance, status "on record");
3. the household's monthly income per person is under the income threshold of the nearest
   federation at or above the case's union for the year (gonghui.assistance thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from gonghui.assistance.models import HardshipFile, HardshipFileStatus
from gonghui.assistance.services.thresholds import threshold_for
from gonghui.members.models import Member
from gonghui.orgs.models import Org

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Eligibility:
    as_member: bool
    by_hardship_file: bool
    by_income: bool
    per_capita_income: Decimal | None
    threshold: Decimal | None
    threshold_org: Org | None

    @property
    def eligible(self) -> bool:
        return self.as_member or self.by_hardship_file or self.by_income


def per_capita(household_size: int | None, monthly_income: Decimal | None) -> Decimal | None:
    if not household_size or monthly_income is None:
        return None
    return (monthly_income / household_size).quantize(CENT, rounding=ROUND_HALF_UP)


def check_eligibility(
    *,
    member: Member | None,
    org: Org,
    year: int,
    household_size: int | None,
    household_monthly_income: Decimal | None,
) -> Eligibility:
    as_member = member is not None and member.is_active
    on_file = (
        member is not None
        and HardshipFile.objects.filter(
            person_index=member.id_number_index, status=HardshipFileStatus.ON_FILE
        ).exists()
    )
    income = per_capita(household_size, household_monthly_income)
    threshold = threshold_for(org, year)
    by_income = income is not None and threshold is not None and income < threshold.monthly_per_capita
    return Eligibility(
        as_member=as_member,
        by_hardship_file=on_file,
        by_income=by_income,
        per_capita_income=income,
        threshold=threshold.monthly_per_capita if threshold is not None else None,
        threshold_org=threshold.org if threshold is not None else None,
    )


def eligibility_reasons(
    *,
    is_eligible: bool,
    as_member: bool,
    by_hardship_file: bool,
    by_income: bool,
    per_capita_income: Decimal | None,
    threshold: Decimal | None,
) -> list[str]:
    """The check's result in sentences, for the application's pages."""
    reasons: list[str] = []
    if as_member:
        reasons.append(_("The applicant is an active union member."))
    if by_hardship_file:
        reasons.append(_("The applicant's household is on a hardship file."))
    if per_capita_income is not None and threshold is not None:
        figures = {"income": per_capita_income, "threshold": threshold}
        if by_income:
            reasons.append(
                _("Income per person: %(income)s yuan a month, under the threshold of %(threshold)s yuan.")
                % figures
            )
        else:
            reasons.append(
                _("Income per person: %(income)s yuan a month, not under the threshold of %(threshold)s.")
                % figures
            )
    elif per_capita_income is not None:
        reasons.append(_("No income threshold is set for this year, so income could not be compared."))
    elif not as_member and not by_hardship_file:
        reasons.append(_("No household income was given."))
    if not is_eligible:
        reasons.append(_("No ground for legal aid from the union was found."))
    return reasons
