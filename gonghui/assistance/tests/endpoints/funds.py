"""Scoped endpoints: funds and their ledgers in the console and the officers' API."""

from __future__ import annotations

from typing import Any

from gonghui.assistance.models import Fund, FundEntry
from gonghui.assistance.tests.factories import fund_with
from gonghui.orgs.models import Org
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, row_listed

CONSOLE = "/console/assistance/funds"
API = "/api/v1/assistance/funds"


def _fund(org: Org) -> Fund:
    return fund_with(org, "1000.00", name="甲公司困难职工帮扶金", kind="workplace")


def _empty_fund(org: Org) -> Fund:
    return fund_with(org, name="甲公司困难职工帮扶金", kind="workplace")


def _new_fund(world: ScopeWorld, org: Org) -> dict[str, Any]:
    return {"org": world.own.pk, "name": "甲公司互助帮扶金", "kind": "workplace"}


def _deposit(world: ScopeWorld, fund: Fund) -> dict[str, Any]:
    return {"amount": "200.00", "memo": "公司行政拨付"}


def _correct(world: ScopeWorld, fund: Fund) -> dict[str, Any]:
    return {"amount": "-20.00", "reason": "重复登记冲正"}


def _close(world: ScopeWorld, fund: Fund) -> dict[str, Any]:
    return {"reason": "并入上级工会基金"}


ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:assistance:fund_list",
        action="list",
        url=lambda fund: f"{CONSOLE}/",
        make=_fund,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:assistance:fund_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        data=lambda world, org: {key: str(value) for key, value in _new_fund(world, org).items()},
        model=Fund,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:fund_detail",
        action="detail",
        url=lambda fund: f"{CONSOLE}/{fund.pk}/",
        make=_fund,
    ),
    ScopedEndpoint(
        covers="console:assistance:fund_deposit",
        action="update",
        method="POST",
        url=lambda fund: f"{CONSOLE}/{fund.pk}/deposit/",
        make=_fund,
        data=_deposit,
        model=FundEntry,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:fund_correct",
        action="update",
        method="POST",
        url=lambda fund: f"{CONSOLE}/{fund.pk}/correct/",
        make=_fund,
        data=_correct,
        model=FundEntry,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:fund_close",
        action="update",
        method="POST",
        url=lambda fund: f"{CONSOLE}/{fund.pk}/close/",
        make=_empty_fund,
        data=_close,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:assistance:fund_ledger_xlsx",
        action="detail",
        url=lambda fund: f"{CONSOLE}/{fund.pk}/ledger.xlsx",
        make=_fund,
    ),
    ScopedEndpoint(covers=f"GET {API}", action="list", url=lambda fund: API, make=_fund),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        data=_new_fund,
        model=Fund,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{fund_id}}", action="detail", url=lambda fund: f"{API}/{fund.pk}", make=_fund
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{fund_id}}/ledger",
        action="detail",
        url=lambda fund: f"{API}/{fund.pk}/ledger",
        make=_fund,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{fund_id}}/deposit",
        action="update",
        method="POST",
        url=lambda fund: f"{API}/{fund.pk}/deposit",
        make=_fund,
        data=_deposit,
        model=FundEntry,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{fund_id}}/correct",
        action="update",
        method="POST",
        url=lambda fund: f"{API}/{fund.pk}/correct",
        make=_fund,
        data=_correct,
        model=FundEntry,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{fund_id}}/close",
        action="update",
        method="POST",
        url=lambda fund: f"{API}/{fund.pk}/close",
        make=_empty_fund,
        data=_close,
    ),
]
UNSCOPED: dict[str, str] = {}
