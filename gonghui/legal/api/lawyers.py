"""REST API of volunteer lawyers for officers (/api/v1/legal/lawyers): the lawyers serving the
unions in my scope (rights.view), registering, changing, opening a sign-in and switching off
(rights.handle on the org served). A lawyer with open cases is switched off only with a
successor who takes them all over (409 `has_open_cases` otherwise). Out-of-scope lawyers are
404. Errors are `{code, message, fields}`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Field, Router, Schema
from ninja.responses import Status

from gonghui.api import request_user
from gonghui.core.api_types import Id, PageNumber, PageOut, PathId, page_of
from gonghui.core.inputs import CleanText
from gonghui.legal.models import Lawyer
from gonghui.legal.services import lawyers as services
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.selectors import org_in_scope

router = Router(tags=["legal"])


class LawyerOut(Schema):
    id: int
    org_id: int
    org: str
    name: str
    law_firm: str
    licence_number: str
    practice_areas: str
    username: str = Field(description="The sign-in, empty if none.")
    active: bool


class LawyerListOut(PageOut):
    items: list[LawyerOut]


class LawyerFields(Schema):
    name: CleanText = Field(max_length=120)
    law_firm: CleanText = Field(max_length=240)
    licence_number: CleanText = Field(max_length=40)
    practice_areas: CleanText = Field(max_length=400)

    def data(self) -> services.LawyerInput:
        return services.LawyerInput(
            name=self.name,
            law_firm=self.law_firm,
            licence_number=self.licence_number,
            practice_areas=self.practice_areas,
        )


class LawyerIn(LawyerFields):
    org: str = Field(max_length=32, description="Code of the union served.")


class DeactivateIn(Schema):
    successor_id: Id | None = Field(
        None, description="Required when the lawyer has open cases: the lawyer who takes them all over."
    )


class AccountIn(Schema):
    username: CleanText = Field(max_length=40)
    password: str = Field(max_length=128)


def lawyer_out(lawyer: Lawyer) -> dict[str, Any]:
    return {
        "id": lawyer.pk,
        "org_id": lawyer.org_id,
        "org": lawyer.org.name,
        "name": lawyer.name,
        "law_firm": lawyer.law_firm,
        "licence_number": lawyer.licence_number,
        "practice_areas": lawyer.practice_areas,
        "username": lawyer.user.username if lawyer.user else "",
        "active": lawyer.is_active,
    }


def _rows(request: HttpRequest) -> Any:
    return visible(Lawyer, request_user(request), Perm.RIGHTS_VIEW).select_related("org", "user")


def _one(request: HttpRequest, lawyer_id: int) -> dict[str, Any]:
    return lawyer_out(get_visible(_rows(request), request_user(request), Perm.RIGHTS_VIEW, pk=lawyer_id))


@router.get("", response=LawyerListOut, summary="Volunteer lawyers in my scope")
def lawyer_list(request: HttpRequest, page: PageNumber = 1) -> dict[str, Any]:
    header, items = page_of(_rows(request).order_by("name", "id"), page)
    return {**header, "items": [lawyer_out(lawyer) for lawyer in items]}


@router.post("", response={201: LawyerOut}, summary="Register a volunteer lawyer")
def lawyer_create(request: HttpRequest, payload: LawyerIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    org = org_in_scope(user, Perm.RIGHTS_HANDLE, payload.org)
    lawyer = services.register_lawyer(actor=user, org_id=org.pk, data=payload.data())
    return Status(201, _one(request, lawyer.pk))


@router.get("/{lawyer_id}", response=LawyerOut, summary="One volunteer lawyer")
def lawyer_detail(request: HttpRequest, lawyer_id: PathId) -> dict[str, Any]:
    return _one(request, lawyer_id)


@router.put("/{lawyer_id}", response=LawyerOut, summary="Change a lawyer's details")
def lawyer_change(request: HttpRequest, lawyer_id: PathId, payload: LawyerFields) -> dict[str, Any]:
    services.change_lawyer(lawyer_id, actor=request_user(request), data=payload.data())
    return _one(request, lawyer_id)


@router.post("/{lawyer_id}/account", response=LawyerOut, summary="Open the lawyer's sign-in")
def lawyer_account(request: HttpRequest, lawyer_id: PathId, payload: AccountIn) -> dict[str, Any]:
    services.open_lawyer_account(
        lawyer_id, actor=request_user(request), username=payload.username, password=payload.password
    )
    return _one(request, lawyer_id)


@router.post(
    "/{lawyer_id}/deactivate",
    response=LawyerOut,
    summary="Switch a lawyer off (409 has_open_cases unless a successor takes their open cases)",
)
def lawyer_deactivate(
    request: HttpRequest, lawyer_id: PathId, payload: Body[DeactivateIn | None] = None
) -> dict[str, Any]:
    # No body is needed when nobody has to take cases over.
    successor_id = payload.successor_id if payload else None
    services.deactivate_lawyer(lawyer_id, actor=request_user(request), successor_id=successor_id)
    return _one(request, lawyer_id)
