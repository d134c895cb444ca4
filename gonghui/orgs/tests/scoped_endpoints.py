"""The orgs app's console pages and API operations for the scoping test base
(gonghui.orgs.tests.scoping). Each concern adds its own entries to ENDPOINTS and UNSCOPED."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_officer
from gonghui.core.creditcode import make_credit_code
from gonghui.jobs.models import Job
from gonghui.orgs.models import (
    JointUnionArea,
    OfficerPosition,
    OfficerTerm,
    Org,
    OrgKind,
    Role,
    RoleGrant,
    Workplace,
)
from gonghui.orgs.services.coverage import refresh_coverage
from gonghui.orgs.tests.factories import add_org, make_term, make_workplace
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, listed_by, row_listed

# --- tree ----------------------------------------------------------------------------------
# Moves and merges happen inside the own union, so that they are valid for both allowed
# officers (the own officer's scope is that union): a union group moves to a branch union,
# one union group merges into another.


def _child(org: Org, suffix: str, name: str, kind: str = OrgKind.UNION_GROUP) -> Org:
    return add_org(org, f"{org.code}-{suffix}", name, kind)


def _group(org: Org) -> Org:
    return _child(org, "G1", "一车间工会小组")


def _with_group(org: Org) -> Org:
    _group(org)
    return org


def _group_and_branch(org: Org) -> Org:
    _child(org, "BR", "二分厂分工会", OrgKind.GRASSROOTS)
    return _group(org)


def _two_groups(org: Org) -> Org:
    _child(org, "G2", "二车间工会小组")
    return _group(org)


def _sibling_code(obj: Org, suffix: str) -> str:
    return obj.code.rsplit("-", 1)[0] + "-" + suffix


def _by_code(code: str) -> int:
    return Org.objects.get(code=code).pk


def _org_fields(code: str) -> dict[str, Any]:
    return {"code": code, "name": "新设工会小组", "kind": OrgKind.UNION_GROUP}


def _console_edit(world: ScopeWorld, org: Org) -> dict[str, Any]:
    return {"code": org.code, "name": "甲区某公司工会（改名）", "kind": org.kind}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(covers="console:orgs:tree", action="list", url=lambda org: f"/console/orgs/?q={org.code}"),
    ScopedEndpoint(
        covers="console:orgs:tree_children",
        action="detail",
        url=lambda org: f"/console/orgs/{org.pk}/children/",
        make=_with_group,
    ),
    ScopedEndpoint(
        covers="console:orgs:org_detail", action="detail", url=lambda org: f"/console/orgs/{org.pk}/"
    ),
    ScopedEndpoint(
        covers="console:orgs:org_create", action="detail", url=lambda org: f"/console/orgs/{org.pk}/new/"
    ),
    ScopedEndpoint(
        covers="console:orgs:org_create",
        action="create",
        method="POST",
        url=lambda org: f"/console/orgs/{org.pk}/new/",
        data=lambda world, org: _org_fields("NEW-GROUP"),
        model=Org,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:orgs:org_edit", action="detail", url=lambda org: f"/console/orgs/{org.pk}/edit/"
    ),
    ScopedEndpoint(
        covers="console:orgs:org_edit",
        action="update",
        method="POST",
        url=lambda org: f"/console/orgs/{org.pk}/edit/",
        data=_console_edit,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:orgs:org_move",
        action="detail",
        url=lambda org: f"/console/orgs/{org.pk}/move/?q=分工会",
        make=_group_and_branch,
    ),
    ScopedEndpoint(
        covers="console:orgs:org_move",
        action="update",
        method="POST",
        url=lambda group: f"/console/orgs/{group.pk}/move/",
        make=_group_and_branch,
        data=lambda world, group: {"new_parent": _sibling_code(group, "BR")},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:orgs:org_merge",
        action="detail",
        url=lambda org: f"/console/orgs/{org.pk}/merge/",
        make=_two_groups,
    ),
    ScopedEndpoint(
        covers="console:orgs:org_merge",
        action="update",
        method="POST",
        url=lambda group: f"/console/orgs/{group.pk}/merge/",
        make=_two_groups,
        data=lambda world, group: {"target": _sibling_code(group, "G2"), "note": "车间合并"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:orgs:org_dissolve",
        action="detail",
        url=lambda org: f"/console/orgs/{org.pk}/dissolve/",
        make=_group,
    ),
    ScopedEndpoint(
        covers="console:orgs:org_dissolve",
        action="delete",
        method="POST",
        url=lambda group: f"/console/orgs/{group.pk}/dissolve/",
        make=_group,
        data=lambda world, group: {"note": "车间撤销"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(covers="GET /api/v1/orgs", action="list", url=lambda org: "/api/v1/orgs?limit=200"),
    ScopedEndpoint(
        covers="GET /api/v1/orgs/{org_id}", action="detail", url=lambda org: f"/api/v1/orgs/{org.pk}"
    ),
    ScopedEndpoint(
        covers="GET /api/v1/orgs/{org_id}/children",
        action="detail",
        url=lambda org: f"/api/v1/orgs/{org.pk}/children",
    ),
    ScopedEndpoint(
        covers="POST /api/v1/orgs",
        action="create",
        method="POST",
        url=lambda org: "/api/v1/orgs",
        data=lambda world, org: {"parent_id": org.pk, **_org_fields("NEW-GROUP")},
        model=Org,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers="PATCH /api/v1/orgs/{org_id}",
        action="update",
        method="PATCH",
        url=lambda org: f"/api/v1/orgs/{org.pk}",
        data=lambda world, org: {"name": "甲区某公司工会（改名）"},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/orgs/{org_id}/move",
        action="update",
        method="POST",
        url=lambda group: f"/api/v1/orgs/{group.pk}/move",
        make=_group_and_branch,
        data=lambda world, group: {"new_parent_id": _by_code(_sibling_code(group, "BR"))},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/orgs/{org_id}/merge",
        action="update",
        method="POST",
        url=lambda group: f"/api/v1/orgs/{group.pk}/merge",
        make=_two_groups,
        data=lambda world, group: {"target_id": _by_code(_sibling_code(group, "G2"))},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/orgs/{org_id}/dissolve",
        action="delete",
        method="POST",
        url=lambda group: f"/api/v1/orgs/{group.pk}/dissolve",
        make=_group,
        data=lambda world, group: {"note": "车间撤销"},
    ),
]

UNSCOPED: dict[str, str] = {}


# --- officers and roles ----------------------------------------------------------------------


def _term(org: Org) -> OfficerTerm:
    """A term in office at `org`, ending in 30 days (so it is on the "ending" list too)."""
    return make_term(org, "周卫国", OfficerPosition.VICE_CHAIR_PART_TIME, days_left=30)


def _term_fields(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "name": "吴敏",
        "position": OfficerPosition.COMMITTEE_MEMBER,
        "term_start": (today - timedelta(days=100)).isoformat(),
        "term_end": (today + timedelta(days=1500)).isoformat(),
    }


def _end_fields(world: ScopeWorld, term: OfficerTerm) -> dict[str, Any]:
    return {"ended_on": timezone.localdate().isoformat(), "reason": "工作调动"}


def _grantee() -> User:
    return make_officer("grantee.person", display_name="被授权人")


def _grant(org: Org) -> RoleGrant:
    return RoleGrant.objects.create(user=_grantee(), org=org, role=Role.AUDITOR)


def _grant_fields(world: ScopeWorld, org: Org) -> dict[str, Any]:
    return {"username": _grantee().username, "role": Role.AUDITOR}


ENDPOINTS += [
    ScopedEndpoint(
        covers="console:orgs:officers",
        action="list",
        url=lambda term: "/console/orgs/officers/",
        make=_term,
        listed=listed_by("data-officer-term"),
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="console:orgs:officers",
        action="detail",
        url=lambda term: f"/console/orgs/officers/?org={term.org_id}",
        make=_term,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="console:orgs:officers_ending",
        action="list",
        url=lambda term: "/console/orgs/officers/ending/?days=30",
        make=_term,
        listed=listed_by("data-officer-term"),
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="console:orgs:officer_create",
        action="detail",
        url=lambda org: f"/console/orgs/officers/new/?org={org.pk}",
    ),
    ScopedEndpoint(
        covers="console:orgs:officer_create",
        action="create",
        method="POST",
        url=lambda org: f"/console/orgs/officers/new/?org={org.pk}",
        data=_term_fields,
        model=OfficerTerm,
        ok=frozenset({302}),
        role=Role.UNION_OFFICER,
    ),
    ScopedEndpoint(
        covers="console:orgs:officer_edit",
        action="detail",
        url=lambda term: f"/console/orgs/officers/{term.pk}/edit/",
        make=_term,
    ),
    ScopedEndpoint(
        covers="console:orgs:officer_edit",
        action="update",
        method="POST",
        url=lambda term: f"/console/orgs/officers/{term.pk}/edit/",
        make=_term,
        data=_term_fields,
        ok=frozenset({302}),
        role=Role.UNION_OFFICER,
    ),
    ScopedEndpoint(
        covers="console:orgs:officer_end",
        action="detail",
        url=lambda term: f"/console/orgs/officers/{term.pk}/end/",
        make=_term,
    ),
    ScopedEndpoint(
        covers="console:orgs:officer_end",
        action="update",
        method="POST",
        url=lambda term: f"/console/orgs/officers/{term.pk}/end/",
        make=_term,
        data=_end_fields,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:orgs:roles", action="detail", url=lambda org: f"/console/orgs/{org.pk}/roles/"
    ),
    ScopedEndpoint(
        covers="console:orgs:role_grant",
        action="create",
        method="POST",
        url=lambda org: f"/console/orgs/{org.pk}/roles/grant/",
        data=_grant_fields,
        model=RoleGrant,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:orgs:role_account_create",
        action="detail",
        url=lambda org: f"/console/orgs/{org.pk}/roles/new-account/",
    ),
    ScopedEndpoint(
        covers="console:orgs:role_account_create",
        action="create",
        method="POST",
        url=lambda org: f"/console/orgs/{org.pk}/roles/new-account/",
        data=lambda world, org: {"username": "new.officer", "display_name": "新干部", "role": Role.AUDITOR},
        model=User,
    ),
    ScopedEndpoint(
        covers="console:orgs:role_revoke",
        action="detail",
        url=lambda grant: f"/console/orgs/roles/{grant.pk}/revoke/",
        make=_grant,
    ),
    ScopedEndpoint(
        covers="console:orgs:role_revoke",
        action="delete",
        method="POST",
        url=lambda grant: f"/console/orgs/roles/{grant.pk}/revoke/",
        make=_grant,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="GET /api/v1/officers",
        action="list",
        url=lambda term: "/api/v1/officers?limit=200",
        make=_term,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/officers",
        action="list",
        url=lambda term: "/api/v1/officers?ending_within_days=30",
        make=_term,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/officers/{term_id}",
        action="detail",
        url=lambda term: f"/api/v1/officers/{term.pk}",
        make=_term,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/officers",
        action="create",
        method="POST",
        url=lambda org: "/api/v1/officers",
        data=lambda world, org: {"org_id": world.own.pk, **_term_fields(world, org)},
        model=OfficerTerm,
        ok=frozenset({201}),
        role=Role.UNION_OFFICER,
    ),
    ScopedEndpoint(
        covers="PATCH /api/v1/officers/{term_id}",
        action="update",
        method="PATCH",
        url=lambda term: f"/api/v1/officers/{term.pk}",
        make=_term,
        data=lambda world, term: {"name": "周卫东"},
        role=Role.UNION_OFFICER,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/officers/{term_id}/end",
        action="update",
        method="POST",
        url=lambda term: f"/api/v1/officers/{term.pk}/end",
        make=_term,
        data=_end_fields,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/role-grants",
        action="list",
        url=lambda grant: "/api/v1/role-grants?limit=200",
        make=_grant,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/role-grants/{grant_id}",
        action="detail",
        url=lambda grant: f"/api/v1/role-grants/{grant.pk}",
        make=_grant,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/role-grants",
        action="create",
        method="POST",
        url=lambda org: "/api/v1/role-grants",
        data=lambda world, org: {"org_id": world.own.pk, **_grant_fields(world, org)},
        model=RoleGrant,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers="DELETE /api/v1/role-grants/{grant_id}",
        action="delete",
        method="DELETE",
        url=lambda grant: f"/api/v1/role-grants/{grant.pk}",
        make=_grant,
        ok=frozenset({204}),
    ),
]


# --- coverage ------------------------------------------------------------------------------
# The figures come from the rollups, so `make` refreshes them first: the org then has its row.


def _refreshed(org: Org) -> Org:
    refresh_coverage()
    return org


ENDPOINTS += [
    ScopedEndpoint(
        covers="console:orgs:coverage",
        action="detail",
        url=lambda org: f"/console/orgs/coverage/?org={org.pk}",
        make=_refreshed,
    ),
    ScopedEndpoint(
        covers="console:orgs:coverage_export",
        action="detail",
        url=lambda org: f"/console/orgs/coverage/export.xlsx?org={org.pk}",
        make=_refreshed,
    ),
    ScopedEndpoint(
        covers="console:orgs:coverage_refresh",
        action="create",
        method="POST",
        url=lambda org: "/console/orgs/coverage/refresh/",
        data=lambda world, org: {"org": world.own.pk},
        model=Job,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="GET /api/v1/coverage/{org_id}",
        action="detail",
        url=lambda org: f"/api/v1/coverage/{org.pk}",
        make=_refreshed,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/coverage/{org_id}/children",
        action="detail",
        url=lambda org: f"/api/v1/coverage/{org.pk}/children",
        make=_refreshed,
    ),
]


# --- workplaces and list imports ---------------------------------------------------------------
# A workplace lies in the area of a township federation or joint union, and registering one needs
# the permission there. The world's own org is a grassroots union, so a joint union under it serves
# as its area: then both allowed officers may register workplaces in it. (Where such an area may sit
# in a real tree is the tree service's rule, not what these checks are about.)

WORKPLACE_CODE = make_credit_code("9", "1", "330203", "MA2GC5LU")
NEW_WORKPLACE_CODE = make_credit_code("9", "1", "330203", "MA2GC6PX")


def _area(org: Org) -> Org:
    return add_org(
        org, f"{org.code}-JU", "甲区精工园区联合工会", OrgKind.JOINT_UNION, area=JointUnionArea.PARK
    )


def _workplace(org: Org) -> Workplace:
    """A workplace covered by `org`, in an area under it."""
    return make_workplace(
        _area(org), org, credit_code=WORKPLACE_CODE, name="甲区精工机械有限公司", employee_count=80
    )


def _workplace_form(world: ScopeWorld, obj: Any) -> dict[str, Any]:
    """The console form: registering one in the area `obj`, or editing the workplace `obj`."""
    area = obj.jurisdiction if isinstance(obj, Workplace) else obj
    assert area is not None
    return {
        "name": "甲区新登记机械有限公司",
        "credit_code": WORKPLACE_CODE if isinstance(obj, Workplace) else NEW_WORKPLACE_CODE,
        "industry": "C",
        "ownership": "private",
        "employee_count": "120",
        "address": "示范市甲区工业路8号",
        "district": "甲区",
        "jurisdiction": area.code,
        "union": world.own.code,
    }


ENDPOINTS += [
    ScopedEndpoint(
        covers="console:orgs:workplaces",
        action="list",
        url=lambda workplace: "/console/orgs/workplaces/",
        make=_workplace,
        listed=row_listed,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="console:orgs:workplaces",
        action="list",
        url=lambda workplace: f"/console/orgs/workplaces/?union={workplace.union_id}&q=精工",
        make=_workplace,
        listed=row_listed,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="console:orgs:workplace_detail",
        action="detail",
        url=lambda workplace: f"/console/orgs/workplaces/{workplace.pk}/",
        make=_workplace,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="console:orgs:workplace_create",
        action="create",
        method="POST",
        url=lambda org: "/console/orgs/workplaces/new/",
        make=_area,
        data=_workplace_form,
        model=Workplace,
        ok=frozenset({302}),
        role=Role.UNION_OFFICER,
    ),
    ScopedEndpoint(
        covers="console:orgs:workplace_edit",
        action="detail",
        url=lambda workplace: f"/console/orgs/workplaces/{workplace.pk}/edit/",
        make=_workplace,
        role=Role.UNION_OFFICER,
    ),
    ScopedEndpoint(
        covers="console:orgs:workplace_edit",
        action="update",
        method="POST",
        url=lambda workplace: f"/console/orgs/workplaces/{workplace.pk}/edit/",
        make=_workplace,
        data=_workplace_form,
        ok=frozenset({302}),
        role=Role.UNION_OFFICER,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/workplaces",
        action="list",
        url=lambda workplace: "/api/v1/workplaces?limit=200",
        make=_workplace,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/workplaces",
        action="list",
        url=lambda workplace: f"/api/v1/workplaces?area={workplace.jurisdiction_id}&unionised=true",
        make=_workplace,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/workplaces/{workplace_id}",
        action="detail",
        url=lambda workplace: f"/api/v1/workplaces/{workplace.pk}",
        make=_workplace,
        role=Role.AUDITOR,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/workplaces",
        action="create",
        method="POST",
        url=lambda org: "/api/v1/workplaces",
        make=_area,
        data=lambda world, area: {
            "credit_code": NEW_WORKPLACE_CODE,
            "name": "甲区新登记机械有限公司",
            "industry": "C",
            "ownership": "private",
            "employee_count": 120,
            "jurisdiction_id": area.pk,
            "union_id": world.own.pk,
        },
        model=Workplace,
        ok=frozenset({201}),
        role=Role.UNION_OFFICER,
    ),
    ScopedEndpoint(
        covers="PATCH /api/v1/workplaces/{workplace_id}",
        action="update",
        method="PATCH",
        url=lambda workplace: f"/api/v1/workplaces/{workplace.pk}",
        make=_workplace,
        data=lambda world, workplace: {"employee_count": 95, "name": "甲区精工机械股份有限公司"},
        role=Role.UNION_OFFICER,
    ),
]
# Imports belong to the officer who uploaded the list, as its background job does; the rows it
# writes go through the workplace and tree services, which check each row's scope.
UNSCOPED |= {
    "console:orgs:imports": "upload form and the officer's own imports only (test_import_views)",
    "console:orgs:import_template": "an empty template: no data",
    "console:orgs:import_report": "only the uploader sees it, others get 404 (test_import_views)",
    "console:orgs:import_report_xlsx": "as console:orgs:import_report",
}
