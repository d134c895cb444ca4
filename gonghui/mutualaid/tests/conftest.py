"""Fixtures for the mutual aid tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The services' today is 1 December 2027 (the factories' plans cover 2027)."""
    from django.utils import timezone

    from gonghui.mutualaid.tests.factories import TODAY

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def world(db: Any, today: Any, english: Any) -> Any:
    """A federation (east) running an open 2027 plan with the worked example's inpatient rule,
    two claim handlers there, and an enrolled member of acme with a portal account."""
    from types import SimpleNamespace

    from gonghui.mutualaid.models import AidPlanStatus
    from gonghui.mutualaid.tests.factories import (
        make_enrolment,
        make_member_with_account,
        make_plan,
        make_rule,
    )
    from gonghui.orgs.tests.factories import make_tree, officer_at

    tree = make_tree()
    plan = make_plan(tree.east, status=AidPlanStatus.OPEN, second_review_rate=Decimal("0"))
    rule = make_rule(plan)
    member, user = make_member_with_account(tree.acme)
    enrolment = make_enrolment(plan, member)
    return SimpleNamespace(
        tree=tree,
        plan=plan,
        rule=rule,
        member=member,
        user=user,
        enrolment=enrolment,
        handler=officer_at(tree.east, "east.handler"),
        reviewer=officer_at(tree.east, "east.reviewer"),
    )
