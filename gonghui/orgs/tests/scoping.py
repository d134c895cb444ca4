"""The scoping test base: every org-owned endpoint, checked for five kinds of visitor.

An app registers its endpoints in `gonghui/<app>/tests/scoped_endpoints.py`:

    ENDPOINTS = [
        ScopedEndpoint(
            covers="GET /api/v1/orgs/{org_id}",      # the OpenAPI path, or a console URL name
            action="detail",
            url=lambda org: f"/api/v1/orgs/{org.pk}",
            make=lambda org: org,                     # an object that belongs to `org`
        ),
        ...
    ]

and `test_scoped_endpoints.py` runs each endpoint against a small tree:

    city ── district A (parent) ── union X (own)     ← the object belongs to X
         └─ district B ─────────── union Y (sibling)

with these visitors: anonymous, a member, an officer of district B (sibling subtree), an officer
of district A (parent), an officer of union X (own). The parent and own officers must succeed;
everyone else must be refused (or not see the object in a list) and change nothing. A refusal
looks like a missing object: 404 for detail/update/delete, never "exists but forbidden".
`test_endpoint_coverage` fails when an API operation or console page is neither registered here
nor listed in an app's `UNSCOPED` with the reason it needs no scoping.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import make_member, sign_in_verified
from gonghui.orgs.models import FederationLevel, Org, OrgKind, Role
from gonghui.orgs.tests.factories import add_org, officer_at

Action = Literal["list", "detail", "create", "update", "delete"]
ACTORS = ("anonymous", "member", "sibling_officer", "parent_officer", "own_officer")
ALLOWED_ACTORS = frozenset({"parent_officer", "own_officer"})


@dataclass
class ScopeWorld:
    city: Org
    parent: Org
    own: Org
    sibling_parent: Org
    sibling: Org
    users: dict[str, User | None] = field(default_factory=dict)


def build_world() -> ScopeWorld:
    federation, district = OrgKind.FEDERATION, FederationLevel.DISTRICT
    city = add_org(None, "SCOPE-CITY", "测试市总工会", federation, level=FederationLevel.CITY)
    parent = add_org(city, "SCOPE-A", "甲区总工会", federation, level=district)
    sibling_parent = add_org(city, "SCOPE-B", "乙区总工会", federation, level=district)
    own = add_org(parent, "SCOPE-AX", "甲区某公司工会", OrgKind.GRASSROOTS)
    sibling = add_org(sibling_parent, "SCOPE-BY", "乙区某公司工会", OrgKind.GRASSROOTS)
    world = ScopeWorld(city=city, parent=parent, own=own, sibling_parent=sibling_parent, sibling=sibling)
    world.users = {"anonymous": None, "member": make_member("13900000099")}
    return world


def grant_officers(world: ScopeWorld, role: str) -> None:
    for actor, org in (
        ("sibling_officer", world.sibling_parent),
        ("parent_officer", world.parent),
        ("own_officer", world.own),
    ):
        world.users[actor] = officer_at(org, actor.replace("_", "."), role, display_name=actor)


@dataclass(frozen=True)
class ScopedEndpoint:
    covers: str  # "METHOD /api/v1/path/{param}" as in the OpenAPI document, or a console URL name
    action: Action
    url: Callable[[Any], str]  # the target: the object (list/detail/update/delete) or the org (create)
    make: Callable[[Org], Any] = lambda org: org  # an object belonging to `org`
    method: str = "GET"
    data: Callable[[ScopeWorld, Any], Mapping[str, Any]] | None = None  # body for the request
    role: str = Role.FEDERATION_ADMIN  # what the three officers hold at their orgs
    model: type[models.Model] | None = None  # for create: rows of this model are counted
    listed: Callable[[HttpResponse, Any], bool] | None = None  # list: does the page show the object?
    ok: frozenset[int] = frozenset({200})

    @property
    def is_api(self) -> bool:
        return self.covers.split(" ", 1)[-1].startswith("/api/")

    @property
    def id(self) -> str:
        return f"{self.covers} [{self.action}]"


def listed_by(attribute: str) -> Callable[[HttpResponse, Any], bool]:
    """A `listed` check for pages that mark each object they show with `attribute="<pk>"`."""

    def listed(response: HttpResponse, obj: Any) -> bool:
        return f'{attribute}="{obj.pk}"' in response.content.decode()

    return listed


# The table component (components/table.html) marks its rows so.
row_listed = listed_by("data-row-id")


def _json_ids(response: HttpResponse) -> set[Any]:
    body = json.loads(response.content)
    items = body.get("items", body) if isinstance(body, dict) else body
    return {item.get("id") for item in items if isinstance(item, dict)}


def _listed(endpoint: ScopedEndpoint, response: HttpResponse, obj: Any) -> bool:
    if endpoint.listed is not None:
        return endpoint.listed(response, obj)
    if endpoint.is_api:
        return obj.pk in _json_ids(response)
    return str(obj) in response.content.decode()


def _request(
    endpoint: ScopedEndpoint, client: Client, url: str, data: Mapping[str, Any] | None
) -> HttpResponse:
    method = endpoint.method.lower()
    call = getattr(client, method)
    if data is None:
        response: HttpResponse = call(url)
    elif endpoint.is_api:
        response = call(url, data=json.dumps(data), content_type="application/json")
    elif method == "get":
        response = call(url, data)
    else:
        response = call(url, data)
    return response


def _state(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, models.Model):
        return None
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    return None if fresh is None else model_to_dict(fresh)


def check_endpoint(endpoint: ScopedEndpoint, actor: str, world: ScopeWorld) -> None:
    """Raise AssertionError when `endpoint` lets `actor` see or change what it must not, or
    refuses what it must allow."""
    grant_officers(world, endpoint.role)
    client = Client()
    user = world.users[actor]
    if user is not None:
        sign_in_verified(client, user)
    target_org = world.own
    obj = endpoint.make(target_org)
    url_target = target_org if endpoint.action == "create" else obj
    url = endpoint.url(url_target)
    data = endpoint.data(world, obj) if endpoint.data else None
    before_state = _state(obj)
    before_count = endpoint.model._default_manager.count() if endpoint.model else None
    response = _request(endpoint, client, url, data)
    status = response.status_code
    allowed = actor in ALLOWED_ACTORS
    where = f"{endpoint.id} as {actor}: HTTP {status}"

    if actor == "anonymous":
        expected = {401} if endpoint.is_api else {302}
        assert status in expected, f"{where}, expected {expected}"
        if not endpoint.is_api:
            assert "/accounts/login/" in response["Location"], f"{where}: not sent to the login page"
    elif allowed:
        assert status in endpoint.ok, f"{where}, expected one of {set(endpoint.ok)}"
        if endpoint.action == "list":
            assert _listed(endpoint, response, obj), f"{where}: the object is missing from the list"
    elif endpoint.action == "list":
        assert status in {200, 403}, f"{where}, expected 200 without the object, or 403"
        if status == 200:
            assert not _listed(endpoint, response, obj), f"{where}: an out-of-scope object is listed"
    else:
        refused = {404} if endpoint.action != "create" else {404, 422}
        if actor == "member" and not endpoint.is_api:
            refused = {403, 404}  # the console is for officers only
        assert status in refused, f"{where}, expected {refused} (as for a missing object)"

    if not allowed:
        if endpoint.action in {"update", "delete", "create"}:
            assert _state(obj) == before_state, f"{where}: the object changed"
        if before_count is not None and endpoint.model is not None:
            assert endpoint.model._default_manager.count() == before_count, f"{where}: a row was created"


def _app_module(app_name: str, module: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{app_name}.tests.{module}")
    except ModuleNotFoundError as exc:
        if exc.name in {f"{app_name}.tests", f"{app_name}.tests.{module}"}:
            return None
        raise


def registered_endpoints() -> list[ScopedEndpoint]:
    endpoints: list[ScopedEndpoint] = []
    for config in apps.get_app_configs():
        if config.name.startswith("gonghui."):
            module = _app_module(config.name, "scoped_endpoints")
            if module is not None:
                endpoints.extend(module.ENDPOINTS)
    return endpoints


def unscoped_routes() -> dict[str, str]:
    """Routes each app declares as needing no scoping, with the reason."""
    routes: dict[str, str] = {}
    for config in apps.get_app_configs():
        if config.name.startswith("gonghui."):
            module = _app_module(config.name, "scoped_endpoints")
            if module is not None:
                routes.update(getattr(module, "UNSCOPED", {}))
    return routes
