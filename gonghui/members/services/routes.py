"""Where a person's membership belongs: the union with jurisdiction, never the employer.

- An employer in the registry with a covering union: that union.
- An employer without one: its area federation or joint union (`Workplace.jurisdiction`); a
  federation officer there places the member in a union under it when approving.
- No employer in the registry, or no fixed employer (platform and gig workers): the most
  specific active `JoinRoute` for the home district, township and platform work — typically an
  industry union (delivery riders of a district) or a township / community joint union.

Join applications and member-initiated transfers both use these rules. Federation officers
keep the routes (`create_join_route`, `deactivate_join_route`): see docs/members-joining.md.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.audit import record_audit
from gonghui.core.creditcode import parse_credit_code
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, ValidationFailed
from gonghui.core.text import normalize_text
from gonghui.members.models import GigOccupation, JoinRoute
from gonghui.orgs.models import Org, OrgKind, OrgStatus, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at

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


# ---------------------------------------------------------------------------------------------
# Keeping the routes (federation officers, console and API)

# Orgs a route may end at: unions that hold members, and federations, whose officers place each
# applicant in a union under them when approving.
ROUTABLE_KINDS = frozenset(
    {OrgKind.FEDERATION, OrgKind.JOINT_UNION, OrgKind.INDUSTRY_UNION, OrgKind.GRASSROOTS}
)
PLACE_MAX = 40
ORG_NOT_IN_SCOPE = gettext_lazy("Choose an organisation in your scope.")


def _route_field(value: str, field: str, errors: FieldErrors) -> str:
    text = normalize_text(value)
    if len(text) > PLACE_MAX:
        errors.add(field, _("Keep it under %(n)d characters.") % {"n": PLACE_MAX})
    return text


def _route_taken(district: str, township: str, occupation: str) -> Conflict:
    key = " / ".join(
        part
        for part in (district, township, str(GigOccupation(occupation).label) if occupation else "")
        if part
    )
    return Conflict(
        _("There is already a route in use for %(key)s. Take it out of use first.") % {"key": key},
        code="route_exists",
    )


@transaction.atomic
def create_join_route(
    *, actor: Any, org: Org, district: str, township: str = "", occupation: str = ""
) -> JoinRoute:
    """Send applicants from `district` (and `township`, and doing `occupation`, when given) to
    `org`. The actor holds ORG_CHANGE on `org`; one route in use per key (Conflict otherwise)."""
    if not has_perm_at(actor, Perm.ORG_CHANGE, org.path):
        message = str(ORG_NOT_IN_SCOPE)
        raise ValidationFailed(message, fields={"org": [message]})
    errors = FieldErrors()
    if org.kind not in ROUTABLE_KINDS or org.status != OrgStatus.ACTIVE:
        errors.add(
            "org",
            _("Applications can go to an active federation or union, not to %(name)s.") % {"name": org.name},
        )
    district = _route_field(district, "district", errors)
    township = _route_field(township, "township", errors)
    if not district:
        errors.add("district", _("Give the district."))
    if occupation and occupation not in GigOccupation.values:
        errors.add("occupation", _("Choose a kind of platform work from the list."))
    errors.raise_if_any()
    if JoinRoute.objects.filter(
        is_active=True, district=district, township=township, occupation=occupation
    ).exists():
        raise _route_taken(district, township, occupation)
    try:
        with transaction.atomic():
            route = JoinRoute.objects.create(
                district=district, township=township, occupation=occupation, org=org
            )
    except IntegrityError:
        raise _route_taken(district, township, occupation) from None
    record_audit(
        actor=actor,
        action="members.create_join_route",
        obj=route,
        changes={
            "district": [None, district],
            "township": [None, township],
            "occupation": [None, occupation],
        },
    )
    return route


@transaction.atomic
def deactivate_join_route(route: JoinRoute, *, actor: Any) -> JoinRoute:
    """Take a route out of use (kept for the record). Http404 outside the actor's scope."""
    route = get_visible(
        JoinRoute.objects.select_for_update(of=("self",)).select_related("org"),
        actor,
        Perm.ORG_VIEW,
        pk=route.pk,
    )
    if not has_perm_at(actor, Perm.ORG_CHANGE, route.org.path):
        raise Forbidden(
            _("Only officers of %(org)s or of an organisation above it may change its routes.")
            % {"org": route.org.name},
            code="no_authority",
        )
    if not route.is_active:
        raise Conflict(_("This route is already out of use."), code="route_inactive")
    route.is_active = False
    route.save(update_fields=["is_active", "updated_at"])
    record_audit(
        actor=actor, action="members.deactivate_join_route", obj=route, changes={"is_active": [True, False]}
    )
    return route
