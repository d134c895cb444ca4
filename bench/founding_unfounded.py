"""The unfounded-workplaces list at city scale: 100,000 workplaces, 40 % without a union.

Fills a scratch database with a city of federations and joint unions and 100,000 workplaces (no
members: the list never reads them), then times the console list's queries (count, first page,
notice and application status of the page) for a township officer, a district officer and a city
superuser, and prints the median and p95 in milliseconds.

    createdb -h 127.0.0.1 -U postgres gonghui_bench_founding
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench_founding \
        .venv/bin/python bench/founding_unfounded.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from gonghui.accounts.models import User  # noqa: E402
from gonghui.core.creditcode import make_credit_code  # noqa: E402
from gonghui.founding import selectors  # noqa: E402
from gonghui.orgs.models import (  # noqa: E402
    FederationLevel,
    Industry,
    JointUnionArea,
    Org,
    OrgKind,
    Ownership,
    Role,
    RoleGrant,
    Workplace,
)

WORKPLACES = 100_000
DISTRICTS, TOWNS, JOINTS = 10, 10, 5
RUNS = 30


def add(parent: Org | None, code: str, name: str, kind: str, **extra: str) -> Org:
    fields = {"code": code, "name": name, "kind": kind, **extra}
    if parent is None:
        root: Org = Org.objects.add_root(create_kwargs=fields)
        return root
    child: Org = Org.objects.add_child(parent, create_kwargs=fields)
    return child


def build() -> None:
    rng = random.Random(7)
    federation, joint = OrgKind.FEDERATION, OrgKind.JOINT_UNION
    city = add(None, "B", "基准市总工会", federation, level=FederationLevel.CITY)
    areas: list[Org] = []
    for d in range(DISTRICTS):
        district = add(city, f"B{d}", f"第{d}区总工会", federation, level=FederationLevel.DISTRICT)
        for t in range(TOWNS):
            name = f"第{d}区{t}街道总工会"
            town = add(district, f"B{d}-{t}", name, federation, level=FederationLevel.TOWNSHIP)
            areas.append(town)
            for j in range(JOINTS):
                name = f"第{d}区{t}街道{j}社区联合工会"
                areas.append(add(town, f"B{d}-{t}-J{j}", name, joint, area=JointUnionArea.COMMUNITY))
    industries, ownerships = Industry.values, Ownership.values
    rows = []
    for index in range(WORKPLACES):
        area = rng.choice(areas)
        unionised = rng.random() < 0.6
        rows.append(
            Workplace(
                credit_code=make_credit_code("9", "1", "330203", f"{index:08d}"),
                name=f"基准单位{index}",
                industry=rng.choice(industries),
                ownership=rng.choice(ownerships),
                employee_count=int(rng.lognormvariate(3.2, 1.1)),
                district=f"第{area.code[1]}区",
                jurisdiction=area,
                union=area if unionised else None,
                is_unionised=unionised,
            )
        )
    Workplace.objects.bulk_create(rows, batch_size=5_000)


def officer(username: str, org: Org) -> User:
    user = User.objects.create_officer(username=username, password=None, display_name=username)
    RoleGrant.objects.create(user=user, org=org, role=Role.FEDERATION_ADMIN)
    return user


def timed(user: User) -> tuple[float, float, int]:
    samples = []
    count = 0
    for _ in range(RUNS):
        started = time.perf_counter()
        rows = selectors.unfounded_workplaces(user, selectors.UnfoundedFilters())
        count = rows.count()
        page = list(rows[:50])
        selectors.founding_progress(user, page)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], count


def main() -> None:
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        if not Workplace.objects.exists():
            started = time.perf_counter()
            build()
            print(f"built {WORKPLACES:,} workplaces in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    district = Org.objects.get(code="B0")
    town = Org.objects.get(code="B0-0")
    users = {
        "township officer": officer(f"bench.town{time.time_ns()}", town),
        "district officer": officer(f"bench.district{time.time_ns()}", district),
        "city superuser": User.objects.create_superuser(f"bench.root{time.time_ns()}"),
    }
    print(f"{connection.vendor}: count + first page of 50 + their notice/application status, {RUNS} runs")
    for label, user in users.items():
        median, p95, count = timed(user)
        print(f"  {label:<17} {count:>7,} workplaces listed   median {median:6.1f} ms   p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
