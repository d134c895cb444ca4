"""REST API of the member registry (/api/v1/members): read-only for now.

Scoped by Perm.MEMBER_VIEW: a caller sees the members of the unions in their subtrees, and an
`org` filter outside them answers 404 like a missing org. ID and mobile numbers are masked.

`POST /card/verify` is the exception: any signed-in account (a partner shop's or venue's
scanner) may check a member card's QR token, and learns only "active member", the masked name,
the union and the card number's last four digits (gonghui.members.card).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gonghui.api import UserRateThrottle, request_user
from gonghui.core.api_types import MAX_ID
from gonghui.core.inputs import CleanText
from gonghui.members.card import verify_card_token
from gonghui.members.models import MemberStatus
from gonghui.members.selectors import MAX_PAGE_SIZE, PAGE_SIZE, MemberFilter, member_page
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible

router = Router(tags=["members"])


class MemberOut(Schema):
    id: int
    masked_name: str = Field(description="For example 王**.")
    masked_id_number: str = Field(description="For example 330203********1234.")
    masked_mobile: str = Field(description="For example 138****8000; empty when none is on file.")
    org_id: int = Field(description="The member's union.")
    org_name: str = Field(alias="org.name")
    workplace_id: int | None
    workplace_name: str | None
    joined_on: date
    status: MemberStatus

    @staticmethod
    def resolve_workplace_name(member: object) -> str | None:
        workplace = getattr(member, "workplace", None)
        return None if workplace is None else str(workplace.name)


class MemberPageOut(Schema):
    items: list[MemberOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class MemberQuery(Schema):
    org: int | None = Field(
        None, ge=1, le=MAX_ID, description="An org id: list its members and those of everything under it."
    )
    status: Literal["active", "transferred_out", "left", "deceased", "all"] = Field(
        "active", description="A member status, or `all`. Default: active."
    )
    q: Annotated[CleanText, Field(max_length=60)] = Field(
        "",
        description="A complete ID number or mobile number (exact), or a name: its beginning "
        "(at least two characters) or, with `whole_name`, the whole name.",
    )
    whole_name: bool = Field(False, description="A name in `q` matches only the whole name.")
    workplace: Annotated[CleanText, Field(max_length=120)] = Field(
        "", description="A workplace's credit code, or part of its name (at least two characters)."
    )
    category: Literal["", "gig", "migrant", "female", "model"] = Field(
        "", description="Gig workers, migrant workers, female workers or model workers; empty for all."
    )
    cursor: Annotated[str, Field(max_length=300)] = Field(
        "", description="`next_cursor` of the previous page; empty for the first page."
    )
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Members per page.")


@router.get("", response=MemberPageOut, summary="Members in the caller's scope")
def list_members(request: HttpRequest, query: Query[MemberQuery]) -> dict[str, Any]:
    """Members in tree order of their unions, then by id; keyset-paged with `cursor`. The
    filters combine; a search that cannot run (part of a number, one character of a name, a
    workplace fragment matching too many) is refused with 422 and the field named."""
    user = request_user(request)
    org = None if query.org is None else get_visible(Org, user, Perm.MEMBER_VIEW, pk=query.org)
    status = "" if query.status == "all" else query.status
    filters = MemberFilter(
        org=org,
        status=status,
        q=query.q,
        whole_name=query.whole_name,
        workplace=query.workplace,
        category=query.category,
        cursor=query.cursor,
    )
    page = member_page(user, filters, limit=query.limit)
    return {"items": page.members, "next_cursor": page.next_cursor}


class CardVerifyIn(Schema):
    token: Annotated[str, Field(max_length=200)] = Field(description="The text of the member card's QR code.")


class CardVerifyOut(Schema):
    valid: bool = Field(description="Always true; a card that is not valid gets an error response.")
    masked_name: str = Field(description="For example 王**.")
    union: str = Field(description="The name of the member's union.")
    card_number_tail: str = Field(description="The last four digits of the card number.")


@router.post(
    "/card/verify",
    response=CardVerifyOut,
    summary="Check a member card's QR code",
    # A busy venue gate scans a member every few seconds; more than this from one account is a
    # script trying tokens.
    throttle=[UserRateThrottle("60/m")],
    openapi_extra={
        "responses": {
            "404": {"description": "`card_inactive`: the membership is no longer active."},
            "422": {
                "description": "`card_expired`: the code is too old (ask for a fresh one); "
                "`card_invalid`: not a member card code, or altered."
            },
        }
    },
)
def verify_member_card(request: HttpRequest, payload: CardVerifyIn) -> dict[str, Any]:
    """For any signed-in account. A code is valid for MEMBER_CARD_TOKEN_SECONDS (default 120) after
    the member's phone showed it."""
    card = verify_card_token(payload.token)
    return {
        "valid": True,
        "masked_name": card.masked_name,
        "union": card.union,
        "card_number_tail": card.card_number_tail,
    }
