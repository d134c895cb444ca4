"""/api/v1/supervision/supervisors: the supervisors of the caller's scope, adding and changing one.
Mobiles are masked unless the caller handles the supervisor's union."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from gonghui.accounts.models import User
from gonghui.api import request_user
from gonghui.core.api_types import PageNumber, PageOut, PathId, page_of
from gonghui.core.mobile import mask_mobile
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible
from gonghui.supervision.api.common import OrgOut, org_id, org_out
from gonghui.supervision.models import Supervisor
from gonghui.supervision.services import supervisors as services

router = Router(tags=["supervision"])


class SupervisorOut(Schema):
    id: int
    org: OrgOut
    name: str
    certificate_number: str
    mobile: str = Field(description="Masked unless you handle the supervisor's union.")
    username: str = Field(description="The linked officer account, or empty.")
    active: bool


class SupervisorListOut(PageOut):
    items: list[SupervisorOut]


class SupervisorIn(Schema):
    org: str = Field(max_length=32, description="Code of the union whose committee the supervisor sits on.")
    name: str = Field(max_length=services.NAME_MAX * 2)
    certificate_number: str = Field(max_length=services.CERTIFICATE_MAX * 2)
    mobile: str = Field("", max_length=30)
    username: str = Field("", max_length=40)
    active: bool = True

    def data(self) -> services.SupervisorInput:
        return services.SupervisorInput(
            org=org_id(self.org),
            name=self.name,
            certificate_number=self.certificate_number,
            mobile=self.mobile,
            username=self.username,
            is_active=self.active,
        )


def supervisor_out(supervisor: Supervisor, user: User) -> dict[str, Any]:
    mobile = supervisor.mobile
    if mobile and not has_perm_at(user, Perm.RIGHTS_HANDLE, supervisor.org.path):
        mobile = mask_mobile(mobile)
    return {
        "id": supervisor.pk,
        "org": org_out(supervisor.org),
        "name": supervisor.name,
        "certificate_number": supervisor.certificate_number,
        "mobile": mobile,
        "username": supervisor.user.username if supervisor.user else "",
        "active": supervisor.is_active,
    }


def _supervisors(user: User) -> Any:
    return visible(Supervisor, user, Perm.RIGHTS_VIEW).select_related("org", "user")


@router.get("", response=SupervisorListOut, summary="Supervisors in my scope")
def supervisor_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    user = request_user(request)
    header, items = page_of(_supervisors(user), page)
    return {**header, "items": [supervisor_out(supervisor, user) for supervisor in items]}


@router.post("", response={201: SupervisorOut}, summary="Add a supervisor")
def supervisor_create(request: HttpRequest, payload: SupervisorIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    supervisor = services.add_supervisor(payload.data(), actor=user)
    return Status(201, supervisor_out(_supervisors(user).get(pk=supervisor.pk), user))


@router.get("/{supervisor_id}", response=SupervisorOut, summary="One supervisor")
def supervisor_detail(request: HttpRequest, supervisor_id: PathId) -> dict[str, Any]:
    user = request_user(request)
    return supervisor_out(get_visible(_supervisors(user), user, Perm.RIGHTS_VIEW, pk=supervisor_id), user)


@router.put("/{supervisor_id}", response=SupervisorOut, summary="Change a supervisor")
def supervisor_update(request: HttpRequest, supervisor_id: PathId, payload: SupervisorIn) -> dict[str, Any]:
    user = request_user(request)
    services.update_supervisor(supervisor_id, payload.data(), actor=user)
    return supervisor_out(_supervisors(user).get(pk=supervisor_id), user)
