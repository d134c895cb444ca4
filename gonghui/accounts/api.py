"""API endpoints for the signed-in user's own account: `/me` and personal API tokens.

Creating a token needs a signed-in browser session (with its second factor, where one is set up):
a token cannot mint further tokens, so a leaked token cannot outlive its own revocation, and the
one-time code that tokens skip is asked for when the token is made. Listing and revoking work
with either kind of credential, so that a script can revoke its own token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from gonghui.accounts import services
from gonghui.accounts.models import AccountKind, ApiToken
from gonghui.api import SessionAuth, UserRateThrottle, request_user
from gonghui.core.api_types import PathId
from gonghui.core.inputs import CleanText

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str = Field(
        description="The name others may see: an officer's username, or a member's masked mobile number."
    )
    display_name: str
    kind: AccountKind
    masked_mobile: str = Field(description="For example 138****8000; empty when no mobile number is on file.")
    otp_enabled: bool = Field(description="Whether two-factor authentication is switched on.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the token, to tell tokens apart.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    revoked_at: datetime | None
    is_usable: bool = Field(description="Neither revoked nor expired.")


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself. It is shown only in this response: store it now.")


TokenName = Annotated[
    CleanText,
    Field(
        min_length=1, max_length=60, description="What the token is for; 1 to 60 characters after trimming."
    ),
]


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: TokenName
    expires_in_days: int = Field(ge=1, le=366, strict=True, description="Days until the token expires.")


def _token_out(token: ApiToken) -> dict[str, Any]:
    return TokenOut.from_orm(token).model_dump()


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    """The signed-in account. A member's mobile number appears only masked."""
    user = request_user(request)
    return MeOut(
        id=user.pk,
        username=user.public_username,
        display_name=user.display_name,
        kind=AccountKind(user.kind),
        masked_mobile=user.masked_mobile,
        otp_enabled=services.confirmed_totp_device(user) is not None,
    )


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    """Your own API tokens, newest first, including revoked and expired ones."""
    return ApiToken.objects.filter(user=request_user(request)).order_by("-created_at", "-pk")


@router.post(
    "/tokens",
    auth=[SessionAuth()],
    response={201: TokenCreatedOut},
    throttle=[UserRateThrottle("30/h")],
)
def create_token(request: HttpRequest, payload: TokenIn, response: HttpResponse) -> Status[dict[str, Any]]:
    """Create a personal API token (signed-in session only, not with a token).

    The token is in this response only; the server keeps just its hash."""
    token, raw = services.create_api_token(
        actor=request_user(request), name=payload.name, expires_in_days=payload.expires_in_days
    )
    # The one response that carries a secret must not linger in any cache.
    response["Cache-Control"] = "no-store"
    return Status(201, {**_token_out(token), "token": raw})


@router.delete("/tokens/{int:token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: PathId) -> Status[None]:
    """Revoke one of your tokens. Someone else's token answers 404, exactly like a missing one."""
    services.revoke_api_token(token_id, actor=request_user(request))
    return Status(204, None)
