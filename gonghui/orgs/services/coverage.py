"""Coverage rollups (建会率 / 入会率): recomputing `OrgCoverage`, and asking for that to happen.

What each figure of an org's row counts, over the org's whole subtree (the org and everything
under it):

- unions: active grassroots, joint and industry unions. Federations are not unions of workers
  and union groups (工会小组) are teams inside a union, so neither is counted.
- workplaces: each workplace once, in the subtree of its covering union if it has one, else in
  that of the federation or joint union whose area it lies in (`jurisdiction`). A workplace with
  neither is placed nowhere and counted nowhere.
- unionised_workplaces: those of the workplaces above that have a covering union.
- employees: the sum of those workplaces' employee counts.
- members: active members whose union is in the subtree.

founding rate = unionised_workplaces / workplaces; membership rate = members / employees.

`refresh_coverage` recomputes every row with two set-based statements and no Python loop over
rows: the figures of each org's own rows (GROUP BY over workplaces and members), then their sums
per ancestor, found by cutting each path at every depth (`substr(path, 1, k * steplen)`), which
reads each org once per level above it instead of comparing every pair of orgs.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task_backends

from gonghui.core.audit import record_audit
from gonghui.core.errors import Forbidden
from gonghui.jobs.models import Job
from gonghui.jobs.services import start_job
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org, OrgCoverage, OrgKind, OrgStatus, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at

logger = logging.getLogger(__name__)

UNION_KINDS = (OrgKind.GRASSROOTS, OrgKind.JOINT_UNION, OrgKind.INDUSTRY_UNION)

# Changes within this many seconds of the first one share one refresh, which runs at the end of
# the window so that it sees all of them.
REFRESH_DEBOUNCE_SECONDS = 60
_DEBOUNCE_KEY = "orgs:coverage:refresh-scheduled"
# Any number unique to this lock among the platform's PostgreSQL advisory locks.
_ADVISORY_LOCK_KEY = 4_630_001


@dataclass(frozen=True)
class RefreshResult:
    rows: int
    seconds: float


def _refresh_sql() -> str:
    qn = connection.ops.quote_name
    org, workplace, member, coverage = (
        qn(model._meta.db_table) for model in (Org, Workplace, Member, OrgCoverage)
    )
    placed = "COALESCE(w.union_id, w.jurisdiction_id)"
    kinds = ", ".join(["%s"] * len(UNION_KINDS))
    # `own`: each org's own figures. `rolled`: for every depth k, the own figures grouped by the
    # first k steps of the path, which is the subtree total of the org at that path.
    return f"""
        INSERT INTO {coverage}
            (org_id, unions, workplaces, unionised_workplaces, employees, members, refreshed_at)
        WITH own AS (
            SELECT o.path AS path, o.depth AS depth,
                   CASE WHEN o.status = %s AND o.kind IN ({kinds}) THEN 1 ELSE 0 END AS unions,
                   COALESCE(wp.workplaces, 0) AS workplaces,
                   COALESCE(wp.unionised, 0) AS unionised,
                   COALESCE(wp.employees, 0) AS employees,
                   COALESCE(mb.members, 0) AS members
            FROM {org} o
            LEFT JOIN (
                SELECT {placed} AS org_id,
                       COUNT(*) AS workplaces,
                       SUM(CASE WHEN w.union_id IS NOT NULL THEN 1 ELSE 0 END) AS unionised,
                       SUM(w.employee_count) AS employees
                FROM {workplace} w
                WHERE {placed} IS NOT NULL
                GROUP BY {placed}
            ) wp ON wp.org_id = o.id
            LEFT JOIN (
                SELECT m.org_id AS org_id, COUNT(*) AS members
                FROM {member} m
                WHERE m.status = %s
                GROUP BY m.org_id
            ) mb ON mb.org_id = o.id
        ),
        levels AS (SELECT DISTINCT depth AS k FROM {org}),
        rolled AS (
            SELECT SUBSTR(own.path, 1, levels.k * %s) AS prefix,
                   SUM(own.unions) AS unions,
                   SUM(own.workplaces) AS workplaces,
                   SUM(own.unionised) AS unionised,
                   SUM(own.employees) AS employees,
                   SUM(own.members) AS members
            FROM own JOIN levels ON levels.k <= own.depth
            GROUP BY SUBSTR(own.path, 1, levels.k * %s)
        )
        SELECT a.id, r.unions, r.workplaces, r.unionised, r.employees, r.members, %s
        FROM rolled r JOIN {org} a ON a.path = r.prefix
    """  # noqa: S608 - table names from the models, values as parameters


def _lock_refresh(cursor: Any) -> None:
    """One refresh at a time: two interleaved delete-and-insert runs would collide on the keys.
    SQLite needs nothing here, since its writers already take turns on the whole database."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def refresh_coverage() -> RefreshResult:
    """Recompute every org's coverage row. Readers see the old rows until the new ones commit."""
    started = time.perf_counter()
    now = timezone.now()
    params: list[Any] = [
        OrgStatus.ACTIVE,
        *UNION_KINDS,
        MemberStatus.ACTIVE,
        Org.steplen,
        Org.steplen,
        now,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_refresh(cursor)
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(OrgCoverage._meta.db_table)}")  # noqa: S608
        cursor.execute(_refresh_sql(), params)
        rows = cursor.rowcount
    seconds = time.perf_counter() - started
    logger.info("Coverage refreshed: %s rows in %.2f s", rows, seconds)
    return RefreshResult(rows=rows, seconds=seconds)


def schedule_coverage_refresh() -> None:
    """Ask for a refresh after the current transaction commits; cheap enough to call from any
    service that changes what coverage counts (orgs, workplaces, members).

    The first call in a window of REFRESH_DEBOUNCE_SECONDS enqueues one refresh that runs at the
    end of the window, so it sees every change made in it; later calls in the window do nothing.
    """
    transaction.on_commit(_enqueue_debounced_refresh)


def _enqueue_debounced_refresh() -> None:
    from gonghui.orgs.tasks import refresh_coverage_task

    if not cache.add(_DEBOUNCE_KEY, True, timeout=REFRESH_DEBOUNCE_SECONDS):
        return
    scheduled = refresh_coverage_task
    if task_backends[scheduled.backend].supports_defer:
        scheduled = scheduled.using(run_after=timezone.now() + timedelta(seconds=REFRESH_DEBOUNCE_SECONDS))
    try:
        scheduled.enqueue()
    except Exception:
        # A refresh that cannot be queued must not fail the change that asked for it; the
        # figures stay as they were until the next request or the next scheduled refresh.
        cache.delete(_DEBOUNCE_KEY)
        logger.exception("Could not enqueue the coverage refresh")


def may_refresh_coverage(user: Any, org: Org) -> bool:
    return has_perm_at(user, Perm.COVERAGE_REFRESH, org.path)


@transaction.atomic
def start_coverage_refresh(*, actor: Any, org: Org) -> Job:
    """Start a full refresh now, as a job the actor can watch from the coverage page of `org`."""
    from gonghui.orgs.tasks import refresh_coverage_task

    org = get_visible(Org, actor, Perm.COVERAGE_VIEW, pk=org.pk)
    if not may_refresh_coverage(actor, org):
        raise Forbidden(_("Only a federation administrator may refresh the coverage figures."))
    job = start_job(
        actor=actor,
        kind="orgs.refresh_coverage",
        title=_("Refreshing the coverage figures"),
        task=refresh_coverage_task,
        org=org,
    )
    record_audit(actor=actor, action="orgs.coverage_refresh", obj=org, org=org, note=f"job {job.pk}")
    return job
