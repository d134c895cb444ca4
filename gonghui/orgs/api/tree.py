"""REST API of the union tree, mounted by gonghui.api at /api/v1/orgs.

Lists are pages of `{count, items}` chosen with `limit` and `offset`, in tree order. An org
outside the caller's scope answers 404 exactly like a missing one, in the path and in the body
(`parent_id`, `new_parent_id`, `target_id`) alike. Writes need the same permissions as in the
console: ORG_CHANGE to add and edit, ORG_RESTRUCTURE to move, merge and dissolve.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import request_user
from gonghui.core.api_types import MAX_ID, PathId
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.inputs import CleanText
from gonghui.orgs import tree_selectors
from gonghui.orgs.models import FederationLevel, JointUnionArea, Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.services import tree as services

router = Router(tags=["orgs"])

OrgId = PathId
BodyOrgId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


class OrgOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: OrgKind
    level: FederationLevel | None = Field(description="Federations only.")
    area: JointUnionArea | None = Field(description="Joint unions only.")
    district: str
    address: str
    contact_name: str
    contact_phone: str
    founded_on: date | None
    status: OrgStatus
    dissolved_on: date | None
    merged_into_id: int | None
    parent_id: int | None = Field(description="None for the top of a tree.")
    depth: int = Field(description="1 for the top of a tree.")
    children_count: int = Field(description="Direct sub-organisations, dissolved ones included.")


class OrgPage(Schema):
    count: int = Field(description="Matching organisations in all pages.")
    items: list[OrgOut]


class MergeOut(Schema):
    source: OrgOut = Field(description="The merged union, now dissolved.")
    target: OrgOut
    members_moved: int
    workplaces_moved: int
    children_moved: int
    officer_terms_ended: int


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="Items per page.")
    offset: int = Field(0, ge=0, le=10_000_000, description="Items to skip.")


class OrgFilters(PageQuery):
    parent: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only the direct sub-organisations of this org."
    )
    q: Annotated[CleanText, Field(max_length=60)] | None = Field(
        None, description="Part of the name, short name or code, in any case."
    )
    kind: OrgKind | None = None
    status: OrgStatus | None = None


Code = Annotated[CleanText, Field(min_length=1, max_length=32, description="Letters, digits and hyphens.")]
Name = Annotated[CleanText, Field(min_length=1, max_length=120)]
ShortName = Annotated[CleanText, Field(max_length=40)]
District = Annotated[CleanText, Field(max_length=40)]
Address = Annotated[CleanText, Field(max_length=200)]
ContactName = Annotated[CleanText, Field(max_length=40)]
Phone = Annotated[CleanText, Field(max_length=20)]


class OrgCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    parent_id: BodyOrgId = Field(description="The org to add it under.")
    code: Code
    name: Name
    short_name: ShortName = ""
    kind: OrgKind
    level: FederationLevel | None = Field(None, description="Required for federations, else empty.")
    area: JointUnionArea | None = Field(None, description="Required for joint unions, else empty.")
    district: District = ""
    address: Address = ""
    contact_name: ContactName = ""
    contact_phone: Phone = ""
    founded_on: date | None = None


class OrgPatchIn(Schema):
    """Only the fields sent are changed; `null` clears an optional one."""

    model_config = ConfigDict(extra="forbid")

    code: Code | None = None
    name: Name | None = None
    short_name: ShortName | None = None
    kind: OrgKind | None = None
    level: FederationLevel | None = None
    area: JointUnionArea | None = None
    district: District | None = None
    address: Address | None = None
    contact_name: ContactName | None = None
    contact_phone: Phone | None = None
    founded_on: date | None = None


Note = Annotated[CleanText, Field(max_length=500)]


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    new_parent_id: BodyOrgId = Field(description="The org to move it under.")
    note: Note = ""


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    target_id: BodyOrgId = Field(description="The union that absorbs it.")
    note: Note = ""


class DissolveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: Note = ""


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _out(org: Org, parent_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "id": org.pk,
        "code": org.code,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "level": org.level or None,
        "area": org.area or None,
        "district": org.district,
        "address": org.address,
        "contact_name": org.contact_name,
        "contact_phone": org.contact_phone,
        "founded_on": org.founded_on,
        "status": org.status,
        "dissolved_on": org.dissolved_on,
        "merged_into_id": org.merged_into_id,
        "parent_id": parent_ids.get(org.path),
        "depth": org.depth,
        "children_count": org.numchild,
    }


def _one(org: Org) -> dict[str, Any]:
    return _out(org, tree_selectors.parent_ids([org]))


def _page(orgs: Sequence[Org], count: int) -> dict[str, Any]:
    parent_ids = tree_selectors.parent_ids(orgs)
    return {"count": count, "items": [_out(org, parent_ids) for org in orgs]}


def _org(request: HttpRequest, org_id: int) -> Org:
    return get_visible(Org, request_user(request), Perm.ORG_VIEW, pk=org_id)


def _referenced(request: HttpRequest, org_id: int, field: str) -> Org:
    """An org named in the body; missing and out of scope give the same 404 with the field."""
    org = visible(Org, request_user(request), Perm.ORG_VIEW).filter(pk=org_id).first()
    if org is None:
        message = services.no_such_org_message()
        raise NotFound(message, fields={field: [message]})
    return org


@contextmanager
def _body_names(**names: str) -> Iterator[None]:
    """Report a service's field errors under the names the request used (`new_parent` is
    `new_parent_id` in the body)."""
    try:
        yield
    except DomainError as error:
        error.fields = {names.get(key, key): value for key, value in error.fields.items()}
        raise


# --------------------------------------------------------------------------------------------
# Endpoints
# --------------------------------------------------------------------------------------------


@router.get("", response=OrgPage, summary="Organisations in your scope")
def list_orgs(request: HttpRequest, filters: Query[OrgFilters]) -> dict[str, Any]:
    """Organisations you may see, in tree order. With `parent`, only its direct
    sub-organisations (none when the parent is missing or outside your scope)."""
    orgs = visible(Org, request_user(request), Perm.ORG_VIEW)
    if filters.parent is not None:
        parent = orgs.filter(pk=filters.parent).first()
        orgs = tree_selectors.children_of(parent, orgs) if parent else orgs.none()
    if filters.q:
        orgs = tree_selectors.matching(orgs, filters.q)
    if filters.kind:
        orgs = orgs.filter(kind=filters.kind)
    if filters.status:
        orgs = orgs.filter(status=filters.status)
    orgs = orgs.order_by("path")
    rows = list(orgs[filters.offset : filters.offset + filters.limit])
    return _page(rows, orgs.count())


@router.get("/{int:org_id}", response=OrgOut, summary="One organisation")
def get_org(request: HttpRequest, org_id: OrgId) -> dict[str, Any]:
    return _one(_org(request, org_id))


@router.get("/{int:org_id}/children", response=OrgPage, summary="Direct sub-organisations")
def list_children(request: HttpRequest, org_id: OrgId, page: Query[PageQuery]) -> dict[str, Any]:
    parent = _org(request, org_id)
    children = tree_selectors.children_of(parent, visible(Org, request_user(request), Perm.ORG_VIEW))
    rows = list(children[page.offset : page.offset + page.limit])
    return {"count": children.count(), "items": [_out(child, {child.path: parent.pk}) for child in rows]}


@router.post("", response={201: OrgOut}, summary="Add an organisation")
def create_org(request: HttpRequest, payload: OrgCreateIn) -> Status[dict[str, Any]]:
    parent = _referenced(request, payload.parent_id, "parent_id")
    fields = payload.model_dump(exclude={"parent_id"})
    with _body_names(parent="parent_id"):
        org = services.create_org(parent, actor=request_user(request), **fields)
    return Status(201, _one(org))


@router.patch("/{int:org_id}", response=OrgOut, summary="Change an organisation's details")
def update_org(request: HttpRequest, org_id: OrgId, payload: OrgPatchIn) -> dict[str, Any]:
    org = _org(request, org_id)
    org = services.update_org(org, actor=request_user(request), **payload.model_dump(exclude_unset=True))
    return _one(org)


@router.post("/{int:org_id}/move", response=OrgOut, summary="Move an organisation with its subtree")
def move_org(request: HttpRequest, org_id: OrgId, payload: MoveIn) -> dict[str, Any]:
    org = _org(request, org_id)
    new_parent = _referenced(request, payload.new_parent_id, "new_parent_id")
    with _body_names(new_parent="new_parent_id"):
        moved = services.move_org(org, new_parent, actor=request_user(request), note=payload.note)
    return _one(moved)


@router.post("/{int:org_id}/merge", response=MergeOut, summary="Merge a union into another")
def merge_orgs(request: HttpRequest, org_id: OrgId, payload: MergeIn) -> dict[str, Any]:
    source = _org(request, org_id)
    target = _referenced(request, payload.target_id, "target_id")
    with _body_names(target="target_id"):
        result = services.merge_orgs(source, target, actor=request_user(request), note=payload.note)
    parent_ids = tree_selectors.parent_ids([result.source, result.target])
    return {
        "source": _out(result.source, parent_ids),
        "target": _out(result.target, parent_ids),
        "members_moved": result.members_moved,
        "workplaces_moved": result.workplaces_moved,
        "children_moved": result.children_moved,
        "officer_terms_ended": result.officer_terms_ended,
    }


@router.post("/{int:org_id}/dissolve", response=OrgOut, summary="Dissolve an organisation")
def dissolve_org(request: HttpRequest, org_id: OrgId, payload: DissolveIn) -> dict[str, Any]:
    """Refused (409) while it still has active sub-organisations, active members or workplaces."""
    org = _org(request, org_id)
    return _one(services.dissolve_org(org, actor=request_user(request), note=payload.note))
