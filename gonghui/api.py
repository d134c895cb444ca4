"""The REST API: one `NinjaAPI` object served at /api/v1 (mounted in `gonghui/urls.py`).

Adding an app's endpoints
-------------------------
Each app keeps its endpoints in `<app>/api.py` as a `ninja.Router` named `router` and adds one line
to `ROUTERS` below, e.g. `("/orgs", "gonghui.orgs.api.router")`: that is
`api.add_router("/orgs", "gonghui.orgs.api.router")`, done when the URLconf is first loaded rather
than when this module is imported, so that a router module can import what it needs from here
(`request_user`, `ErrorOut`) without an import cycle.

    # gonghui/orgs/api.py
    from django.http import HttpRequest
    from ninja import Router

    from gonghui.api import request_user

    router = Router(tags=["orgs"])

    @router.get("/{int:org_id}", response=OrgOut)          # GET /api/v1/orgs/{org_id}
    def get_org(request: HttpRequest, org_id: int) -> Org:
        return selectors.visible_org(org_id, user=request_user(request))  # NotFound if out of scope

Every endpoint requires a signed-in user (session or token) unless it says `auth=None` (public) or
narrows it, e.g. `auth=[SessionAuth()]` for what only a person at a browser may do.
An endpoint parses its input with a `Schema` (constraints in `Field(...)`, so they appear in the
OpenAPI document), calls one service or selector, and returns a `Schema`. Services raise
`DomainError`s, which become the error responses below. Do not raise ninja's `HttpError`: raise a
`DomainError`, so that the message is for people and the code is stable.

Authentication
--------------
- `TokenAuth`: `Authorization: Bearer gh_...`, a personal API token (`accounts.ApiToken`).
- `SessionAuth`: the browser session of the portal, the console and the docs page. Unsafe methods
  must carry the CSRF token (`X-CSRFToken` header) or they get 403 `csrf_failed`. A session whose
  second factor is still pending gets 401 `second_factor_required`.
A request that carries an `Authorization` header is judged by that header alone: scripts that send
a token never need a CSRF token, and a forged cross-site request cannot carry that header.

Errors
------
Every 4xx (and the 500 that must never happen) has one JSON body, `ErrorOut`:

    {"code": "validation_error", "message": "…", "fields": {"name": ["…"], "items.0.qty": ["…"]}}

- `code`: stable, English snake_case; clients branch on it. The codes are listed in `ERROR_CODES`;
  a `DomainError` may bring a more specific one (e.g. `invalid_transition`).
- `message`: one sentence for people, in Chinese.
- `fields`: field path → messages; `{}` when the error is not about particular fields.

Field paths name the place in the request as the client wrote it:
1. The part of the request (body, query, path, header, cookie, form) is left out: `name`, not
   `body.name`. This is unambiguous because an operation may not accept the same top-level name
   from two parts of the request: `GonghuiAPI.urls` refuses to build such an API.
2. When an endpoint takes one body schema (`payload: TokenIn`), the JSON body *is* that schema, so
   the parameter name is left out too: `name`, not `payload.name`. With several body parameters
   the body is an object keyed by parameter name, and that name stays: `payload.name`.
3. Nested fields and list items are joined with dots; list indexes are numbers: `items.0.qty`.
4. Errors about the body as a whole (missing, or not a JSON object) use the key `__all__`, as
   Django forms do for errors that belong to no single field. Likewise a nested value that should
   be an object but is not gets one error at its own path (`lines.0`), not one per missing field.
"""

from __future__ import annotations

import functools
import logging
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal

import ninja.openapi.schema
import pydantic_core
from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    ImproperlyConfigured,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    Throttled,
    ValidationError,
    ValidationErrorContext,
)
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.responses import Status
from ninja.schema import DjangoGetter, NinjaGenerateJsonSchema
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import SimpleRateThrottle
from ninja.utils import check_csrf
from pydantic import BaseModel
from pydantic.json_schema import CoreModeRef, DefsRef

from gonghui.accounts.decorators import pending_second_factor
from gonghui.accounts.models import User
from gonghui.accounts.services import authenticate_api_token
from gonghui.core.errors import DomainError
from gonghui.core.views import health_report

logger = logging.getLogger(__name__)

# Where each app's router is mounted (see the module docstring).
ROUTERS: tuple[tuple[str, str], ...] = (
    ("/", "gonghui.accounts.api.router"),  # /me, /tokens
    ("/jobs", "gonghui.jobs.api.router"),
    ("/founding", "gonghui.founding.api.router"),
    ("/ratings", "gonghui.ratings.api.router"),
    ("/coverage", "gonghui.orgs.api.coverage.router"),
    ("/members", "gonghui.members.api.registry.router"),
    ("/membership", "gonghui.members.api.membership.router"),  # the signed-in member's own data
    ("/join-applications", "gonghui.members.api.joining.router"),
    ("/join-routes", "gonghui.members.api.joining.routes_router"),
    ("/transfers", "gonghui.members.api.transfers.router"),
    ("/orgs", "gonghui.orgs.api.tree.router"),
    ("/officers", "gonghui.orgs.api.officers.router"),
    ("/role-grants", "gonghui.orgs.api.officers.role_grants_router"),
    ("/workplaces", "gonghui.orgs.api.workplaces.router"),
    ("/benefits/merchants", "gonghui.benefits.api.merchants.router"),
    ("/benefits/campaigns", "gonghui.benefits.api.campaigns.router"),
    ("/benefits/vouchers", "gonghui.benefits.api.vouchers.router"),
    ("/benefits/reports", "gonghui.benefits.api.reports.router"),
    ("/benefits/pledges", "gonghui.benefits.api.pledges.router"),
    ("/mutualaid/plans", "gonghui.mutualaid.api.plans.router"),
    ("/mutualaid/enrolment-batches", "gonghui.mutualaid.api.enrolment.router"),
    ("/mutualaid/claims", "gonghui.mutualaid.api.claims.router"),
    ("/mutualaid/payment-batches", "gonghui.mutualaid.api.payments.router"),
    ("/mutualaid/reports", "gonghui.mutualaid.api.reports.router"),
    ("/mutualaid/me", "gonghui.mutualaid.api.member.router"),  # the signed-in member's coverage and claims
    ("/assistance/files", "gonghui.assistance.api.files.router"),
    ("/assistance/thresholds", "gonghui.assistance.api.thresholds.router"),
    ("/assistance/funds", "gonghui.assistance.api.funds.router"),
    ("/assistance/grants", "gonghui.assistance.api.grants.router"),
    ("/assistance/campaigns", "gonghui.assistance.api.campaigns.router"),
    ("/assistance/reports", "gonghui.assistance.api.reports.router"),
    ("/service-points", "gonghui.services.api.points.router"),
    ("/courses/me", "gonghui.courses.api.member.router"),  # the signed-in member's enrolments
    ("/courses", "gonghui.courses.api.courses.router"),
    ("/counselling/me", "gonghui.counselling.api.member.router"),  # the member's own bookings
    ("/counselling", "gonghui.counselling.api.counselling.router"),
    ("/events/me", "gonghui.events.api.member.router"),  # the signed-in member's sign-ups
    ("/events", "gonghui.events.api.events.router"),
    ("/assistance/me", "gonghui.assistance.api.member.router"),  # the signed-in member's own files and grants
    ("/calendar", "gonghui.workdays.api.calendar.router"),  # working-day calendar and deadline rules
    ("/rights/disputes", "gonghui.rights.api.disputes.router"),
    ("/rights/centres", "gonghui.rights.api.centres.router"),
    ("/rights/statistics", "gonghui.rights.api.statistics.router"),
    ("/rights/me", "gonghui.rights.api.member.router"),  # the signed-in worker's own disputes
    ("/legal/consultations", "gonghui.legal.api.consultations.router"),
    ("/legal/aid", "gonghui.legal.api.aid.router"),
    ("/legal/lawyers", "gonghui.legal.api.lawyers.router"),
    ("/legal/me", "gonghui.legal.api.member.router"),  # the signed-in worker's questions and applications
    ("/supervision", "gonghui.supervision.api.supervision.router"),
    ("/contracts/me", "gonghui.contracts.api.member.router"),  # bargaining topics a member proposes
    ("/contracts", "gonghui.contracts.api.contracts.router"),
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NON_FIELD_KEY = "__all__"
URLs = list[URLPattern | URLResolver]

ERROR_CODES: dict[str, str] = {
    "malformed_request": "400 — the body cannot be read (not JSON, or a broken form encoding)",
    "bad_request": "400 — the request cannot be processed as sent",
    "not_authenticated": "401 — no valid session or bearer token",
    "second_factor_required": "401 — the session has not entered its one-time code yet",
    "forbidden": "403 — signed in, but not allowed",
    "csrf_failed": "403 — a session request without a valid CSRF token",
    "not_found": "404 — missing, or outside what the user may see (the two look the same)",
    "method_not_allowed": "405 — see the Allow header",
    "conflict": "409 — the current state does not allow it (services may use a finer code)",
    "request_too_large": "413",
    "validation_error": "422 — see `fields`",
    "throttled": "429 — see the Retry-After header",
    "server_error": "500 — a bug; it has been logged",
}


# --------------------------------------------------------------------------------------------
# Error bodies
# --------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    """The body of every error response."""

    code: str
    message: str
    fields: dict[str, list[str]]


def error_response(
    status: int,
    code: str,
    message: str | Promise,
    fields: Mapping[str, list[str]] | None = None,
) -> HttpResponse:
    body = {
        "code": code,
        "message": str(message),
        "fields": {key: list(v) for key, v in (fields or {}).items()},
    }
    return JsonResponse(body, status=status)


class CsrfFailed(Exception):
    """An unsafe request authenticated by the session cookie without a valid CSRF token."""


class SecondFactorRequired(Exception):
    """The session has passed the password step but not the one-time code."""


# Messages for pydantic's error types, so that field errors read like the rest of the UI instead of
# pydantic's English. Placeholders are filled from the error's `ctx`.
_FIELD_MESSAGES: dict[str, Promise] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not expected here."),
    "string_type": _("Enter text."),
    "string_unicode": _("Enter text."),
    "string_too_short": _("Enter at least %(min_length)s characters."),
    "string_too_long": _("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": _("The format is not valid."),
    "int_type": _("Enter a whole number."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "int_parsing_size": _("The number is too large."),
    "float_type": _("Enter a number."),
    "float_parsing": _("Enter a number."),
    "finite_number": _("Enter a number."),
    "decimal_type": _("Enter a number."),
    "decimal_parsing": _("Enter a number."),
    "decimal_max_digits": _("Enter at most %(max_digits)s digits."),
    "decimal_max_places": _("Enter at most %(decimal_places)s decimal places."),
    "greater_than": _("Enter a value greater than %(gt)s."),
    "greater_than_equal": _("Enter a value of at least %(ge)s."),
    "less_than": _("Enter a value less than %(lt)s."),
    "less_than_equal": _("Enter a value of at most %(le)s."),
    "multiple_of": _("Enter a multiple of %(multiple_of)s."),
    "bool_type": _("Enter true or false."),
    "bool_parsing": _("Enter true or false."),
    "list_type": _("Enter a list."),
    "tuple_type": _("Enter a list."),
    "set_type": _("Enter a list."),
    "iterable_type": _("Enter a list."),
    "too_short": _("Give at least %(min_length)s items."),
    "too_long": _("Give at most %(max_length)s items."),
    "dict_type": _("Enter an object."),
    "model_type": _("Enter an object."),
    "model_attributes_type": _("Enter an object."),
    "mapping_type": _("Enter an object."),
    "enum": _("Choose one of: %(expected)s."),
    "literal_error": _("Choose one of: %(expected)s."),
    "date_type": _("Enter a date such as 2026-11-25."),
    "date_parsing": _("Enter a date such as 2026-11-25."),
    "date_from_datetime_parsing": _("Enter a date such as 2026-11-25."),
    "date_from_datetime_inexact": _("Enter a date such as 2026-11-25."),
    "datetime_type": _("Enter a date and time such as 2026-11-25T09:30:00+08:00."),
    "datetime_parsing": _("Enter a date and time such as 2026-11-25T09:30:00+08:00."),
    "datetime_from_date_parsing": _("Enter a date and time such as 2026-11-25T09:30:00+08:00."),
    "datetime_object_invalid": _("Enter a date and time such as 2026-11-25T09:30:00+08:00."),
    "time_type": _("Enter a time such as 09:30."),
    "time_parsing": _("Enter a time such as 09:30."),
    "uuid_type": _("Enter a valid UUID."),
    "uuid_parsing": _("Enter a valid UUID."),
    "uuid_version": _("Enter a valid UUID."),
    "url_type": _("Enter a valid web address."),
    "url_parsing": _("Enter a valid web address."),
    "url_syntax_violation": _("Enter a valid web address."),
    "url_scheme": _("Enter a valid web address."),
    "json_invalid": _("Enter valid JSON."),
}
_PYDANTIC_ERROR_TYPES = frozenset(typing.get_args(pydantic_core.core_schema.ErrorType))
_INVALID = _("This value is not valid.")


def _field_message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in {"value_error", "assertion_error"} and "error" in ctx:
        # Raised by our own validators with a message already written for people.
        return str(ctx["error"])
    if kind not in _PYDANTIC_ERROR_TYPES and error.get("msg"):
        # A PydanticCustomError from our code: its message is ours too.
        return str(error["msg"])
    template = _FIELD_MESSAGES.get(kind, _INVALID)
    try:
        return str(template) % ctx
    except (KeyError, TypeError, ValueError):
        return str(_INVALID)


def _field_path(error: Mapping[str, Any]) -> str:
    if "field" in error:  # set by GonghuiAPI.validation_error_from_error_contexts
        return str(error["field"]) or NON_FIELD_KEY
    location = list(error.get("loc") or ())[1:]  # without the part of the request
    return ".".join(str(part) for part in location) or NON_FIELD_KEY


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        if "loc" not in error and "field" not in error:
            # Errors raised by hand, e.g. ninja's pagination: {"cursor": "Invalid Cursor"}.
            for key in error:
                fields.setdefault(str(key), []).append(str(_INVALID))
            continue
        messages = fields.setdefault(_field_path(error), [])
        message = _field_message(error)
        if message not in messages:
            messages.append(message)
    return fields


# --------------------------------------------------------------------------------------------
# Authentication
# --------------------------------------------------------------------------------------------


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, with Django's CSRF check on unsafe methods."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # `csrf=True` tells ninja's docs page to send the CSRF token with "Try it out" requests.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF is checked in authenticate(), and only when the session is what signs the request
        # in: ninja's own check would also refuse token-authenticated requests without a cookie.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if "authorization" in request.headers:
            return None
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return None
        if pending_second_factor(request) is not None:
            raise SecondFactorRequired
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed
        return user


class TokenAuth(HttpBearer):
    """A personal API token: `Authorization: Bearer gh_...`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return authenticate_api_token(token)


def request_user(request: HttpRequest) -> User:
    """The user an endpoint acts for: whoever the session or token authenticated."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        # Only reachable from an endpoint declared with auth=None that should not have been.
        raise AuthenticationError
    return user


class UserRateThrottle(SimpleRateThrottle):
    """Per-user rate limit keyed on the authenticated user's id (ninja's own keys on str(user),
    which is a display name and not unique, or on request.user, which token requests lack)."""

    scope = "user"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "auth", None)
        if not isinstance(user, User):
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


# --------------------------------------------------------------------------------------------
# Exception handlers: everything an endpoint can raise becomes the one error body
# --------------------------------------------------------------------------------------------


def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(
        422,
        "validation_error",
        _("Some of the data is not valid. See the fields."),
        validation_fields(exc.errors),
    )


def _on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    # From model.full_clean() inside a service: the model's field names are the API's.
    fields = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_KEY: exc.messages}
    return error_response(
        422, "validation_error", _("Some of the data is not valid. See the fields."), fields
    )


def _on_not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(401, "not_authenticated", _("Sign in, or send a valid API token."))
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _on_second_factor(request: HttpRequest, exc: SecondFactorRequired) -> HttpResponse:
    return error_response(
        401, "second_factor_required", _("Enter the one-time code from your authenticator first.")
    )


def _on_forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, "forbidden", _("You are not allowed to do this."))


def _on_csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    return error_response(
        403, "csrf_failed", _("The security token of this page has expired. Reload the page.")
    )


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


def _on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja adds the Retry-After header to what this returns.
    return error_response(429, "throttled", _("Too many requests. Please wait a moment and try again."))


_HTTP_ERRORS: dict[int, tuple[str, Promise]] = {
    # ninja raises HttpError(400) only when the body cannot be parsed as JSON.
    400: ("malformed_request", _("The request body is not valid JSON.")),
    401: ("not_authenticated", _("Sign in, or send a valid API token.")),
    403: ("forbidden", _("You are not allowed to do this.")),
    404: ("not_found", _("Not found.")),
    405: ("method_not_allowed", _("This address does not accept this method.")),
    409: ("conflict", _("This cannot be done in the current state.")),
    413: ("request_too_large", _("The request is too large.")),
}


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = _HTTP_ERRORS.get(exc.status_code, ("bad_request", _("The request cannot be processed.")))
    return error_response(exc.status_code, code, message)


def _on_malformed_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # Reading request.POST (Django's CSRF check does) with a broken multipart Content-Type.
    return error_response(400, "malformed_request", _("The request body cannot be read."))


def _on_bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
    return error_response(400, "bad_request", _("The request cannot be processed."))


def _on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, "request_too_large", _("The request is too large."))
    return error_response(400, "bad_request", _("The request cannot be processed."))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug. The path without its query string: query strings can carry personal data.
    logger.exception("Unhandled %s in API %s %s", type(exc).__name__, request.method, request.path)
    return error_response(500, "server_error", _("Something went wrong on our side. It has been recorded."))


# Looked up along the exception's MRO, so the most specific class wins whatever the order.
_HANDLERS: tuple[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]], ...] = (
    (DomainError, _on_domain_error),
    (ValidationError, _on_validation_error),
    (DjangoValidationError, _on_django_validation_error),
    (AuthenticationError, _on_not_authenticated),
    (SecondFactorRequired, _on_second_factor),
    (AuthorizationError, _on_forbidden),
    (PermissionDenied, _on_forbidden),
    (CsrfFailed, _on_csrf_failed),
    (Http404, _on_not_found),
    (ObjectDoesNotExist, _on_not_found),
    (Throttled, _on_throttled),
    (HttpError, _on_http_error),
    (SuspiciousOperation, _on_suspicious),
    (MultiPartParserError, _on_malformed_form),
    (BadRequest, _on_bad_request),
    (Exception, _on_unexpected),
)


# --------------------------------------------------------------------------------------------
# The API object
# --------------------------------------------------------------------------------------------


def _json_404(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(404, "not_found", _("There is nothing at this address."))


# Unknown paths under /api/v1 have nothing to protect, and a CSRF refusal would be Django's HTML.
api_not_found = csrf_exempt(_json_404)


def _method_not_allowed(allowed: str) -> HttpResponse:
    response = error_response(405, "method_not_allowed", _("This address does not accept this method."))
    response["Allow"] = allowed
    return response


def _json_405(view: Callable[..., Any]) -> Callable[..., Any]:
    """Give ninja's plain-text 405 (a known path, another method) the common error body."""

    def convert(response: HttpResponseBase) -> HttpResponseBase:
        if isinstance(response, HttpResponseNotAllowed):
            return _method_not_allowed(response["Allow"])
        return response

    if iscoroutinefunction(view):

        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            return convert(await view(request, *args, **kwargs))

        wrapper: Callable[..., Any] = markcoroutinefunction(functools.wraps(view)(async_wrapper))
    else:

        def sync_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            return convert(view(request, *args, **kwargs))

        wrapper = functools.wraps(view)(sync_wrapper)
    return wrapper  # functools.wraps copies `csrf_exempt`, which ninja sets on its views


def _read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and docs pages answer GET/HEAD; anything else gets the JSON 405."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return _method_not_allowed("GET, HEAD")
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def _wire_names(model: Any) -> tuple[str, set[str]]:
    """The part of the request a ninja parameter model reads and the top-level names it takes."""
    source = str(model.__ninja_param_source__)
    if source != "body":
        return source, set(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
    single = getattr(model, "__read_from_single_attr__", None)
    if not single:
        return source, set(model.model_fields)
    annotation = model.model_fields[single].annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return source, {field.alias or name for name, field in annotation.model_fields.items()}
    return source, set()


def _assert_unambiguous(operation: Operation) -> None:
    seen: dict[str, str] = {}
    for model in operation.models:
        source, names = _wire_names(model)
        for name in names:
            other = seen.setdefault(name, source)
            if other != source:
                raise ImproperlyConfigured(
                    f"{operation.view_func.__module__}.{operation.view_func.__name__} takes {name!r} "
                    f"from both {other} and {source}: error field paths would be ambiguous. Rename one."
                )


def _unwrap(value: Any) -> Any:
    # ninja's Schema wraps what it validates in a DjangoGetter (to read ORM attributes too).
    return value._obj if isinstance(value, DjangoGetter) else value


class QualifiedSchemaNames(NinjaGenerateJsonSchema):
    """Names the OpenAPI components of the project's schemas after their app and module.

    ninja turns each operation's models into JSON schema one operation at a time and merges the
    definitions by name, so two apps' `ClaimIn` (or `HistoryOut`, `ReportOut` ...) would share one
    component, and the document would describe one of them wrongly. A name that says where the
    class lives (`MutualaidMemberClaimIn`) cannot collide; names outside the project stay as
    pydantic makes them."""

    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        defs_ref = super().get_defs_ref(core_mode_ref)
        qualified = qualified_schema_name(core_mode_ref[0].rsplit(":", 1)[0])
        if qualified:
            self._prioritized_defsref_choices[defs_ref].insert(0, DefsRef(qualified))
        return defs_ref


def qualified_schema_name(dotted: str) -> str:
    """`gonghui.mutualaid.api.member.ClaimIn` → `MutualaidMemberClaimIn`; "" outside the project.
    The words `api` and `models`, and modules the class's name begins with, are left out."""
    parts = dotted.split(".")
    if len(parts) < 3 or parts[0] != "gonghui":
        return ""
    name = parts[-1]
    # "AssistanceReportOut" in assistance/api/reports.py, "CampaignOut" in campaigns.py: the
    # class already says the word (its module's name, singular or plural).
    said = name.lower()
    words = [
        part
        for part in parts[1:-1]
        if part not in {"api", "models"} and not said.startswith((part, part.removesuffix("s")))
    ]
    prefix = "".join(word.title().replace("_", "") for word in words)
    return prefix + name


# ninja has no setting for its JSON schema generator; the OpenAPI module looks it up by this name.
ninja.openapi.schema.NinjaGenerateJsonSchema = QualifiedSchemaNames  # type: ignore[attr-defined]


class GonghuiAPI(NinjaAPI):
    """NinjaAPI with field paths in validation errors, JSON 404/405s and a documented error body."""

    def __init__(self, *, routers: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        self._router_table = tuple(routers)
        self._routers_mounted = False
        super().__init__(**kwargs)

    def set_default_exception_handlers(self) -> None:
        for exc_class, handler in _HANDLERS:
            self.add_exception_handler(exc_class, handler)

    def mount_routers(self) -> None:
        """Add the routers given as `routers` (import paths), once, before the URLs are built."""
        if self._routers_mounted:
            return
        self._routers_mounted = True
        for prefix, router in self._router_table:
            self.add_router(prefix, router)

    @property
    def urls(self) -> tuple[URLs, str, str]:
        self.mount_routers()
        patterns, app_name, namespace = super().urls
        for bound in self._get_bound_routers():  # ninja 1.7 internals; pinned in pyproject.toml
            for path_view in bound.path_operations.values():
                for operation in path_view.operations:
                    _assert_unambiguous(operation)
        return (
            # No "$": "." does not match a newline, and /api/v1/x%0A/ must get the JSON 404 too.
            [*self._with_json_errors(patterns), re_path(r"^", api_not_found, name="not-found")],
            app_name,
            namespace,
        )

    @staticmethod
    def _with_json_errors(patterns: URLs) -> Iterator[URLPattern | URLResolver]:
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                if pattern.name == "api-root":
                    # ninja raises a bare Http404 here, which Django would render as HTML.
                    pattern.callback = api_not_found
                elif pattern.name in {"openapi-json", "openapi-view"}:
                    pattern.callback = _read_only(pattern.callback)
                else:
                    pattern.callback = _json_405(pattern.callback)
            yield pattern

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        self.mount_routers()
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ErrorOut.model_json_schema()
        codes = "\n".join(f"- `{code}`: {meaning}" for code, meaning in ERROR_CODES.items())
        error_response_spec = {
            "description": f"Client error. `code` is one of:\n\n{codes}",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"] = _string_status_keys(operation["responses"])
                    operation["responses"].setdefault("4XX", error_response_spec)
        return schema

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """Record each error's field path while ninja's parameter model is still known (rule 2)."""
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            single_body = getattr(context.model, "__read_from_single_attr__", None)
            # ninja drops each error's `input`; pydantic's own list, in the same order, still has it.
            inputs = [
                _unwrap(raw.get("input"))
                for raw in context.pydantic_validation_error.errors(include_url=False)
            ]
            ninja_errors = super().validation_error_from_error_contexts([context]).errors
            for error, value in zip(ninja_errors, inputs, strict=True):
                source, *location = error["loc"]
                if source == "body" and single_body and location[:1] == [single_body]:
                    location = location[1:]
                if error.get("type") == "missing" and location and not isinstance(value, Mapping):
                    # Schemas also accept objects with attributes, so `42` where an object belongs
                    # shows up as every field "missing": say once that an object belongs here.
                    error["type"], location = "model_type", location[:-1]
                error["field"] = ".".join(str(part) for part in location)
                errors.append(error)
        return ValidationError(errors)


def _string_status_keys(responses: dict[Any, Any]) -> dict[str, Any]:
    """ninja keys responses by int status, `openapi_extra` by string: both would be written as
    the same JSON key, which JSON parsers (Swagger UI's among them) refuse as a duplicate.
    Merge them, the string (hand-written) entry completing the generated one."""
    merged: dict[str, Any] = {}
    for status, spec in sorted(responses.items(), key=lambda item: isinstance(item[0], str)):
        key = str(status)
        merged[key] = {**merged[key], **spec} if key in merged and isinstance(spec, dict) else spec
    return merged


api = GonghuiAPI(
    title="Gonghui API",
    version="1",
    description="工会 Gonghui REST API. Errors: see the `Error` schema and the `4XX` responses.",
    urls_namespace="api",
    routers=ROUTERS,
    auth=[SessionAuth(), TokenAuth()],
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
)


# --------------------------------------------------------------------------------------------
# Endpoints that belong to no app
# --------------------------------------------------------------------------------------------


class CheckOut(Schema):
    ok: bool
    ms: float
    error: str | None


class TasksCheckOut(CheckOut):
    backend: str | None
    waiting: int | None
    oldest_waiting_seconds: float | None


class ChecksOut(Schema):
    database: CheckOut
    cache: CheckOut
    tasks: TasksCheckOut


class HealthOut(Schema):
    status: Literal["ok", "degraded"]
    checks: ChecksOut


@api.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, tags=["system"])
def health(request: HttpRequest) -> Status[dict[str, Any]]:
    """The same report as /healthz: 200 when the database, cache and task queue answer, else 503."""
    status, body = health_report()
    return Status(status, body)


__all__ = [
    "ERROR_CODES",
    "ROUTERS",
    "ErrorOut",
    "SessionAuth",
    "TokenAuth",
    "UserRateThrottle",
    "api",
    "error_response",
    "request_user",
]
