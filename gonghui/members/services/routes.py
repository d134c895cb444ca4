"""Where a person's membership belongs: the union with jurisdiction, never the employer.

- An employer in the registry with a covering union: that union.
- An employer without one: its area federation or joint union (`Workplace.jurisdiction`); a
  federation officer there places the member in a union under it when approving.
- No employer in the registry, or no fixed employer (platform and gig workers): the most
  specific active `JoinRoute` for the home district, township and platform work — typically an
  industry union (delivery riders of a district) or a township / community joint union.

Join applications and member-initiated transfers both use these rules.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from gonghui.core.creditcode import parse_credit_code
from gonghui.core.text import normalize_text
from gonghui.members.models import JoinRoute
from gonghui.orgs.models import Org, OrgStatus, Workplace

EMPLOYER_SEARCH_LIMIT = 10
MIN_EMPLOYER_QUERY = 2


def union_for_workplace(workplace: Workplace) -> Org | None:
    """The org an application from this employer's staff goes to, or None when the registry
    knows neither a covering union nor an area for it."""
    for org in (workplace.union, workplace.jurisdiction):
        if org is not None and org.status == OrgStatus.ACTIVE:
            return org
    return None


def route_applicant(*, district: str, township: str = "", occupation: str = "") -> Org | None:
    """The union of the most specific active route for a home district, township and platform
    work (occupation and township > occupation > township > district only), or None."""
    candidates = (
        JoinRoute.objects.filter(is_active=True, district=district, org__status=OrgStatus.ACTIVE)
        .filter(Q(township="") | Q(township=township))
        .filter(Q(occupation="") | Q(occupation=occupation))
        .select_related("org")
    )
    ranked = sorted(
        candidates, key=lambda route: (bool(route.occupation), bool(route.township)), reverse=True
    )
    return ranked[0].org if ranked else None


def route_districts() -> list[str]:
    """The districts that have at least one active route, for the applicant to pick from."""
    return list(
        JoinRoute.objects.filter(is_active=True)
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()
    )


def route_townships(district: str) -> list[str]:
    return list(
        JoinRoute.objects.filter(is_active=True, district=district)
        .exclude(township="")
        .order_by("township")
        .values_list("township", flat=True)
        .distinct()
    )


def find_employers(query: str) -> QuerySet[Workplace]:
    """Employers matching a credit code exactly or a name fragment: public facts only (name,
    district) are shown to the anonymous applicant, so the search needs no scope. Too short a
    query finds nothing rather than half the city."""
    text = normalize_text(query)
    if len(text) < MIN_EMPLOYER_QUERY:
        return Workplace.objects.none()
    try:
        code = parse_credit_code(text)
    except ValueError:
        matches = Workplace.objects.filter(name__contains=text)
    else:
        matches = Workplace.objects.filter(credit_code=code.value)
    return matches.select_related("union", "jurisdiction").order_by("name", "id")[:EMPLOYER_SEARCH_LIMIT]
