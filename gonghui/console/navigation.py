"""The officers' console sidebar, in one place.

Each item links to its module's landing page and has a `visible` rule (who holds the
permission the page needs somewhere); a new module adds one item here, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.counselling.selectors import counsellor_of
from gonghui.legal.selectors import lawyer_of
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import granted_tops, scope_paths
from gonghui.rights.selectors import mediator_of

# Accounts that hold no role but work on the cases given to them: their console is their desk.
DESKS: tuple[tuple[Callable[[Any], object | None], str], ...] = (
    (counsellor_of, "console:counselling:desk"),
    (mediator_of, "console:rights:desk"),
    (lawyer_of, "console:legal:desk"),
)
DESK_ITEMS = frozenset({"dashboard", "calendar"})  # the dashboard link leads to the desk


def _everyone(user: Any) -> bool:
    return True


def holding(perm: Perm) -> Callable[[Any], bool]:
    """Visible to users who hold `perm` somewhere (the page itself shows only their scope)."""

    def rule(user: Any) -> bool:
        paths = scope_paths(user, perm)
        return paths is None or bool(paths)

    return rule


def require_somewhere(user: Any, perm: Perm) -> None:
    """A page for people who hold `perm` nowhere answers 404, like a page that does not exist."""
    if not holding(perm)(user):
        raise Http404


def holding_any(*perms: Perm) -> Callable[[Any], bool]:
    """Visible to users who hold any of `perms` somewhere."""
    rules = [holding(perm) for perm in perms]
    return lambda user: any(rule(user) for rule in rules)


@dataclass(frozen=True)
class ConsoleNavItem:
    key: str
    label: str | Promise
    url_name: str
    visible: Callable[[Any], bool] = _everyone
    # Other URL names (namespaced) that belong to this item, for marking it current.
    also_current_for: tuple[str, ...] = ()

    def url(self) -> str:
        return reverse(self.url_name)

    def is_current(self, view_name: str | None, section: str | None) -> bool:
        if section:
            return section == self.key
        if not view_name:
            return False
        return view_name == self.url_name or view_name in self.also_current_for


CONSOLE_NAV: tuple[ConsoleNavItem, ...] = (
    ConsoleNavItem("dashboard", _("Dashboard"), "console:dashboard"),
    ConsoleNavItem("orgs", _("Organisations"), "console:orgs:tree"),
    ConsoleNavItem(
        "workplaces",
        _("Workplaces"),
        "console:orgs:workplaces",
        visible=holding(Perm.WORKPLACE_VIEW),
    ),
    ConsoleNavItem("officers", _("Officers"), "console:orgs:officers"),
    ConsoleNavItem("founding", _("Founding unions"), "console:founding:unfounded"),
    ConsoleNavItem(
        "ratings",
        _("Vitality ratings"),
        "console:ratings:list",
        visible=holding(Perm.RATING_VIEW),
    ),
    ConsoleNavItem(
        "coverage",
        _("Coverage statistics"),
        "console:orgs:coverage",
        visible=holding(Perm.COVERAGE_VIEW),
    ),
    ConsoleNavItem("members", _("Members"), "console:members:list"),
    ConsoleNavItem(
        "roster_imports",
        _("Roster import"),
        "console:members:roster_imports",
        visible=holding(Perm.MEMBER_CHANGE),
    ),
    ConsoleNavItem(
        "joining",
        _("Join applications"),
        "console:members:join_applications",
        visible=holding(Perm.MEMBER_VIEW),
    ),
    ConsoleNavItem(
        "transfers",
        _("Transfers"),
        "console:members:transfer_list",
        visible=holding(Perm.MEMBER_VIEW),
    ),
    ConsoleNavItem(
        "benefits",
        _("Benefits"),
        url_name="console:benefits:campaign_list",
        visible=holding(Perm.BENEFITS_VIEW),
    ),
    ConsoleNavItem(
        "rights",
        _("Labour disputes"),
        "console:rights:dispute_list",
        visible=holding(Perm.RIGHTS_VIEW),
    ),
    ConsoleNavItem(
        "legal",
        _("Legal consultation and aid"),
        "console:legal:consultation_list",
        visible=holding(Perm.RIGHTS_VIEW),
    ),
    ConsoleNavItem(
        "supervision",
        _("Labour-law supervision"),
        "console:supervision:inspection_list",
        visible=holding(Perm.RIGHTS_VIEW),
    ),
    ConsoleNavItem(
        "contracts",
        _("Collective contracts"),
        "console:contracts:contract_list",
        visible=holding(Perm.CONTRACTS_VIEW),
    ),
    ConsoleNavItem(
        "mutualaid",
        _("Mutual aid"),
        # The plans page; union officers, who only enrol their members, land on enrolment.
        "console:mutualaid:plan_list",
        visible=holding_any(Perm.MUTUALAID_VIEW, Perm.MEMBER_CHANGE),
    ),
    ConsoleNavItem(
        "assistance",
        _("Hardship and assistance"),
        "console:assistance:file_list",
        visible=holding(Perm.ASSISTANCE_VIEW),
    ),
    ConsoleNavItem("events", _("Events"), "console:events:event_list", visible=holding(Perm.EVENTS_VIEW)),
    ConsoleNavItem(
        "courses",
        _("Workers' school"),
        "console:courses:course_list",
        visible=holding(Perm.COURSES_VIEW),
    ),
    ConsoleNavItem(
        "services",
        _("Service points"),
        "console:services:point_list",
        visible=holding(Perm.SERVICES_VIEW),
    ),
    ConsoleNavItem(
        "counselling",
        _("Counselling"),
        "console:counselling:counsellor_list",
        visible=holding(Perm.COUNSELLING_MANAGE),
    ),
    ConsoleNavItem("reports", _("Reports"), "console:reports", visible=lambda user: _has_reports(user)),
    # Deadlines of every case are counted on it: every officer may read it, the city edits it.
    ConsoleNavItem("calendar", _("Working-day calendar"), "console:workdays:calendar"),
    ConsoleNavItem("audit", _("Audit log"), "console:audit", visible=holding(Perm.AUDIT_VIEW)),
    ConsoleNavItem("jobs", _("Background jobs"), "console:jobs"),
)


def _has_reports(user: Any) -> bool:
    # Imported here: the report index uses `holding` from this module.
    from gonghui.console.reports import reports_for

    return bool(reports_for(user))


def desk_of(user: Any) -> str | None:
    """The desk (a URL name) of a counsellor's, mediator's or lawyer's account, else None."""
    return next((desk for holder_of, desk in DESKS if holder_of(user) is not None), None)


def items_for(user: Any) -> list[ConsoleNavItem]:
    # The grants are loaded once a request for scoping; only an account with none asks further.
    if not user.is_superuser and not granted_tops(user) and desk_of(user) is not None:
        return [item for item in CONSOLE_NAV if item.key in DESK_ITEMS]
    return [item for item in CONSOLE_NAV if item.visible(user)]
