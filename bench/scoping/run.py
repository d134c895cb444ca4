"""Benchmark of scoping on the city demo in PostgreSQL: what the scoped member list costs a
district officer against the same query without scoping, and the p95 latency of the coverage
endpoint for the city root, a district and a township.

    createdb -h 127.0.0.1 -U postgres gonghui_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_demo --scale city     # about 6 minutes
    .venv/bin/python bench/scoping/run.py                 # about a minute

The database must hold the demo city and its accounts (district.officer, city.admin, admin).
Nothing is changed except that the coverage rollups are recomputed once (timed, since that is
the refresh the background task does) and the sessions of the signed-in test clients.

Member list: the page query as `gonghui.members.selectors.member_page` builds it, for the first
page and for a page 200,000 members deep (keyset cursor), as the district officer (scoped through
`visible()`) and as the superuser (no scope condition at all: the same query without scoping).
Each is timed in the database alone (the SQL, rows fetched, no model objects) and as the page
query through the ORM (model objects, ID and mobile numbers decrypted for masking). For
comparison it also times the naive order, newest member first, which the list does not use.

Coverage: GET /api/v1/coverage/{id} through Django's test client with the whole middleware stack
and a signed-in session, many times after a warm-up; p50 and p95.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")

DEEP_OFFSET = 200_000


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(action: Callable[[], Any], repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def interleaved(actions: dict[str, Callable[[], Any]], repeat: int) -> dict[str, list[float]]:
    """Time the actions in turn, in a new random order each round, so that a busy moment on a
    shared machine, or the after-effects of the action before, hit all of them alike."""
    for action in actions.values():
        timed(action, 0, warmup=3)
    samples: dict[str, list[float]] = {name: [] for name in actions}
    order = list(actions)
    shuffler = random.Random(2026)
    for _ in range(repeat):
        shuffler.shuffle(order)
        for name in order:
            samples[name] += timed(actions[name], 1, warmup=0)
    return samples


def ms(value: float) -> str:
    return f"{value:8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed runs of each member list query")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per coverage endpoint")
    args = parser.parse_args()
    django.setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY

    from gonghui.accounts.models import User
    from gonghui.accounts.services import confirmed_totp_device
    from gonghui.members.models import Member
    from gonghui.members.selectors import Cursor, MemberFilter, member_page, member_queryset
    from gonghui.orgs.demo.loader import demo_root
    from gonghui.orgs.models import FederationLevel, Org, OrgKind
    from gonghui.orgs.permissions import Perm
    from gonghui.orgs.scoping import visible
    from gonghui.orgs.services.coverage import refresh_coverage

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL database that holds the city demo.")
    city = demo_root()
    if city is None:
        sys.exit("No demo city in this database: run `manage.py seed_demo --scale city` first.")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    load = os.getloadavg()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"PostgreSQL {server} · load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"City: {Org.objects.count():,} organisations, {Member.objects.count():,} members.\n")

    officer = User.objects.get(username="district.officer")
    superuser = User.objects.get(username="admin")
    district = officer.role_grants.select_related("org").get().org
    township = (
        Org.objects.filter(
            path__startswith=district.path, kind=OrgKind.FEDERATION, level=FederationLevel.TOWNSHIP
        )
        .order_by("path")
        .first()
    )
    assert township is not None

    # --- coverage refresh ---------------------------------------------------------------------
    refresh = refresh_coverage()
    print(f"Coverage refresh (all {refresh.rows:,} orgs, one statement): {refresh.seconds:.2f} s\n")

    # --- member list ------------------------------------------------------------------------------
    in_district = visible(Member, officer, Perm.MEMBER_VIEW).filter(status="active").count()
    deep = member_queryset(officer, MemberFilter())[DEEP_OFFSET - 1]
    deep_cursor = str(Cursor(org_path=deep.org.path, member_id=deep.pk))
    print(
        f"Member list of {district.name} ({in_district:,} active members of "
        f"{Member.objects.filter(status='active').count():,} in the city); deep page: cursor after "
        f"member {DEEP_OFFSET:,} of the district.\n"
    )

    def page_queries(user: User, page_cursor: str) -> list[str]:
        """The SQL that member_page runs for this page (one or two statements), as sent."""
        member_page(user, MemberFilter(cursor=page_cursor))  # loads the user's grants, once
        with CaptureQueriesContext(connection) as captured:
            member_page(user, MemberFilter(cursor=page_cursor))
        return [query["sql"] for query in captured.captured_queries]

    server_times: dict[str, list[float]] = {}

    def in_server(name: str, statements: list[str]) -> Callable[[], Any]:
        """Planning + execution time as PostgreSQL itself measures it (no client, no network)."""

        def run() -> None:
            total = 0.0
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0]
                    report = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                    total += report["Planning Time"] + report["Execution Time"]
            server_times.setdefault(name, []).append(total)

        return run

    def round_trip(statements: list[str]) -> Callable[[], Any]:
        def run() -> None:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        return run

    def through_orm(user: User, page_cursor: str) -> Callable[[], Any]:
        def run() -> Any:
            page = member_page(user, MemberFilter(cursor=page_cursor))
            return [(m.masked_name, m.masked_id_number, m.masked_mobile) for m in page.members]

        return run

    rows: list[tuple[str, str, float, float]] = []
    for label, page_cursor in (("first page", ""), ("deep page", deep_cursor)):
        scoped_sql = page_queries(officer, page_cursor)
        unscoped_sql = page_queries(superuser, page_cursor)
        server_times.clear()
        samples = interleaved(
            {
                "server scoped": in_server("scoped", scoped_sql),
                "server unscoped": in_server("unscoped", unscoped_sql),
                "sql scoped": round_trip(scoped_sql),
                "sql unscoped": round_trip(unscoped_sql),
                "orm scoped": through_orm(officer, page_cursor),
                "orm unscoped": through_orm(superuser, page_cursor),
            },
            args.repeat,
        )
        samples["server scoped"] = server_times["scoped"][3:]  # without the warm-up runs
        samples["server unscoped"] = server_times["unscoped"][3:]
        for kind, what in (
            ("server", "in PostgreSQL (planning + execution)"),
            ("sql", "SQL round trip from Django"),
            ("orm", "page query through the ORM, decrypted"),
        ):
            for statistic, function in (("median", statistics.median), ("min", min)):
                if kind == "server" and statistic == "min":
                    continue
                rows.append(
                    (
                        f"{label}: {what}",
                        statistic,
                        function(samples[f"{kind} scoped"]),
                        function(samples[f"{kind} unscoped"]),
                    )
                )

    print(
        f"Member list, one page of 50, {args.repeat} runs each, interleaved (district officer vs no scoping):"
    )
    for label, statistic, scoped, unscoped in rows:
        print(
            f"  {label:<58} {statistic:>6}  scoped {ms(scoped)}  unscoped {ms(unscoped)}"
            f"  ratio {scoped / unscoped:5.2f}×"
        )

    # The order the list does not use: newest member first. Ids follow registration, which the
    # demo load clusters by district, so a district's newest members sit behind the others'.
    naive_scoped = (
        visible(Member, officer, Perm.MEMBER_VIEW).order_by("-id").values_list("id", flat=True)[:51]
    )
    naive_unscoped = Member.objects.order_by("-id").values_list("id", flat=True)[:51]
    naive = {
        "scoped": statistics.median(timed(lambda: list(naive_scoped.all()), 3, warmup=1)),
        "unscoped": statistics.median(timed(lambda: list(naive_unscoped.all()), 3, warmup=1)),
    }
    print(
        f"  {'for comparison, newest first (an order the list does not use)':<58} median  "
        f"scoped {ms(naive['scoped'])}  unscoped {ms(naive['unscoped'])}"
        f"  ratio {naive['scoped'] / naive['unscoped']:5.0f}×\n"
    )

    # --- coverage endpoint -------------------------------------------------------------------------
    def signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        device = confirmed_totp_device(user)
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        elif user.otp_required:
            sys.exit(f"{user.username} must set up a second factor before the API serves them.")
        return client

    city_admin = User.objects.get(username="city.admin")
    targets = [
        ("city root", city, signed_in(city_admin)),
        ("district", district, signed_in(officer)),
        ("township", township, signed_in(officer)),
    ]
    print(f"GET /api/v1/coverage/{{id}} through the test client, {args.requests} requests each after 20:")
    for label, org, client in targets:
        url = f"/api/v1/coverage/{org.pk}"

        def get(client: Client = client, url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.content

        latencies = timed(get, args.requests, warmup=20)
        children = client.get(f"/api/v1/coverage/{org.pk}/children?limit=200").json()["count"]
        print(
            f"  {label:<10} {org.name:<14} p50 {ms(statistics.median(latencies))}   "
            f"p95 {ms(percentile(latencies, 0.95))}   max {ms(max(latencies))}   ({children} children)"
        )
        client.logout()


if __name__ == "__main__":
    main()
