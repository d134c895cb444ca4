"""Who may take part in a campaign: an active real-name member of the eligible subtree, in one of
the campaign's categories if it names any, who joined before its date if it sets one.

Every member in the registry is real-name (the ID number is required and checked), so "real-name"
needs no check of its own; "active" is the person's current membership."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.benefits.models import Campaign, MemberCategory
from gonghui.core.errors import ValidationFailed
from gonghui.members.models import Member, MemberQuerySet, Sex
from gonghui.members.services.selfservice import current_membership_facts


class NotEligible(ValidationFailed):
    code = "not_eligible"
    status = 422


_CATEGORY_TESTS = {
    MemberCategory.GIG_WORKER: lambda member: member.is_gig_worker,
    MemberCategory.FEMALE: lambda member: member.sex == Sex.FEMALE,
    MemberCategory.MIGRANT_WORKER: lambda member: member.is_migrant_worker,
    MemberCategory.MODEL_WORKER: lambda member: member.is_model_worker,
}
_CATEGORY_FILTERS = {
    MemberCategory.GIG_WORKER: Q(is_gig_worker=True),
    MemberCategory.FEMALE: Q(sex=Sex.FEMALE),
    MemberCategory.MIGRANT_WORKER: Q(is_migrant_worker=True),
    MemberCategory.MODEL_WORKER: Q(is_model_worker=True),
}


def eligibility_problem(campaign: Campaign, member: Member | None) -> str | None:
    """Why `member` may not take part, in words for them; None when they may."""
    if member is None:
        return _(
            "Only active union members can take part. Join the union or sign in with your member account."
        )
    if not member.org.path.startswith(campaign.eligible_org.path):
        return _("This campaign is for members of %(org)s.") % {"org": campaign.eligible_org.name}
    categories = [MemberCategory(code) for code in campaign.categories]
    if categories and not any(_CATEGORY_TESTS[category](member) for category in categories):
        names = "、".join(str(category.label) for category in categories)
        return _("This campaign is only for: %(categories)s.") % {"categories": names}
    if campaign.joined_before is not None and member.joined_on >= campaign.joined_before:
        return _("This campaign is for members who joined before %(date)s.") % {
            "date": date_format(campaign.joined_before, "DATE_FORMAT")
        }
    return None


# What eligibility and a claim need of a membership; the ID and mobile numbers stay encrypted.
ELIGIBILITY_FIELDS = (
    "id",
    "org_id",
    "id_number_index",
    "sex",
    "is_gig_worker",
    "is_migrant_worker",
    "is_model_worker",
    "joined_on",
    "status",
)


def eligible_member(campaign: Campaign, user: User) -> Member:
    """The user's active membership if it may take part; NotEligible with the reason otherwise.
    Only the facts eligibility needs are loaded (this runs on every press of a giveaway)."""
    member = current_membership_facts(user, ELIGIBILITY_FIELDS)
    problem = eligibility_problem(campaign, member)
    if problem is not None or member is None:
        raise NotEligible(problem or "")
    return member


def eligible_members(campaign: Campaign) -> MemberQuerySet:
    """Every member who may take part (for reports and the benchmark's check)."""
    members: MemberQuerySet = Member.objects.active().filter(org__path__startswith=campaign.eligible_org.path)
    categories = [MemberCategory(code) for code in campaign.categories]
    if categories:
        condition = Q()
        for category in categories:
            condition |= _CATEGORY_FILTERS[category]
        members = members.filter(condition)
    if campaign.joined_before is not None:
        members = members.filter(joined_on__lt=campaign.joined_before)
    return members


def campaigns_for_member(campaigns: QuerySet[Campaign], member: Member) -> QuerySet[Campaign]:
    """The campaigns whose eligible subtree contains the member's union (the other rules are
    checked per campaign, so the member can read why one is not for them)."""
    path = member.org.path
    steplen = member.org.steplen
    ancestors = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
    return campaigns.filter(eligible_org__path__in=ancestors)
