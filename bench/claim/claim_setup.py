"""Set-up for the claim benchmark (bench/claim/claim_bench.py): a PostgreSQL database with the `small` demo
city and 100,000 extra members of one township's unions, each with a portal account and an API
token, whose raw values go to a file for the load tool.

    createdb -h 127.0.0.1 -U postgres gh_claim_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/gh_claim_bench
    .venv/bin/python bench/claim/claim_setup.py          # about a minute; run once, claim_bench.py reuses it

The database is migrated and, if it has no demo city, the `small` one is loaded. The members go to
the township union (街道总工会) with the most unions under it, spread over its grassroots unions;
their accounts share one precomputed password hash, and users, members and tokens are inserted by
COPY (gonghui.orgs.demo.bulk, the demo loader's: each field prepared as `save()` would, so ID
numbers and mobile numbers are encrypted and blind-indexed). Running it again finds the rows and
the token file and does nothing; to start again, drop and re-create the database.

Writes var/bench-claim/tokens.tsv (user id, member id, raw token) and var/bench-claim/meta.json
(the township's id), both read by claim_bench.py. The raw tokens are secrets of this scratch database only.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import django

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
os.environ.setdefault("DEBUG", "0")

VAR = ROOT / "var" / "bench-claim"
TOKENS_FILE = VAR / "tokens.tsv"
META_FILE = VAR / "meta.json"
DISPLAY_NAME = "压测会员"  # marks the benchmark's accounts
MOBILE_BASE = 16_600_000_000  # 166xxxxxxxx: the demo city uses 199…
ID_REGION = "110101"  # not a region of the demo city
BATCH = 5_000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()
    django.setup()

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database (e.g. gh_claim_bench).")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    # Without REDIS_URL the cache is a database table, which the demo loader already uses.
    call_command("createcachetable", verbosity=0)
    from gonghui.orgs.demo.loader import demo_root

    if demo_root() is None:
        print("Loading the small demo city…")
        call_command("seed_demo", scale="small", verbosity=0)
    print(f"Database migrated, demo city present ({time.perf_counter() - started:.1f} s).")

    from gonghui.accounts.models import User

    township = pick_township()
    existing = User.objects.filter(display_name=DISPLAY_NAME).count()
    if existing:
        if existing == args.members and TOKENS_FILE.exists():
            print(f"{existing:,} benchmark members and {TOKENS_FILE} already there; nothing to do.")
            return
        sys.exit(
            f"{existing:,} benchmark accounts exist but not as asked (or {TOKENS_FILE} is missing): "
            "drop and re-create the database."
        )
    VAR.mkdir(parents=True, exist_ok=True)
    META_FILE.write_text(json.dumps({"township_id": township.pk, "members": args.members}))
    create_members(township, args.members)
    print(f"Set-up done in {time.perf_counter() - started:.1f} s.")


def pick_township() -> Any:
    from gonghui.orgs.models import Org

    # Townships are the depth-3 unions; the one with most unions under it.
    townships = Org.objects.filter(depth=3).order_by("-numchild", "pk")
    township = townships.first()
    if township is None:
        sys.exit("No township union in the demo city.")
    return township


def create_members(township: Any, n: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.accounts.models import AccountKind, ApiToken, User, hash_token
    from gonghui.accounts.services import TOKEN_PREFIX
    from gonghui.core.idnumbers import make_id_number
    from gonghui.members.models import Member, MemberStatus, id_number_index, mobile_index
    from gonghui.orgs.demo.bulk import bulk_insert, next_id, reset_sequences
    from gonghui.orgs.models import Org

    unions = list(Org.objects.filter(path__startswith=township.path, numchild=0).order_by("path"))
    if not unions:
        unions = [township]
    print(
        f"Township: {township.name} (id {township.pk}), {len(unions)} unions under it; {n:,} members to add"
    )
    taken_ids = set(Member.objects.active().values_list("id_number_index", flat=True))
    taken_names = set(User.objects.values_list("username", flat=True))
    password = make_password("Bench-pass-2026")  # one hash for all: hashing 100,000 would take hours
    now = timezone.now()
    expires = now + timedelta(days=365)
    user_id, member_id, token_id = next_id(User), next_id(Member), next_id(ApiToken)
    serial = 0
    started = time.perf_counter()
    with transaction.atomic(), TOKENS_FILE.open("w") as out:
        made = 0
        while made < n:
            users: list[Any] = []
            members: list[Any] = []
            tokens: list[Any] = []
            lines: list[str] = []
            while len(users) < min(BATCH, n - made):
                serial += 1
                mobile = str(MOBILE_BASE + serial)
                birth = date(1970, 1, 1) + timedelta(days=serial // 499)
                sequence = (serial % 499) * 2 + 1 if serial % 2 else (serial % 499) * 2
                sex: Literal["male", "female"] = "male" if sequence % 2 else "female"
                id_number = make_id_number(ID_REGION, birth, sequence, sex)
                index = id_number_index(id_number)
                if index in taken_ids or mobile in taken_names:
                    continue
                user = User(
                    pk=user_id,
                    username=mobile,
                    mobile=mobile,
                    kind=AccountKind.MEMBER,
                    display_name=DISPLAY_NAME,
                    password=password,
                    date_joined=now,
                )
                member = Member(
                    pk=member_id,
                    name="压测会员",
                    id_number=id_number,
                    id_number_index=index,
                    birth_date=birth,
                    sex=sex,
                    mobile=mobile,
                    mobile_index=mobile_index(mobile),
                    org=unions[serial % len(unions)],
                    user_id=user_id,
                    joined_on=date(2020, 1, 1),
                    status=MemberStatus.ACTIVE,
                )
                raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
                token = ApiToken(
                    pk=token_id,
                    user_id=user_id,
                    name="bench",
                    prefix=raw[:10],
                    token_hash=hash_token(raw),
                    expires_at=expires,
                )
                users.append(user)
                members.append(member)
                tokens.append(token)
                lines.append(f"{user_id}\t{member_id}\t{raw}\n")
                user_id, member_id, token_id = user_id + 1, member_id + 1, token_id + 1
            bulk_insert(User, users)
            bulk_insert(Member, members)
            bulk_insert(ApiToken, tokens)
            out.writelines(lines)
            made += len(users)
            print(f"  {made:,} members ({made / (time.perf_counter() - started):,.0f}/s)", end="\r")
        reset_sequences([User, Member, ApiToken])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\n{n:,} users, members and tokens in {time.perf_counter() - started:.1f} s → {TOKENS_FILE}")


if __name__ == "__main__":
    main()
