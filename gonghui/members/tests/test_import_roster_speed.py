"""The roster import's fast paths (bench/import measures them) keep its meaning: chunks written by
the writer thread on PostgreSQL come out as chunks written in line, COPY text round-trips every
character, and the shortcuts in text normalisation and encryption give what the general path
gives, also after a key changes."""

from __future__ import annotations

import random
import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection

from gonghui.core.crypto import blind_index, decrypt, encrypt, encrypter
from gonghui.core.idnumbers import InvalidIdNumber, id_check_character, parse_id_number
from gonghui.core.text import normalize_name, normalize_text
from gonghui.members.models import Member, MemberEvent, MemberEventKind, MemberStatus, id_number_index
from gonghui.members.services import imports
from gonghui.members.services.registry import Categories, NewMember, member_values
from gonghui.members.tests.factories import member_row
from gonghui.members.tests.import_files import HEADER, csv_file, person_id, problems_of, run_import

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY and the writer thread are PostgreSQL's"
)


@pytest.fixture
def insert_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread that ran each `insert_members` (the real one runs)."""
    names: list[str] = []
    real = imports.insert_members

    def spy(*args: Any, **kwargs: Any) -> list[int]:
        names.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "insert_members", spy)
    return names


def a_roster_across_chunks(elsewhere_id: str) -> tuple[bytes, list[str]]:
    """11 people over three chunks of 4 rows: a bad row in the second chunk, a person listed twice
    (first and third chunk) and one active in another union in the third."""
    ids = [person_id() for _ in range(9)]
    rows = [("王小明", number, "") for number in ids[:5]]
    rows.append(("", person_id(), ""))  # row 7: the name is missing
    rows += [("李四", number, "") for number in ids[5:]]
    rows.append(("张三", ids[0], ""))  # row 12: listed on row 2 already
    rows.append(("赵六", elsewhere_id, ""))  # row 13
    return csv_file([HEADER, *rows]), ids


EXPECTED_PROBLEMS = [
    (2, "B", "id_number.duplicate_first"),
    (7, "A", "name.required"),
    (12, "B", "id_number.duplicate"),
    (13, "B", "active_elsewhere"),
]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_writes_every_chunk_and_each_chunk_is_settled_in_order(
    tree, tmp_path, east_admin, monkeypatch, insert_threads
):
    # Given a roster over three chunks with problems in the later ones, and no transaction open
    monkeypatch.setattr(imports, "CHUNK_ROWS", 4)
    elsewhere = member_row(tree.beta)
    elsewhere.save()
    content, ids = a_roster_across_chunks(elsewhere.id_number)
    assert not connection.in_atomic_block

    # When the good rows are imported
    roster_import = run_import(tmp_path, content, "r.csv", org=tree.acme, mode="valid", actor=east_admin)

    # Then the writer thread wrote all three chunks, and nothing is missing or doubled
    assert len(insert_threads) == 3
    assert all(name.startswith("roster-import-writer") for name in insert_threads)
    assert (roster_import.rows_total, roster_import.imported_count, roster_import.rejected_count) == (
        12,
        9,
        3,
    )
    assert problems_of(roster_import) == EXPECTED_PROBLEMS
    imported = Member.objects.filter(org=tree.acme)
    assert sorted(member.id_number for member in imported) == sorted(ids)
    assert MemberEvent.objects.filter(org=tree.acme, kind=MemberEventKind.IMPORTED).count() == 9


@pytest.mark.django_db
def test_inside_a_transaction_the_chunks_are_written_in_line(
    tree, tmp_path, east_admin, monkeypatch, insert_threads
):
    # Given the same roster, imported inside a transaction (as a test case runs): a second
    # connection would not see the union, so the import must not hand the chunks to a thread
    monkeypatch.setattr(imports, "CHUNK_ROWS", 4)
    elsewhere = member_row(tree.beta)
    elsewhere.save()
    content, ids = a_roster_across_chunks(elsewhere.id_number)

    roster_import = run_import(tmp_path, content, "r.csv", org=tree.acme, mode="valid", actor=east_admin)

    assert insert_threads == [threading.current_thread().name] * 3
    assert roster_import.imported_count == 9
    assert problems_of(roster_import) == EXPECTED_PROBLEMS
    assert sorted(member.id_number for member in Member.objects.filter(org=tree.acme)) == sorted(ids)


@postgres_only
@pytest.mark.django_db
def test_copy_text_round_trips_tabs_backslashes_and_line_breaks(tree):
    # Given a member whose free-text fields hold every character COPY's text format escapes
    platform = "美团\t外卖\\东区站\n二部\r"
    values = member_values(
        NewMember(
            name="王小明",
            id_number=parse_id_number(person_id()),
            org=tree.acme,
            mobile="13800138000",
            categories=Categories(is_gig_worker=True, gig_platform=platform),
        )
    )

    # When it is written by COPY
    (pk,) = imports.insert_members([values], actor=None, note="导入\t测试")

    # Then it reads back as it was, decrypted, with one event
    member = Member.objects.get(pk=pk)
    assert member.gig_platform == platform
    assert (member.name, member.id_number, member.mobile) == ("王小明", values["id_number"], "13800138000")
    assert member.id_number_index == values["id_number_index"]
    assert member.created_at == member.updated_at
    assert member.ended_on is None
    event = MemberEvent.objects.get(member=member)
    assert (event.kind, event.note, event.org_id) == (MemberEventKind.IMPORTED, "导入\t测试", tree.acme.pk)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王小明", "王小明"),  # clean: the shortcut
        ("330203198001010016", "330203198001010016"),
        ("３３０２０３ＡＢ", "330203AB"),  # full-width letters and digits are letters and digits too
        ("\u200b王小明", "王小明"),  # an invisible character is not
        (" 王小明\u3000", "王小明"),
        ("王\u3000\u3000小明", "王 小明"),
    ],
)
def test_normalising_clean_text_gives_what_the_general_path_gives(text, expected):
    assert normalize_text(text) == expected


def test_the_cached_keys_follow_a_key_change(settings):
    # Given an index and a token made with one set of keys
    first_index = blind_index("330203198001010016", context="test.field")
    token = encrypt("330203198001010016", context="test.field")

    # When the keys change (a new encryption key first, the old one kept; another index key)
    old_id, old_key = next(iter(settings.FIELD_ENCRYPTION_KEYS.items()))
    settings.FIELD_ENCRYPTION_KEYS = {"k9": b"\x01" * 32, old_id: old_key}
    settings.BLIND_INDEX_KEY = b"another index key"

    # Then new values use the new keys, and the old token still decrypts
    assert blind_index("330203198001010016", context="test.field") != first_index
    assert encrypt("330203198001010016", context="test.field").startswith("v1.k9.")
    assert decrypt(token, context="test.field") == "330203198001010016"


@pytest.mark.django_db
def test_the_events_of_copied_members_are_made_from_the_members_in_their_order(tree, east_admin):
    # Given three new members
    rows = [
        member_values(NewMember(name=name, id_number=parse_id_number(person_id()), org=tree.acme))
        for name in ("王小明", "李四", "张三")
    ]

    # When they are inserted (COPY and INSERT … SELECT on PostgreSQL, bulk_create elsewhere)
    ids = imports.insert_members(rows, actor=east_admin, note="花名册导入 7")

    # Then each has one "imported" event with its blind index, union, actor and time, and the
    # events' ids follow the members' order
    events = list(MemberEvent.objects.filter(member_id__in=ids).order_by("pk"))
    assert [event.member_id for event in events] == ids
    for event, values in zip(events, rows, strict=True):
        member = Member.objects.get(pk=event.member_id)
        assert event.id_number_index == id_number_index(values["id_number"]) == member.id_number_index
        assert (event.kind, event.org_id, event.actor_id) == (
            MemberEventKind.IMPORTED,
            tree.acme.pk,
            east_admin.pk,
        )
        assert (event.note, event.changes) == ("花名册导入 7", {})
        if connection.vendor == "postgresql":
            assert event.created_at == member.created_at


@pytest.mark.django_db
def test_the_active_memberships_lookup_finds_active_people_only(tree):
    # Given an active member of one union and an ended membership of another person
    active = member_row(tree.beta)
    active.save()
    ended = member_row(tree.acme, status=MemberStatus.LEFT)
    ended.save()

    # When their blind indexes (and one nobody has) are looked up
    found = imports._active_memberships([active.id_number_index, ended.id_number_index, "0" * 64])

    # Then only the active membership is found, with its union's name
    assert found == {active.id_number_index: (active.pk, tree.beta.pk, tree.beta.name)}


def test_the_check_character_is_the_weighted_sum_of_the_digits():
    # Given many 17-digit bodies (the fast sum works on the digits' character codes)
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    bodies = [f"{random.Random(seed).randrange(10**17):017d}" for seed in range(2000)]

    # Then the check character is the one GB 11643 defines, for each of them
    for body in bodies:
        total = sum(int(digit) * weight for digit, weight in zip(body, weights, strict=True))
        assert id_check_character(body) == "10X98765432"[total % 11]


def test_an_id_number_is_parsed_for_the_day_given():
    # Given a number of someone born today (valid today, not yesterday)
    today = date(2026, 12, 2)
    number = "330203" + today.strftime("%Y%m%d") + "001"
    number += id_check_character(number)

    assert parse_id_number(number, today=today).birth_date == today
    with pytest.raises(InvalidIdNumber) as refused:
        parse_id_number(number, today=date(2026, 12, 1))
    assert refused.value.reason == "birth_date"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王小明", "王小明"),  # letters only: the shortcut
        ("Anna", "Anna"),
        ("张 三", "张三"),
        ("阿卜杜・热合曼", "阿卜杜·热合曼"),
        ("阿卜杜 . 热合曼", "阿卜杜·热合曼"),
        ("John F. Kennedy", "John F. Kennedy"),
    ],
)
def test_normalising_a_name_with_or_without_the_shortcut(text, expected):
    assert normalize_name(text) == expected


def test_a_bulk_encrypter_makes_tokens_that_decrypt_and_follows_a_key_change(settings):
    # Given an encrypter for one context
    seal = encrypter(context="test.field")

    # When it encrypts the same value twice
    first, second = seal("330203198001010016"), seal("330203198001010016")

    # Then the tokens differ (a nonce each), decrypt in that context only, and name the active key
    assert first != second
    assert (
        decrypt(first, context="test.field") == decrypt(second, context="test.field") == "330203198001010016"
    )
    with pytest.raises(Exception, match="authenticate"):
        decrypt(first, context="other.field")
    old_id, old_key = next(iter(settings.FIELD_ENCRYPTION_KEYS.items()))
    assert first.startswith(f"v1.{old_id}.")

    # And an encrypter made after a key change uses the new key
    settings.FIELD_ENCRYPTION_KEYS = {"k9": b"\x01" * 32, old_id: old_key}
    assert encrypter(context="test.field")("13800138000").startswith("v1.k9.")
