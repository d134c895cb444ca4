"""REST API of mediation centres and studios (/api/v1/rights/centres): the centres in my scope
(rights.view), adding and changing one, adding a mediator (rights.handle on the running org or
above). Out of scope is 404 like missing; errors are `{code, message, fields}`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, OrgRef, PageNumber, PageOut, PathId, page_of
from gonghui.core.errors import NotFound
from gonghui.core.inputs import CleanText
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.selectors import org_in_scope
from gonghui.rights.models import MAX_NAME, CentreKind, MediationCentre, Mediator
from gonghui.rights.services import centres as services

router = Router(tags=["rights"])


class MediatorOut(Schema):
    id: int
    name: str
    phone: str
    username: str
    active: bool


class CentreOut(Schema):
    id: int
    org: OrgRef
    kind: CentreKind
    name: str
    address: str
    phone: str
    active: bool
    mediators: list[MediatorOut]


class DeactivateIn(Schema):
    successor_id: Id | None = Field(
        None, description="Takes over the mediator's disputes in hand; required while there are any."
    )


class CentreListOut(PageOut):
    items: list[CentreOut]


class CentreIn(Schema):
    kind: str = Field(max_length=10)
    name: CleanText = Field(max_length=MAX_NAME * 2)
    address: CleanText = Field("", max_length=services.ADDRESS_MAX * 2)
    phone: CleanText = Field("", max_length=services.PHONE_MAX * 2)
    active: bool = True

    def data(self) -> services.CentreInput:
        return services.CentreInput(
            kind=self.kind, name=self.name, address=self.address, phone=self.phone, active=self.active
        )


class NewCentreIn(CentreIn):
    org: str = Field(max_length=32, description="Code of the union running the centre.")


class MediatorIn(Schema):
    name: CleanText = Field(max_length=services.MEDIATOR_NAME_MAX * 2)
    phone: CleanText = Field("", max_length=services.PHONE_MAX * 2)
    username: CleanText = Field("", max_length=40, description="Leave empty for no sign-in.")
    password: str = Field("", max_length=128)


def mediator_out(mediator: Mediator) -> dict[str, Any]:
    return {
        "id": mediator.pk,
        "name": mediator.name,
        "phone": mediator.phone,
        "username": mediator.user.username if mediator.user else "",
        "active": mediator.active,
    }


def centre_out(centre: MediationCentre) -> dict[str, Any]:
    return {
        "id": centre.pk,
        "org": {"id": centre.org.pk, "code": centre.org.code, "name": centre.org.name},
        "kind": centre.kind,
        "name": centre.name,
        "address": centre.address,
        "phone": centre.phone,
        "active": centre.active,
        "mediators": [mediator_out(mediator) for mediator in centre.mediators.all()],
    }


def _rows() -> Any:
    return MediationCentre.objects.select_related("org").prefetch_related("mediators__user")


@router.get("", response=CentreListOut, summary="Centres and studios in my scope")
def centre_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    rows = visible(_rows(), request_user(request), Perm.RIGHTS_VIEW).order_by("org__path", "name", "id")
    header, items = page_of(rows, page)
    return {**header, "items": [centre_out(centre) for centre in items]}


@router.post("", response={201: CentreOut}, summary="Add a centre or studio")
def centre_create(request: HttpRequest, payload: NewCentreIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    org = org_in_scope(user, Perm.RIGHTS_HANDLE, payload.org)
    centre = services.create_centre(actor=user, org_id=org.pk, data=payload.data())
    return Status(201, centre_out(_rows().get(pk=centre.pk)))


@router.get("/{centre_id}", response=CentreOut, summary="One centre with its mediators")
def centre_detail(request: HttpRequest, centre_id: PathId) -> dict[str, Any]:
    return centre_out(get_visible(_rows(), request_user(request), Perm.RIGHTS_VIEW, pk=centre_id))


@router.put("/{centre_id}", response=CentreOut, summary="Change a centre")
def centre_update(request: HttpRequest, centre_id: PathId, payload: CentreIn) -> dict[str, Any]:
    services.update_centre(centre_id, actor=request_user(request), data=payload.data())
    return centre_out(_rows().get(pk=centre_id))


@router.post("/{centre_id}/mediators", response={201: CentreOut}, summary="Add a mediator")
def mediator_create(request: HttpRequest, centre_id: PathId, payload: MediatorIn) -> Status[dict[str, Any]]:
    services.create_mediator(
        actor=request_user(request),
        centre_id=centre_id,
        name=payload.name,
        phone=payload.phone,
        username=payload.username,
        password=payload.password,
    )
    return Status(201, centre_out(_rows().get(pk=centre_id)))


@router.post(
    "/{centre_id}/mediators/{mediator_id}/deactivate",
    response=CentreOut,
    summary="Switch a mediator off, handing their disputes in hand over",
)
def mediator_deactivate(
    request: HttpRequest, centre_id: PathId, mediator_id: PathId, payload: Body[DeactivateIn | None] = None
) -> dict[str, Any]:
    user = request_user(request)
    mediator = services.handled_mediator(user, mediator_id)
    if mediator.centre_id != centre_id:
        raise NotFound(_("There is no such mediator."))
    # No body is needed when nobody has to take disputes over.
    services.deactivate_mediator(
        mediator.pk, actor=user, successor_id=payload.successor_id if payload else None
    )
    return centre_out(_rows().get(pk=centre_id))
