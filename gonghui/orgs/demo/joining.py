"""Joining routes of the demo city, so that an applicant without an employer in the registry is
routed as a federation would set it up: platform workers of every district to the city's
industry unions by their work (riders and couriers to 快递物流行业工会, ride-hailing drivers to
网约车司机工会, truck drivers to 货运司机工会联合会), everyone else of a township to that
township's first community or village joint union, and the rest of a district to its federation,
whose officers place each applicant in a union under it.

Derived from the loaded orgs (a few hundred rows even for the city scale), so it needs no part
of the generator's plan and is the same for the same seed."""

from __future__ import annotations

from gonghui.members.models import GigOccupation, JoinRoute
from gonghui.orgs.models import FederationLevel, JointUnionArea, Org, OrgKind, OrgStatus

# Which industry union (by its name in names.INDUSTRY_UNIONS) takes which platform work.
OCCUPATION_UNIONS: dict[str, str] = {
    GigOccupation.DELIVERY_RIDER: "示范市快递物流行业工会",
    GigOccupation.COURIER: "示范市快递物流行业工会",
    GigOccupation.RIDE_HAILING: "示范市网约车司机工会",
    GigOccupation.TRUCK_DRIVER: "示范市货运司机工会联合会",
}
FEDERATION_SUFFIX = "总工会"


def township_name(federation: Org) -> str:
    """The township or street a township federation is named after (东湖街道总工会 → 东湖街道)."""
    return federation.name.removesuffix(FEDERATION_SUFFIX)


def demo_join_routes(root: Org) -> list[JoinRoute]:
    """The routes (unsaved) for the demo city under `root`."""
    orgs = list(
        Org.objects.filter(path__startswith=root.path, status=OrgStatus.ACTIVE)
        .exclude(kind=OrgKind.UNION_GROUP)
        .order_by("path")
        .only("id", "path", "depth", "name", "kind", "level", "area", "district")
    )
    industry = {org.name: org for org in orgs if org.kind == OrgKind.INDUSTRY_UNION}
    townships = [
        org for org in orgs if org.kind == OrgKind.FEDERATION and org.level == FederationLevel.TOWNSHIP
    ]
    township_paths = {org.path for org in townships}
    # The first community or village joint union under each township, found in one pass over the
    # orgs (in path order) by the ancestors' path prefixes.
    first_joint: dict[str, Org] = {}
    for org in orgs:
        if org.kind == OrgKind.JOINT_UNION and org.area in {JointUnionArea.COMMUNITY, JointUnionArea.VILLAGE}:
            for depth in range(1, org.depth):
                prefix = org.path[: depth * Org.steplen]
                if prefix in township_paths:
                    first_joint.setdefault(prefix, org)
    routes: list[JoinRoute] = []
    for district in (
        org for org in orgs if org.kind == OrgKind.FEDERATION and org.level == FederationLevel.DISTRICT
    ):
        routes.append(JoinRoute(district=district.district, org=district))
        for occupation, union_name in OCCUPATION_UNIONS.items():
            if union_name in industry:
                routes.append(
                    JoinRoute(district=district.district, occupation=occupation, org=industry[union_name])
                )
        for township in townships:
            if township.path.startswith(district.path):
                org = first_joint.get(township.path, township)
                routes.append(
                    JoinRoute(district=district.district, township=township_name(township), org=org)
                )
    return routes


def seed_demo_join_routes(root: Org) -> int:
    """Store the demo city's joining routes; the number stored."""
    return len(JoinRoute.objects.bulk_create(demo_join_routes(root)))
