"""Benchmark of claiming (秒杀): 64 clients send 50,000 claims of distinct members for an item of
10,000, plus retries and double taps, to gunicorn on PostgreSQL; compared with the trivial
authenticated endpoint GET /api/v1/me measured in the same run, by the same tool, at the same
concurrency.

    apt-get install -y wrk                      # the load tool (Debian: package wrk, 4.1)
    createdb -h 127.0.0.1 -U postgres gh_claim_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_claim_bench
    .venv/bin/python bench/claim/claim_setup.py       # once: demo city + 100,000 members with tokens
    .venv/bin/python bench/claim/claim_bench.py         # 35 minutes at load 10 on 2 vCPUs; --help

Each run creates a new published first-come campaign of the set-up's township (eligible: its whole
subtree) with one item of `--stock` 10,000, limit 1 per member, voucher delivery at one merchant,
open from 5 minutes ago for 3 hours; earlier benchmark campaigns are cancelled. Then:

1. gunicorn starts (sync workers = CPUs, GONGHUI_MODE=development with DEBUG=0,
   DATABASE_CONN_MAX_AGE=60, Redis cache with a key prefix of its own) and is warmed up with
   GET /api/v1/me and claims of a small warm-up campaign, by members outside the sample.
2. trivial: GET /api/v1/me once for each of the `--requests` sampled members.
3. trivial, token recently used: the same again right after its `last_used_at` was set to now.
   Token authentication writes `last_used_at` when the token was not used in the last minute,
   which it was not in 2. nor in 4.: the members of a rush come in cold.
4. claim: POST /api/v1/benefits/campaigns/{id}/claims with body {} and a new Idempotency-Key, once
   for each sampled member, mixed with `--duplicates` 5 % of extra requests: half are retries
   (the same token and key as one of those claims), half double taps (the same token, a new key);
   half of each right behind their original (so usually in flight with it), the rest up to
   5,000 requests later.

wrk (bench/claim/requests.lua) sends every line of a request file exactly once, each with its own
token and key; see the script for how it stops. Latencies are wrk's: from the request written to
the response read, so they include the wait in gunicorn's accept queue. Throughput is the line
count over the time from the first request to the last response. Afterwards the database is
asked: vouchers issued (must be the stock), people with two claims or vouchers (0), the
remaining stock (0). CPU seconds per 1,000 requests of wrk, gunicorn's workers, this database's
PostgreSQL backends and Redis show where the time goes; the rest of the machine's CPU use is
printed as "other" (other processes on a shared machine).

`--profile` records the gunicorn workers with py-spy during the claim pass (pinned in the bench
group: `.venv/bin/uv sync --frozen --inexact --group bench`) and prints the hottest frames.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import django

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
os.environ.setdefault("DEBUG", "0")

from claim_setup import DISPLAY_NAME, META_FILE, TOKENS_FILE, VAR  # noqa: E402

GOAL_RATIO = 0.3
GOAL_P99_MS = 100.0
TITLE = "压测：1 元观影"
WARMUP_TITLE = "压测预热"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50_000, help="claims of distinct members")
    parser.add_argument("--duplicates", type=float, default=0.05, help="share of retries and double taps")
    parser.add_argument("--stock", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--gunicorn-args", default="", help="more gunicorn options, e.g. '--threads 4'")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-trivial", action="store_true", help="claims only (for profiling)")
    parser.add_argument("--profile", metavar="DIR", help="py-spy the workers during the claims into DIR")
    parser.add_argument(
        "--server-times",
        action="store_true",
        help="gunicorn access log with each request's time in the worker; print its percentiles",
    )
    args = parser.parse_args()

    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is missing: apt-get install -y wrk (Debian/Ubuntu), brew install wrk (macOS).")
    if not TOKENS_FILE.exists() or not META_FILE.exists():
        sys.exit(f"{TOKENS_FILE} is missing: run bench/claim/claim_setup.py first.")
    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the set-up's PostgreSQL database (gh_claim_bench).")

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    folder = VAR / f"run-{stamp}"
    folder.mkdir(parents=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"PostgreSQL {server} · Python {platform.python_version()} · wrk {wrk_version(wrk)} · "
        f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )

    tokens = [line.rstrip("\n").split("\t") for line in TOKENS_FILE.open()]
    rng = random.Random(args.seed)
    rng.shuffle(tokens)
    sample, spare = tokens[: args.requests], tokens[args.requests :]
    if len(sample) < args.requests or len(spare) < 2_000:
        sys.exit(f"--requests {args.requests:,} needs {args.requests + 2_000:,} members with tokens")
    township_id = json.loads(META_FILE.read_text())["township_id"]
    campaign, item = make_campaign(township_id, args.stock, TITLE)
    warmup, _ = make_campaign(township_id, 200, WARMUP_TITLE)
    print(
        f"Campaign {campaign.pk} for {campaign.eligible_org.name}'s subtree, item {item.pk} of "
        f"{args.stock:,}; {args.requests:,} sampled members of {len(tokens):,} with tokens"
    )
    claims_file, kinds = write_claims(folder / "claims.tsv", sample, stamp, args.duplicates, rng)
    trivial_file = write_lines(folder / "trivial.tsv", [(row[2], "-") for row in sample])
    warm_me = write_lines(folder / "warm-me.tsv", [(row[2], "-") for row in spare[:1_000]])
    warm_claims = write_lines(
        folder / "warm-claims.tsv", [(row[2], f"{stamp}-w{i}") for i, row in enumerate(spare[1_000:2_000])]
    )
    print(
        f"Claim requests: {sum(kinds.values()):,} = {kinds['first']:,} first presses + "
        f"{kinds['retry']:,} retries (same key) + {kinds['double']:,} double taps (new key)"
    )

    server_proc = start_gunicorn(args, stamp, folder)
    results: dict[str, Any] = {"stamp": stamp, "campaign": campaign.pk, "kinds": kinds}
    try:
        load = Load(wrk, args, folder)
        load.run("warm-me", warm_me, "GET", "/api/v1/me", quiet=True)
        load.run("warm-claims", warm_claims, "POST", claim_path(warmup.pk), quiet=True)
        if not args.no_trivial:
            set_last_used(None)
            results["trivial"] = load.run("trivial", trivial_file, "GET", "/api/v1/me", server=server_proc)
            set_last_used("now")
            results["trivial_fresh"] = load.run(
                "trivial_fresh", trivial_file, "GET", "/api/v1/me", server=server_proc
            )
        set_last_used(None)
        profiler = start_profiler(args.profile, server_proc, folder) if args.profile else None
        results["claim"] = load.run("claim", claims_file, "POST", claim_path(campaign.pk), server=server_proc)
        if profiler is not None:
            stop_profiler(profiler, args.profile)
    finally:
        stop_gunicorn(server_proc)
    results["db"] = check_database(campaign, item, args.stock)
    results["load_after"] = os.getloadavg()
    (folder / "results.json").write_text(json.dumps(results, indent=2, default=str))
    summarise(results, args)
    print(f"Figures saved to {folder / 'results.json'}")


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def make_campaign(township_id: int, stock: int, title: str) -> Any:
    from django.utils import timezone

    from gonghui.benefits.models import (
        Campaign,
        CampaignItem,
        CampaignMode,
        CampaignStatus,
        Delivery,
        Merchant,
        MerchantCategory,
    )
    from gonghui.orgs.models import Org

    township = Org.objects.get(pk=township_id)
    Campaign.objects.filter(title=title, status=CampaignStatus.PUBLISHED).update(
        status=CampaignStatus.CANCELLED
    )
    merchant, _ = Merchant.objects.get_or_create(
        org=township,
        name="压测影院",
        defaults={
            "category": MerchantCategory.CULTURE,
            "discount_terms": "会员凭券 1 元观影",
            "address": "港墩街道中山路 1 号",
        },
    )
    now = timezone.now()
    unit_cost = Decimal("35.00")
    campaign = Campaign.objects.create(
        org=township,
        eligible_org=township,
        title=title,
        description="压测用活动",
        mode=CampaignMode.FIRST_COME,
        delivery=Delivery.VOUCHER,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=3),
        per_member_limit=1,
        budget=unit_cost * stock,
        voucher_expires_at=now + timedelta(days=30),
        status=CampaignStatus.PUBLISHED,
        published_at=now,
    )
    campaign.merchants.set([merchant])
    item = CampaignItem.objects.create(
        campaign=campaign, name="电影票", unit_cost=unit_cost, stock=stock, remaining=stock
    )
    return campaign, item


def write_lines(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w") as out:
        out.writelines(f"{token}\t{key}\n" for token, key in rows)
    return path


def write_claims(
    path: Path, sample: list[list[str]], stamp: str, share: float, rng: random.Random
) -> tuple[Path, dict[str, int]]:
    """The claim requests: one first press per member, with retries and double taps slotted in
    behind their originals."""
    rows: list[tuple[str, str, str]] = [(row[2], f"{stamp}-{i}", "first") for i, row in enumerate(sample)]
    extra = round(len(rows) * share)
    placed: dict[int, list[tuple[str, str, str]]] = {}
    for n in range(extra):
        origin = rng.randrange(len(rows))
        token, key, _ = rows[origin]
        kind = "retry" if n % 2 == 0 else "double"
        if kind == "double":
            key = f"{key}-{n}"
        offset = 1 if rng.random() < 0.5 else rng.randint(2, 5_000)
        placed.setdefault(min(origin + offset, len(rows)), []).append((token, key, kind))
    ordered: list[tuple[str, str, str]] = []
    for position, row in enumerate(rows):
        ordered.extend(placed.get(position, []))
        ordered.append(row)
    ordered.extend(placed.get(len(rows), []))
    kinds = {"first": 0, "retry": 0, "double": 0}
    for _, _, kind in ordered:
        kinds[kind] += 1
    write_lines(path, [(token, key) for token, key, _ in ordered])
    return path, kinds


def set_last_used(value: str | None) -> None:
    """Set the benchmark tokens' last_used_at: None (cold, authentication writes it) or now."""
    from django.db.models.functions import Now

    from gonghui.accounts.models import ApiToken

    ApiToken.objects.filter(user__display_name=DISPLAY_NAME).update(
        last_used_at=Now() if value == "now" else None
    )


def claim_path(campaign_id: int) -> str:
    return f"/api/v1/benefits/campaigns/{campaign_id}/claims"


def check_database(campaign: Any, item: Any, stock: int) -> dict[str, int]:
    from django.db.models import Count

    from gonghui.benefits.models import CampaignItem, Claim, Voucher

    claims = Claim.objects.filter(campaign=campaign)
    return {
        "claims": claims.count(),
        "vouchers": Voucher.objects.filter(campaign=campaign).count(),
        "people_with_two_claims": claims.values("person_index")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
        "people_with_two_vouchers": Voucher.objects.filter(campaign=campaign)
        .values("claim__person_index")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
        "users_with_two_claims": claims.values("user").annotate(n=Count("id")).filter(n__gt=1).count(),
        "remaining": CampaignItem.objects.get(pk=item.pk).remaining,
        "stock": stock,
    }


# --------------------------------------------------------------------------------------------
# Server and load
# --------------------------------------------------------------------------------------------


def start_gunicorn(args: argparse.Namespace, stamp: str, folder: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GONGHUI_MODE": "development",
        "DEBUG": "0",
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # Its own keys: rate-limit counters and the sold-out gate of other runs stay out.
        "CACHE_KEY_PREFIX": f"claimbench-{stamp}",
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "gonghui.wsgi",
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{args.port}",
        "--backlog",
        "2048",
        "--error-logfile",
        str(folder / "gunicorn.log"),
        *args.gunicorn_args.split(),
    ]
    if args.server_times:
        command += ["--access-logfile", str(folder / "access.log"), "--access-logformat", "%(D)s %(s)s"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603 (our own commands)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        stop_gunicorn(proc)
        sys.exit(f"gunicorn did not answer on port {args.port}; see {folder / 'gunicorn.log'}")
    extra = f" {args.gunicorn_args}" if args.gunicorn_args else ""
    print(f"gunicorn --workers {args.workers}{extra} (pid {proc.pid}) on port {args.port}")
    return proc


def stop_gunicorn(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk_version(wrk: str) -> str:
    output = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)  # noqa: S603 (our own commands)
    return (output.stdout + output.stderr).split()[1] if output.stdout or output.stderr else "?"


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


def postgres_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def redis_pid() -> int | None:
    try:
        import redis

        info = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")).info("server")
        return int(info["process_id"])
    except Exception:  # only for the CPU figure
        return None


class Load:
    """Runs wrk over a request file and measures it, with the CPU time of every process involved.

    PostgreSQL backends come and go (DATABASE_CONN_MAX_AGE=60 reconnects a worker once its
    connection is a minute old), so they are polled every 0.2 s while wrk runs and the last CPU
    time seen of each is kept: a backend that ends loses at most its last 0.2 s."""

    def __init__(self, wrk: str, args: argparse.Namespace, folder: Path) -> None:
        self.wrk, self.args, self.folder = wrk, args, folder
        self.redis = redis_pid()

    def processes(self, server: subprocess.Popen[bytes]) -> dict[str, dict[int, float]]:
        groups = {
            "gunicorn": {pid: cpu_seconds(pid) for pid in [server.pid, *children(server.pid)]},
            "postgres": {pid: cpu_seconds(pid) for pid in postgres_backends()},
        }
        if self.redis:
            groups["redis"] = {self.redis: cpu_seconds(self.redis)}
        return groups

    def run(
        self,
        name: str,
        requests_file: Path,
        method: str,
        path: str,
        *,
        server: subprocess.Popen[bytes] | None = None,
        quiet: bool = False,
    ) -> dict[str, Any]:
        lines = sum(1 for _ in requests_file.open())
        marker = self.folder / f"{name}.done"
        command = [
            self.wrk,
            "-t",
            str(self.args.threads),
            "-c",
            str(self.args.connections),
            "-d",
            "1800s",
            "--timeout",
            "30s",
            "-s",
            str(HERE / "requests.lua"),
            f"http://127.0.0.1:{self.args.port}",
            "--",
            str(requests_file),
            str(self.args.threads),
            method,
            path,
            str(marker),
        ]
        access_log = self.folder / "access.log"
        log_start = access_log.stat().st_size if access_log.exists() else 0
        before = self.processes(server) if server else {}
        latest: dict[str, dict[int, float]] = {group: dict(pids) for group, pids in before.items()}
        machine_before = machine_cpu()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603 (our own commands)
        markers = [Path(f"{marker}.{i}") for i in range(self.args.threads)]
        while not all(m.exists() for m in markers):
            if proc.poll() is not None:
                break
            if time.monotonic() - started > 1700:
                print(f"{name}: not every response after 1,700 s; stopping wrk")
                break
            time.sleep(0.2)
            if server:
                for group, pids in self.processes(server).items():
                    latest[group].update({pid: t for pid, t in pids.items() if t > 0})
        machine_after = machine_cpu()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic() - started
        try:
            figures: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            sys.exit(f"wrk gave no figures for {name}:\n{stdout}\n{stderr}")
        (self.folder / f"{name}.wrk.txt").write_text(stdout + stderr)
        span = figures["span_us"] / 1e6
        figures.update(
            name=name,
            lines=lines,
            seconds=span,
            rate=lines / span if span > 0 else 0.0,
            wall=wall,
            cpu={
                "wrk": (children_after.ru_utime + children_after.ru_stime)
                - (children_before.ru_utime + children_before.ru_stime),
                **{
                    group: sum(t - before[group].get(pid, 0.0) for pid, t in pids.items())
                    for group, pids in latest.items()
                },
                "machine_busy": machine_after[0] - machine_before[0],
                "machine_total": machine_after[1] - machine_before[1],
            },
        )
        if access_log.exists():
            time.sleep(0.5)  # gunicorn writes its access log after each response
            with access_log.open() as log:
                log.seek(log_start)
                times = sorted(int(line.split()[0]) for line in log if line.strip())
            if times:
                figures["server_us"] = {
                    "n": len(times),
                    "p50": times[len(times) // 2],
                    "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
                    "max": times[-1],
                }
        answered = sum(figures["statuses"].values())
        if answered != lines:
            print(f"{name}: {answered:,} answers to {lines:,} requests (see {name}.wrk.txt)")
        if not quiet:
            print(
                f"  {name:<14} {lines:>7,} requests in {span:6.1f} s: {figures['rate']:7.1f}/s, "
                f"p50 {figures['p50_us'] / 1000:6.1f} ms, p99 {figures['p99_us'] / 1000:6.1f} ms, "
                f"max {figures['max_us'] / 1000:6.1f} ms; {format_statuses(figures['statuses'])}"
            )
            if "server_us" in figures:
                st = figures["server_us"]
                print(
                    f"  {'':<14} in the worker ({st['n']:,} incl. fillers): p50 {st['p50'] / 1000:.1f} ms, "
                    f"p99 {st['p99'] / 1000:.1f} ms, max {st['max'] / 1000:.1f} ms"
                )
        return figures


def start_profiler(
    folder_name: str, server: subprocess.Popen[bytes], folder: Path
) -> subprocess.Popen[bytes]:
    py_spy = shutil.which("py-spy", path=str(ROOT / ".venv" / "bin")) or shutil.which("py-spy")
    if py_spy is None:
        sys.exit("py-spy is missing: .venv/bin/uv sync --frozen --inexact --group bench")
    out = Path(folder_name)
    out.mkdir(parents=True, exist_ok=True)
    command = [
        py_spy,
        "record",
        "--pid",
        str(server.pid),
        "--subprocesses",
        "--rate",
        "200",
        "--format",
        "raw",
        "--output",
        str(out / "claims.folded"),
        "--nonblocking",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=(out / "py-spy.log").open("w"))  # noqa: S603 (our own commands)
    time.sleep(1.5)
    return proc


def stop_profiler(proc: subprocess.Popen[bytes], folder_name: str) -> None:
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    folded = Path(folder_name) / "claims.folded"
    if folded.exists():
        print(f"py-spy samples (folded stacks) in {folded}; hottest frames (self and inclusive):")
        print_hot_frames(folded)


def print_hot_frames(folded: Path, top: int = 25) -> None:
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in folded.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
    print(f"  {total:,} samples")
    for label, table in (("inclusive", inclusive), ("self", own)):
        print(f"  -- {label}")
        for frame, count in sorted(table.items(), key=lambda kv: -kv[1])[:top]:
            print(f"  {100 * count / total:5.1f} %  {frame}")


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def format_statuses(statuses: dict[str, int]) -> str:
    return ", ".join(f"{code}: {n:,}" for code, n in sorted(statuses.items()))


def cpu_line(figures: dict[str, Any]) -> str:
    cpu = figures["cpu"]
    per = 1000 / figures["lines"]
    ours = sum(cpu.get(k, 0.0) for k in ("wrk", "gunicorn", "postgres", "redis"))
    other = cpu["machine_busy"] - ours
    busy = 100 * cpu["machine_busy"] / cpu["machine_total"] if cpu["machine_total"] else 0.0
    parts = [f"{k} {cpu[k] * per:.2f}" for k in ("gunicorn", "postgres", "redis", "wrk") if k in cpu]
    return (
        f"CPU s per 1,000 requests: {', '.join(parts)}, other {max(other, 0) * per:.2f}; "
        f"machine {busy:.0f} % busy"
    )


def summarise(results: dict[str, Any], args: argparse.Namespace) -> None:
    claim = results["claim"]
    db = results["db"]
    print()
    print(f"{'':<24}{'requests/s':>12}{'p50 ms':>9}{'p99 ms':>9}")
    for key, label in (
        ("trivial", "GET /me (cold token)"),
        ("trivial_fresh", "GET /me (token warm)"),
        ("claim", "claims"),
    ):
        if key in results:
            f = results[key]
            print(f"{label:<24}{f['rate']:>12.1f}{f['p50_us'] / 1000:>9.1f}{f['p99_us'] / 1000:>9.1f}")
            print(f"{'':<4}{cpu_line(f)}")
    print(f"Claim answers: {format_statuses(claim['statuses'])} (fillers {claim['fillers']})")
    print(
        f"Database: {db['vouchers']:,} vouchers for {db['claims']:,} claims; "
        f"{db['people_with_two_vouchers']} people with two vouchers, "
        f"{db['people_with_two_claims']} with two claims; "
        f"remaining stock {db['remaining']:,}"
    )
    checks: list[tuple[str, bool]] = []
    if "trivial" in results:
        ratio = claim["rate"] / results["trivial"]["rate"]
        ratio_fresh = claim["rate"] / results["trivial_fresh"]["rate"]
        print(
            f"Ratio claims / trivial: {ratio:.2f}× (cold tokens both), {ratio_fresh:.2f}× against warm tokens"
        )
        checks.append((f"claim throughput ≥ {GOAL_RATIO}× trivial ({ratio:.2f}×)", ratio >= GOAL_RATIO))
    p99 = claim["p99_us"] / 1000
    checks += [
        (f"claim p99 < {GOAL_P99_MS:.0f} ms ({p99:.1f} ms)", p99 < GOAL_P99_MS),
        (f"exactly {db['stock']:,} vouchers issued ({db['vouchers']:,})", db["vouchers"] == db["stock"]),
        (
            f"0 members with two vouchers ({db['people_with_two_vouchers']})",
            db["people_with_two_vouchers"] == 0,
        ),
        (f"remaining stock 0 ({db['remaining']})", db["remaining"] == 0),
        (
            f"201 answers = vouchers ({claim['statuses'].get('201', 0):,})",
            claim["statuses"].get("201", 0) == db["vouchers"],
        ),
        (
            "no 5xx, socket errors or missing answers",
            not any(code.startswith("5") for code in claim["statuses"])
            and not any(claim["errors"][k] for k in ("connect", "read", "write", "timeout"))
            and sum(claim["statuses"].values()) == claim["lines"],
        ),
    ]
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    print(f"Load average after the run: {' '.join(f'{x:.2f}' for x in results['load_after'])}")


if __name__ == "__main__":
    main()
