"""The list page's figures against a fixture counted by hand, and a workplace's history and
summary within the officer's scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gonghui.orgs.models import Role
from gonghui.supervision import selectors
from gonghui.supervision.models import FollowUpResult, NoticeKind
from gonghui.supervision.tests.factories import (
    make_followup,
    make_inspection,
    make_interview,
    make_notice,
    officer_at,
    workplace_of,
)

pytestmark = pytest.mark.django_db


def test_figures_of_a_known_fixture(tree, east_admin):
    # East: 3 inspections in 2026 (one by a union below), 1 in 2025; west: 1 in 2026 (not counted).
    for org, day in (
        (tree.east, date(2026, 3, 1)),
        (tree.town, date(2026, 5, 1)),
        (tree.east, date(2026, 9, 9)),
    ):
        make_inspection(org, on=day)
    make_inspection(tree.east, on=date(2025, 12, 30))
    make_inspection(tree.west, on=date(2026, 4, 1))
    # Notices of 2026: 2 reminders, 1 opinion; one reminder of 2025.
    reminder = make_notice(tree.east, issued_on=date(2026, 3, 5))
    second = make_notice(tree.town, issued_on=date(2026, 5, 6))
    opinion = make_notice(tree.east, issued_on=date(2026, 9, 10), kind=NoticeKind.OPINION)
    old = make_notice(tree.east, issued_on=date(2025, 12, 31))
    make_notice(tree.west, issued_on=date(2026, 4, 2))
    # Follow-ups of 2026: rectified, partly, not → 1 of 3 = 33.3 %; the 2025 one is not counted.
    make_followup(reminder, FollowUpResult.RECTIFIED, on=date(2026, 4, 10))
    make_followup(second, FollowUpResult.PARTLY, on=date(2026, 6, 10))
    make_followup(opinion, FollowUpResult.NOT_RECTIFIED, on=date(2026, 10, 20))
    make_followup(old, FollowUpResult.RECTIFIED, on=date(2025, 12, 31))

    figures = selectors.figures(east_admin, 2026)
    # make_notice makes an inspection on the day of issue: 3 more for east in 2026.
    assert figures.inspections == 3 + 3
    assert figures.notices_by_kind == [("提示函", 2), ("建议书", 0), ("监督意见书", 1)]
    assert (figures.rectified, figures.followups) == (1, 3)
    assert figures.rectified_share == Decimal("33.3")


def test_no_follow_ups_means_no_share(tree, east_admin):
    assert selectors.figures(east_admin, 2026).rectified_share is None


def test_a_workplace_history_shows_only_what_the_officer_may_see(tree, east_admin):
    workplace = workplace_of(tree.town)
    ours = make_inspection(tree.east, workplace)
    theirs = make_inspection(tree.west, workplace)
    notice = make_notice(tree.east, inspection=ours)
    interview = make_interview(tree.east, workplace)
    history = selectors.workplace_history(east_admin, workplace)
    assert history.inspections == [ours]
    assert history.notices == [notice]
    assert history.interviews == [interview]
    west = officer_at(tree.west, "west.admin")
    # West sees the workplace through its own inspection only, and only that inspection.
    assert selectors.history_workplace(west, workplace.pk) == workplace
    assert selectors.workplace_history(west, workplace).inspections == [theirs]


def test_the_summary(tree, east_admin):
    workplace = workplace_of(tree.town)
    make_notice(tree.east, inspection=make_inspection(tree.east, workplace))
    make_interview(tree.east, workplace)
    summary = selectors.supervision_summary(workplace, east_admin)
    assert summary is not None
    assert (summary.inspections, summary.notices, summary.open_notices, summary.interviews) == (1, 1, 1, 1)
    officer = officer_at(tree.east, "east.officer", Role.UNION_OFFICER)
    assert selectors.supervision_summary(workplace, officer) is None
