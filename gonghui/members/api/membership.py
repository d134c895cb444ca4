"""REST API of member self-service (/api/v1/membership): the signed-in person's own membership.

Every operation acts on the caller's own records only (gonghui.members.services.selfservice), so
no scope applies. An account without a membership (an officer's, say) gets 404 `no_membership`;
a person whose membership has ended gets 404 `no_active_membership` where an active one is
needed, and still has their history and their data.

The mobile number is changed in two calls: `POST /mobile/code` texts a code to the new number,
`POST /mobile` confirms with that code and the current password. A member signs in with their
mobile number, so the change moves their sign-in name too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.api import UserRateThrottle, request_user
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.inputs import CleanText
from gonghui.core.mobile import mask_mobile
from gonghui.members.card import card_number
from gonghui.members.models import GigOccupation, Member, MemberStatus, Sex
from gonghui.members.services import selfservice

router = Router(tags=["membership"])

MAX_HISTORY_PAGE = 100


class CategoriesOut(Schema):
    is_gig_worker: bool
    gig_occupation: GigOccupation | Literal[""] = Field(description="Empty unless a gig worker.")
    gig_occupation_label: str
    gig_platform: str
    is_migrant_worker: bool
    is_model_worker: bool = Field(description="Recorded by officers; members cannot change it.")
    is_female_worker: bool = Field(description="From the ID number.")


class UnionOut(Schema):
    id: int
    code: str
    name: str


class ProfileOut(Schema):
    membership_id: int
    card_number: str = Field(description="For example GH000000012344.")
    name: str
    masked_id_number: str = Field(
        description="For example 330203********1234; the full number is in the export."
    )
    masked_mobile: str = Field(description="For example 138****8000.")
    birth_date: date = Field(description="From the ID number.")
    sex: Sex = Field(description="From the ID number.")
    union: UnionOut
    workplace_name: str | None = Field(description="Null for a member without a fixed employer.")
    joined_on: date
    status: MemberStatus
    status_label: str
    categories: CategoriesOut


def _profile(member: Member) -> dict[str, Any]:
    return {
        "membership_id": member.pk,
        "card_number": card_number(member),
        "name": member.name,
        "masked_id_number": member.masked_id_number,
        "masked_mobile": member.masked_mobile,
        "birth_date": member.birth_date,
        "sex": member.sex,
        "union": {"id": member.org.pk, "code": member.org.code, "name": member.org.name},
        "workplace_name": member.workplace.name if member.workplace else None,
        "joined_on": member.joined_on,
        "status": member.status,
        "status_label": str(member.get_status_display()),
        "categories": {
            "is_gig_worker": member.is_gig_worker,
            "gig_occupation": member.gig_occupation,
            "gig_occupation_label": str(member.get_gig_occupation_display()) if member.gig_occupation else "",
            "gig_platform": member.gig_platform,
            "is_migrant_worker": member.is_migrant_worker,
            "is_model_worker": member.is_model_worker,
            "is_female_worker": member.is_female_worker,
        },
    }


NOT_FOUND_DOC = {
    "404": {
        "description": "`no_membership`: the account has no membership (an officer's account, say); "
        "`no_active_membership`: the membership has ended."
    }
}


@router.get("", response=ProfileOut, summary="My membership", openapi_extra={"responses": NOT_FOUND_DOC})
def get_my_membership(request: HttpRequest) -> dict[str, Any]:
    """The caller's active membership: ID and mobile numbers masked."""
    return _profile(selfservice.require_current_membership(request_user(request)))


class OfficerOut(Schema):
    name: str
    position: str


class MyUnionOut(Schema):
    union: UnionOut
    kind_label: str
    address: str
    contact_name: str
    contact_phone: str = Field(description="The union's public contact phone.")
    parent_name: str | None = Field(description="The organisation the union belongs to.")
    officers: list[OfficerOut] = Field(
        description="The committee in office today, chair first; names and positions only."
    )


@router.get("/union", response=MyUnionOut, summary="My union", openapi_extra={"responses": NOT_FOUND_DOC})
def get_my_union(request: HttpRequest) -> dict[str, Any]:
    info = selfservice.union_info(selfservice.require_current_membership(request_user(request)))
    org = info.org
    return {
        "union": {"id": org.pk, "code": org.code, "name": org.name},
        "kind_label": str(org.get_kind_display()),
        "address": org.address,
        "contact_name": org.contact_name,
        "contact_phone": org.contact_phone,
        "parent_name": info.parent.name if info.parent else None,
        "officers": [{"name": officer.name, "position": officer.position} for officer in info.officers],
    }


class CategoriesPatch(Schema):
    """The categories a member declares about themselves; only the fields sent change. Platform
    work and platform are kept for gig workers only."""

    model_config = ConfigDict(extra="forbid")

    is_gig_worker: bool | None = None
    gig_occupation: GigOccupation | Literal[""] | None = Field(None, description="Required for a gig worker.")
    gig_platform: Annotated[CleanText, Field(max_length=selfservice.PLATFORM_MAX)] | None = Field(
        None, description="The company or app the member works through, e.g. 美团."
    )
    is_migrant_worker: bool | None = None


@router.patch(
    "/categories",
    response=ProfileOut,
    summary="Change the categories I declare",
    openapi_extra={"responses": NOT_FOUND_DOC},
)
def update_my_categories(request: HttpRequest, payload: CategoriesPatch) -> dict[str, Any]:
    actor = request_user(request)
    member = selfservice.require_current_membership(actor)
    sent = payload.model_dump(exclude_unset=True)
    nulls = sorted(key for key, value in sent.items() if value is None)
    if nulls:
        raise ValidationFailed(
            _("Some of the data is not valid. See the fields."),
            fields={key: [_("This field cannot be empty.")] for key in nulls},
        )
    current = selfservice.DeclaredCategories.of(member)
    categories = selfservice.DeclaredCategories(
        is_gig_worker=sent.get("is_gig_worker", current.is_gig_worker),
        gig_occupation=str(sent.get("gig_occupation", current.gig_occupation)),
        gig_platform=sent.get("gig_platform", current.gig_platform),
        is_migrant_worker=sent.get("is_migrant_worker", current.is_migrant_worker),
    )
    return _profile(selfservice.update_own_profile(actor=actor, categories=categories))


class ChangeOut(Schema):
    field: str
    before: str
    after: str


class EventOut(Schema):
    id: int
    kind: str = Field(description="A MemberEventKind value, e.g. `joined`, `mobile_changed`.")
    kind_label: str
    union: str
    time: datetime
    by: str = Field(description="You, union staff, or the system.")
    note: str
    changes: list[ChangeOut] = Field(description="Personal numbers are masked.")


class HistoryOut(Schema):
    items: list[EventOut]
    next_page: int | None = Field(description="Pass as `page` for older events; null on the last page.")


class HistoryQuery(Schema):
    page: int = Field(1, ge=1, le=10_000)
    limit: int = Field(50, ge=1, le=MAX_HISTORY_PAGE)


@router.get(
    "/history",
    response=HistoryOut,
    summary="My membership history",
    openapi_extra={"responses": {"404": {"description": "`no_membership`"}}},
)
def get_my_history(request: HttpRequest, query: Query[HistoryQuery]) -> dict[str, Any]:
    """Events of all the caller's memberships (a transfer opens a new one), newest first."""
    user = request_user(request)
    if not Member.objects.filter(user=user).exists():
        raise NotFound(selfservice.no_records_message(), code="no_membership")
    start = (query.page - 1) * query.limit
    events = list(selfservice.own_events(user)[start : start + query.limit + 1])
    entries = selfservice.history_entries(events[: query.limit], viewer=user)
    return {
        "items": [
            {
                "id": entry.event.pk,
                "kind": entry.event.kind,
                "kind_label": entry.kind,
                "union": entry.union,
                "time": entry.time,
                "by": entry.by,
                "note": entry.note,
                "changes": [
                    {"field": line.label, "before": line.before, "after": line.after}
                    for line in entry.changes
                ],
            }
            for entry in entries
        ],
        "next_page": query.page + 1 if len(events) > query.limit else None,
    }


class ExportQuery(Schema):
    format: Literal["json", "xlsx"] = Field("json", description="`json` (UTF-8) or `xlsx`.")


EXPORT_RESPONSES = {
    "responses": {
        200: {
            "description": "Everything held about the caller, as an attachment; full ID and mobile numbers.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        },
        "404": {"description": "`no_membership`: no membership and no join application."},
    }
}


@router.get(
    "/export",
    response={200: None},
    summary="Download all my data",
    openapi_extra=EXPORT_RESPONSES,
    # Each export decrypts every record of the person and is written to their history.
    throttle=[UserRateThrottle("10/h")],
)
def export_my_data(request: HttpRequest, query: Query[ExportQuery]) -> HttpResponse:
    """Memberships (current and past), history, join applications, transfers and the account.
    Recorded in the caller's history and audited."""
    data_file = selfservice.download_own_data(actor=request_user(request), file_format=query.format)
    response = HttpResponse(data_file.content, content_type=data_file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, data_file.file_name) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


Mobile = Annotated[CleanText, Field(max_length=20, description="The new mobile number, e.g. 13912345678.")]


class MobileCodeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mobile: Mobile


class MobileCodeOut(Schema):
    sent_to: str = Field(description="The new number, masked.")


@router.post(
    "/mobile/code",
    response={202: MobileCodeOut},
    summary="Text a code to my new mobile number",
    openapi_extra={
        "responses": {
            "409": {
                "description": "`mobile_taken`: another account uses the number; `conflict`: a code was "
                "sent a moment ago or too many today; `too_many_attempts`."
            }
        }
    },
)
def send_mobile_code(request: HttpRequest, payload: MobileCodeIn) -> Status[dict[str, str]]:
    number = selfservice.request_mobile_change_code(actor=request_user(request), new_mobile=payload.mobile)
    return Status(202, {"sent_to": mask_mobile(number)})


class MobileChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mobile: Mobile
    code: Annotated[
        CleanText, Field(min_length=1, max_length=6, description="The code texted to the new number.")
    ]
    password: Annotated[str, Field(min_length=1, max_length=128, description="The current password.")]


class MobileChangeOut(Schema):
    masked_mobile: str = Field(description="The new number, masked; a member now signs in with it.")


@router.post(
    "/mobile",
    response=MobileChangeOut,
    summary="Change my mobile number",
    openapi_extra={
        "responses": {
            "409": {"description": "`mobile_taken`; `too_many_attempts`: wrong passwords, try later."},
            "422": {"description": "Wrong, expired or spent code (`code`), wrong password (`password`)."},
        }
    },
)
def change_mobile(request: HttpRequest, payload: MobileChangeIn) -> dict[str, str]:
    """The account, every membership record of the person and an application under review move to
    the new number; the old number is told by SMS. Sessions stay signed in."""
    number = selfservice.change_own_mobile(
        actor=request_user(request), new_mobile=payload.mobile, code=payload.code, password=payload.password
    )
    return {"masked_mobile": mask_mobile(number)}
