"""Every API failure answers {"code", "message", "fields"}: the real /api/v1 and a probe API.

The probe API below is a `GonghuiAPI` with endpoints that raise each kind of exception and take
parameters of each shape, mounted through this module's own URLconf (`pytest.mark.urls`), so the
requests go through the real middleware stack exactly as /api/v1 requests do.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.test import Client
from django.urls import path
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja import Body, Header, Query, Schema
from pydantic import Field

from gonghui.accounts import services
from gonghui.accounts.models import ApiToken, User
from gonghui.accounts.tests.factories import make_member, make_officer
from gonghui.api import GonghuiAPI, validation_fields
from gonghui.core.errors import Conflict, NotFound

ERROR_KEYS = {"code", "message", "fields"}


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = json.loads(response.content)
    assert set(body) == ERROR_KEYS
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["fields"], dict)
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in body["fields"].values())
    return body


# --------------------------------------------------------------------------------------------
# The probe API
# --------------------------------------------------------------------------------------------

probe = GonghuiAPI(title="probe", version="probe", urls_namespace="probe", docs_url=None, openapi_url=None)


class Line(Schema):
    sku: str
    qty: int = Field(ge=1)


class Order(Schema):
    customer: str = Field(min_length=2)
    lines: list[Line]


@probe.post("/order")
def order(request: HttpRequest, payload: Order) -> dict[str, str]:
    return {"ok": "yes"}


@probe.post("/two-bodies")
def two_bodies(
    request: HttpRequest, order: Order, note: Annotated[str, Body(max_length=3)]
) -> dict[str, str]:
    return {"ok": "yes"}


class Filters(Schema):
    page: int = Field(1, ge=1)


@probe.get("/search")
def search(
    request: HttpRequest,
    filters: Query[Filters],
    year: int,
    x_trace: Annotated[int, Header(alias="X-Trace")] = 0,
) -> dict[str, str]:
    return {"ok": "yes"}


@probe.get("/raise/http404")
def raise_http404(request: HttpRequest) -> None:
    raise Http404("internal detail /secret/path")


@probe.get("/raise/does-not-exist")
def raise_does_not_exist(request: HttpRequest) -> None:
    User.objects.get(pk=-1)


@probe.get("/raise/permission-denied")
def raise_permission_denied(request: HttpRequest) -> None:
    raise PermissionDenied


@probe.get("/raise/not-found")
def raise_not_found(request: HttpRequest) -> None:
    raise NotFound("没有这个组织。")


@probe.get("/raise/conflict")
def raise_conflict(request: HttpRequest) -> None:
    raise Conflict("状态不允许。", code="invalid_transition", fields={"status": ["已结案"]})


@probe.get("/raise/model-validation")
def raise_model_validation(request: HttpRequest) -> None:
    raise DjangoValidationError({"username": ["用户名已被占用。"]})


@probe.get("/raise/bug")
def raise_bug(request: HttpRequest) -> None:
    raise RuntimeError("password=hunter2 in a bug")


urlpatterns = [path("probe/", probe.urls)]
on_probe = pytest.mark.urls(__name__)


def post_json(client: Client, url: str, data: object, headers: dict[str, str] | None = None) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


@on_probe
@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/probe/raise/http404", 404, "not_found"),
        ("/probe/raise/does-not-exist", 404, "not_found"),
        ("/probe/raise/permission-denied", 403, "forbidden"),
        ("/probe/raise/not-found", 404, "not_found"),
        ("/probe/raise/bug", 500, "server_error"),
    ],
)
def test_each_exception_becomes_the_error_format(db, client, url, status, code):
    body = error_of(client.get(url), status, code)
    assert body["fields"] == {}
    assert "secret" not in body["message"]
    assert "hunter2" not in body["message"]


@on_probe
def test_domain_errors_keep_their_code_message_and_fields(client):
    body = error_of(client.get("/probe/raise/conflict"), 409, "invalid_transition")
    assert body == {"code": "invalid_transition", "message": "状态不允许。", "fields": {"status": ["已结案"]}}


@on_probe
def test_model_validation_errors_from_services_are_422_with_fields(client):
    body = error_of(client.get("/probe/raise/model-validation"), 422, "validation_error")
    assert body["fields"] == {"username": ["用户名已被占用。"]}


@on_probe
def test_an_unexpected_exception_is_logged_and_answered_in_the_same_format(client, caplog):
    with caplog.at_level(logging.ERROR, logger="gonghui.api"):
        error_of(client.get("/probe/raise/bug?mobile=13800138000"), 500, "server_error")
    [record] = [r for r in caplog.records if r.name == "gonghui.api"]
    assert record.exc_info is not None
    assert "RuntimeError" in record.getMessage()
    assert "13800138000" not in record.getMessage()  # the query string stays out of the log


@on_probe
def test_body_fields_drop_the_source_and_the_parameter_name_and_number_list_items(client):
    response = post_json(
        client, "/probe/order", {"customer": "x", "lines": [{"sku": "a", "qty": 1}, {"qty": 0}]}
    )
    fields = error_of(response, 422, "validation_error")["fields"]
    assert set(fields) == {"customer", "lines.1.sku", "lines.1.qty"}


@on_probe
def test_with_several_body_parameters_the_parameter_name_stays(client):
    response = post_json(
        client, "/probe/two-bodies", {"order": {"customer": "x", "lines": []}, "note": "long"}
    )
    fields = error_of(response, 422, "validation_error")["fields"]
    assert set(fields) == {"order.customer", "note"}


@on_probe
def test_query_and_header_fields_are_named_as_sent(client):
    response = client.get("/probe/search?page=0&year=abc", headers={"X-Trace": "x"})
    fields = error_of(response, 422, "validation_error")["fields"]
    assert set(fields) == {"page", "year", "X-Trace"}


def zh(message: str, **params: object) -> str:
    """The Chinese the API answers with, checked to be a real translation, not the msgid."""
    with translation.override("zh-hans"):
        translated = translation.gettext(message)
    assert translated != message, f"no Chinese for {message!r}"
    return translated % params if params else translated


@on_probe
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "This field is required."),
        ("null", "Enter an object."),
        ("[]", "Enter an object."),
        ('"text"', "Enter an object."),
        ("42", "Enter an object."),
    ],
)
def test_a_body_that_is_missing_or_not_an_object_is_reported_under_all(client, raw, message):
    response = client.post("/probe/order", raw, content_type="application/json")
    assert error_of(response, 422, "validation_error")["fields"] == {"__all__": [zh(message)]}


@on_probe
def test_a_list_item_that_is_not_an_object_is_reported_once_at_its_own_path(client):
    data = {"customer": "ab", "lines": [3, {"sku": "a", "qty": 1}, None]}
    response = post_json(client, "/probe/order", data)
    fields = error_of(response, 422, "validation_error")["fields"]
    assert fields == {"lines.0": [zh("Enter an object.")], "lines.2": [zh("Enter an object.")]}


@on_probe
def test_field_messages_are_our_own_sentences_in_chinese(client):
    data = {"customer": "x", "lines": [{"sku": "a", "qty": 0}, {"sku": 5, "qty": "many"}]}
    response = post_json(client, "/probe/order", data)
    assert error_of(response, 422, "validation_error")["fields"] == {
        "customer": [zh("Enter at least %(min_length)s characters.", min_length=2)],
        "lines.0.qty": [zh("Enter a value of at least %(ge)s.", ge=1)],
        "lines.1.sku": [zh("Enter text.")],
        "lines.1.qty": [zh("Enter a whole number.")],
    }


def test_hand_made_ninja_errors_without_a_location_still_fit_the_format():
    fields = validation_fields([{"cursor": "Invalid Cursor"}])
    assert list(fields) == ["cursor"]
    assert all(isinstance(message, str) and message for message in fields["cursor"])


def test_an_operation_taking_one_name_from_two_places_is_refused_at_startup():
    ambiguous = GonghuiAPI(title="ambiguous", version="x", urls_namespace="ambiguous")

    @ambiguous.post("/clash")
    def clash(request: HttpRequest, payload: Order, customer: str) -> None:
        return None

    with pytest.raises(ImproperlyConfigured, match="customer"):
        _ = ambiguous.urls


# --------------------------------------------------------------------------------------------
# The real /api/v1
# --------------------------------------------------------------------------------------------


@pytest.fixture
def member(db) -> User:
    return make_member()


@pytest.fixture
def bearer(member) -> dict[str, str]:
    _token, raw = services.create_api_token(actor=member, name="script", expires_in_days=30)
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer gh_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "gh_without_scheme",
        "Bearer " + "x" * 5000,
    ],
)
def test_requests_without_valid_credentials_get_401(db, client, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.get("/api/v1/me", headers=headers)
    error_of(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nothing-here",
        "/api/v1/",
        "/api/v1/tokens/abc",
        "/api/v1/tokens/-1",
        "/api/v1/tokens/%0A/revoke",  # a newline in the path, which "." in a pattern does not match
        "/api/v1/assistance/files/%0B/approve",
    ],
)
def test_unknown_api_addresses_get_a_json_404_for_every_method(db, client, method, url):
    error_of(getattr(client, method)(url), 404, "not_found")


def test_a_known_address_with_another_method_gets_a_json_405(client, bearer):
    response = client.put("/api/v1/me", headers=bearer)
    error_of(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_the_schema_and_docs_pages_only_answer_reads(client):
    for url in ("/api/v1/openapi.json", "/api/v1/docs"):
        error_of(client.post(url), 405, "method_not_allowed")


@pytest.fixture
def signed_in(member) -> Client:
    client = Client()  # CSRF is tested below; these tests are about what follows it
    client.force_login(member)
    return client


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"name": "x",}', b"\xff\xfe\x00", b"[" * 100_000, b'{"name": "\\ud800'],
    ids=["broken", "trailing-comma", "binary", "nested-100000-deep", "cut-off"],
)
def test_a_body_that_is_not_json_gets_400_malformed_request(signed_in, raw):
    response = signed_in.post("/api/v1/tokens", raw, content_type="application/json")
    error_of(response, 400, "malformed_request")
    assert not ApiToken.objects.exists()


def test_a_multipart_body_without_a_boundary_gets_400_not_a_crash(browser):
    # Found by the property tests: Django's CSRF check reads request.POST, which cannot be parsed.
    response = browser.post(
        "/api/v1/tokens", b'{"name": "x"}', content_type="multipart/form-data", headers=csrf_header(browser)
    )
    error_of(response, 400, "malformed_request")


def test_bad_fields_get_422_keyed_by_field_name(signed_in):
    response = post_json(signed_in, "/api/v1/tokens", {"name": "   ", "expires_in_days": 0, "colour": "red"})
    body = error_of(response, 422, "validation_error")
    assert set(body["fields"]) == {"name", "expires_in_days", "colour"}


def test_a_refusal_by_the_service_keeps_its_code(signed_in, member):
    for n in range(services.MAX_ACTIVE_TOKENS):
        services.create_api_token(actor=member, name=f"t{n}", expires_in_days=1)
    response = post_json(signed_in, "/api/v1/tokens", {"name": "one too many", "expires_in_days": 1})
    error_of(response, 409, "conflict")


def test_a_token_cannot_create_tokens(bearer):
    # A leaked token must not be able to mint its own successor; creating needs a signed-in session.
    response = post_json(
        Client(), "/api/v1/tokens", {"name": "successor", "expires_in_days": 366}, headers=bearer
    )
    error_of(response, 401, "not_authenticated")
    assert ApiToken.objects.count() == 1


# --------------------------------------------------------------------------------------------
# Sessions: CSRF and the second factor
# --------------------------------------------------------------------------------------------


@pytest.fixture
def browser(member) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client


def csrf_header(client: Client) -> dict[str, str]:
    client.get("/api/v1/docs")  # renders {{ csrf_token }}, which sets the cookie
    return {"X-CSRFToken": client.cookies["csrftoken"].value}


def test_a_session_may_read_without_a_csrf_token(browser):
    assert browser.get("/api/v1/me").status_code == 200


def test_a_session_write_without_the_csrf_token_is_refused(browser):
    response = post_json(browser, "/api/v1/tokens", {"name": "forged", "expires_in_days": 30})
    error_of(response, 403, "csrf_failed")
    assert not ApiToken.objects.exists()


def test_a_session_write_with_a_wrong_csrf_token_is_refused(browser):
    csrf_header(browser)
    response = post_json(
        browser,
        "/api/v1/tokens",
        {"name": "forged", "expires_in_days": 30},
        headers={"X-CSRFToken": "x" * 32},
    )
    error_of(response, 403, "csrf_failed")


def test_a_session_write_with_the_csrf_token_is_accepted(browser):
    response = post_json(
        browser, "/api/v1/tokens", {"name": "mine", "expires_in_days": 30}, headers=csrf_header(browser)
    )
    assert response.status_code == 201
    assert ApiToken.objects.filter(name="mine").exists()


def test_a_bearer_token_needs_no_csrf_token(bearer, member):
    token = ApiToken.objects.get(user=member)
    client = Client(enforce_csrf_checks=True)
    response = client.delete(f"/api/v1/tokens/{token.pk}", headers=bearer)
    assert response.status_code == 204


def test_an_authorization_header_is_judged_alone_even_with_a_session(browser):
    response = browser.get("/api/v1/me", headers={"Authorization": "Bearer gh_revoked-or-wrong"})
    error_of(response, 401, "not_authenticated")


def test_a_session_still_waiting_for_its_one_time_code_is_not_signed_in_to_the_api(db):
    officer = make_officer()
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    client = Client()
    client.force_login(officer)  # password step done, code not entered
    error_of(client.get("/api/v1/me"), 401, "second_factor_required")


def test_an_officer_who_must_set_up_two_factor_first_is_not_signed_in_to_the_api(db):
    client = Client()
    client.force_login(make_officer(otp_required=True))
    error_of(client.get("/api/v1/me"), 401, "second_factor_required")
