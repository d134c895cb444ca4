"""Who may take part in a campaign: an active real-name member of the eligible subtree, in one of
the campaign's categories if it names any, who joined before its date if it sets one.

Every member in the registry is real-name (the ID number is required and checked), so "real-name"
needs no check of its own; "active" is the person's current membership."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.benefits.models import Campaign
from gonghui.core.errors import ValidationFailed
from gonghui.members.categories import category_filter, category_names, in_any_category
from gonghui.members.models import Member, MemberQuerySet
from gonghui.members.services.selfservice import current_membership_facts


class NotEligible(ValidationFailed):
    code = "not_eligible"
    status = 422


def eligibility_problem(campaign: Campaign, member: Member | None) -> str | None:
    """Why `member` may not take part, in words for them; None when they may."""
    if member is None:
        return _(
            "Only active union members can take part. Join the union or sign in with your member account."
        )
    if not member.org.path.startswith(campaign.eligible_org.path):
        return _("This campaign is for members of %(org)s.") % {"org": campaign.eligible_org.name}
    if not in_any_category(member, campaign.categories):
        return _("This campaign is only for: %(categories)s.") % {
            "categories": category_names(campaign.categories)
        }
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
    members = members.filter(category_filter(campaign.categories))
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
