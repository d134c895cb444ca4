"""Named permissions and what each role grants.

A role grant is (user, org, role); it gives the role's permissions on the org and everything
under it. Code asks for a permission (`Perm.ORG_CHANGE`), never for a role, so that what a role
may do is decided here and only here.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FEDERATION_ADMIN = "federation_admin", _("Federation administrator")
    UNION_OFFICER = "union_officer", _("Union officer")
    CASE_HANDLER = "case_handler", _("Rights case handler")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    AUDITOR = "auditor", _("Read-only auditor")


class Perm(StrEnum):
    ORG_VIEW = "orgs.view"
    ORG_CHANGE = "orgs.change"  # edit details, add sub-orgs
    ORG_RESTRUCTURE = "orgs.restructure"  # move, merge, dissolve
    WORKPLACE_VIEW = "workplaces.view"
    WORKPLACE_CHANGE = "workplaces.change"
    OFFICER_VIEW = "officers.view"
    OFFICER_CHANGE = "officers.change"
    ROLE_GRANT = "roles.grant"
    FOUNDING_VIEW = "founding.view"
    FOUNDING_CHANGE = "founding.change"  # notices, applications
    FOUNDING_APPROVE = "founding.approve"  # only where the org also holds approval authority
    RATING_VIEW = "ratings.view"
    RATING_ASSESS = "ratings.assess"  # a union's own self-assessment
    RATING_REVIEW = "ratings.review"  # the superior org's review; also edits checklists
    COVERAGE_VIEW = "coverage.view"
    COVERAGE_REFRESH = "coverage.refresh"  # recompute the rollups now instead of waiting
    MEMBER_VIEW = "members.view"
    MEMBER_CHANGE = "members.change"
    MEMBER_REVEAL = "members.reveal"  # see ID and mobile numbers unmasked (each reveal audited)
    AUDIT_VIEW = "audit.view"
    RIGHTS_VIEW = "rights.view"
    RIGHTS_HANDLE = "rights.handle"
    FINANCE_VIEW = "finance.view"
    FINANCE_CHANGE = "finance.change"
    BENEFITS_VIEW = "benefits.view"
    BENEFITS_CHANGE = "benefits.change"  # merchants, campaigns, pledges; redeeming at a union
    MUTUALAID_VIEW = "mutualaid.view"
    MUTUALAID_MANAGE = "mutualaid.manage"  # plans and their benefit rules
    MUTUALAID_HANDLE = "mutualaid.handle"  # claims and their medical details
    ASSISTANCE_VIEW = "assistance.view"
    ASSISTANCE_HANDLE = "assistance.handle"  # hardship files, grant proposals, care campaign lists
    ASSISTANCE_FUNDS = "assistance.funds"  # fund ledgers; approving and reversing grants
    SERVICES_VIEW = "services.view"  # service points, their visits and ratings
    SERVICES_CHANGE = "services.change"
    EVENTS_VIEW = "events.view"  # events, their sign-ups and feedback
    EVENTS_CHANGE = "events.change"  # organise events, manage sign-ups, check people in
    COURSES_VIEW = "courses.view"
    COURSES_CHANGE = "courses.change"  # the workers' school: courses, terms, enrolments, attendance
    COUNSELLING_MANAGE = "counselling.manage"  # counsellors and their hours; counts, never content
    CONTRACTS_VIEW = "contracts.view"  # collective contracts, their coverage, members' bargaining topics
    CONTRACTS_CHANGE = "contracts.change"  # register, renew and end collective contracts
    CALENDAR_CHANGE = "calendar.change"  # holidays, make-up working days and deadline rules (on the root)


_VIEW = frozenset(
    {
        Perm.ORG_VIEW,
        Perm.WORKPLACE_VIEW,
        Perm.OFFICER_VIEW,
        Perm.FOUNDING_VIEW,
        Perm.RATING_VIEW,
        Perm.COVERAGE_VIEW,
        Perm.MEMBER_VIEW,
        Perm.BENEFITS_VIEW,
        Perm.SERVICES_VIEW,
        Perm.EVENTS_VIEW,
        Perm.COURSES_VIEW,
        Perm.CONTRACTS_VIEW,
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.FEDERATION_ADMIN: frozenset(Perm),
    Role.UNION_OFFICER: _VIEW
    | {
        Perm.ORG_CHANGE,
        Perm.WORKPLACE_CHANGE,
        Perm.OFFICER_CHANGE,
        Perm.FOUNDING_CHANGE,
        Perm.FOUNDING_APPROVE,
        Perm.RATING_ASSESS,
        Perm.MEMBER_CHANGE,
        Perm.BENEFITS_CHANGE,
        Perm.ASSISTANCE_VIEW,
        Perm.ASSISTANCE_HANDLE,
        Perm.SERVICES_CHANGE,
        Perm.EVENTS_CHANGE,
        Perm.COURSES_CHANGE,
        Perm.COUNSELLING_MANAGE,
        Perm.CONTRACTS_CHANGE,
    },
    Role.CASE_HANDLER: frozenset(
        {Perm.ORG_VIEW, Perm.WORKPLACE_VIEW, Perm.MEMBER_VIEW, Perm.RIGHTS_VIEW, Perm.RIGHTS_HANDLE}
    ),
    Role.FINANCE_OFFICER: frozenset(
        {
            Perm.ORG_VIEW,
            Perm.COVERAGE_VIEW,
            Perm.MEMBER_VIEW,
            Perm.FINANCE_VIEW,
            Perm.FINANCE_CHANGE,
            Perm.BENEFITS_VIEW,
            Perm.MUTUALAID_VIEW,
            Perm.ASSISTANCE_VIEW,
            Perm.ASSISTANCE_FUNDS,
        }
    ),
    Role.AUDITOR: _VIEW
    | {Perm.AUDIT_VIEW, Perm.RIGHTS_VIEW, Perm.FINANCE_VIEW, Perm.MUTUALAID_VIEW, Perm.ASSISTANCE_VIEW},
}


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
