"""Schemas and look-ups the supervision API routers share."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from gonghui.orgs.models import Org


class OrgOut(Schema):
    id: int
    code: str
    name: str


def org_out(org: Org) -> dict[str, Any]:
    return {"id": org.pk, "code": org.code, "name": org.name}


def org_id(code: str) -> int:
    """The org of `code`, or 0 (which no org has): the service refuses it on `org` like any org
    the caller does not handle."""
    pk: int | None = Org.objects.filter(code=code.strip().upper()).values_list("pk", flat=True).first()
    return pk or 0
