"""Reads over the member registry: the scoped, keyset-paged member list.

Order and paging. The list is in tree order of the members' unions, then by member id, and is
paged by keyset on (union path, id). Ordering by id alone cannot be served from an index for a
subtree: ids follow the order in which members were registered or imported, which clusters them
by district, so "the newest 50 members of one district" would scan past every other district's
members first (seconds on the city demo in PostgreSQL; bench/scoping measures it). In tree order
the database walks the subtree's unions in path order and reads each union's members in id
order from the (org, status, id) index, stopping after one page, whatever the size of the
subtree or of a union; the same plan serves the whole city, so scoping costs next to nothing
(bench/README.md).

On PostgreSQL a page is two queries: the ids of the page, read union by union through a LATERAL
join that takes at most one page from each union, then those members with what the list shows.
Done as one ORDER BY over the join, PostgreSQL would have to read a whole union (55,000 members
in the largest) before it could sort it by id. SQLite, which has no LATERAL, runs the one query.

Scoping goes through `visible(...)` with Perm.MEMBER_VIEW in both queries. Every subtree
condition is also given to the database as a range on the path (`path >= prefix AND path <
successor`), which a plain B-tree index on the path can both seek and read in order, whatever the
column's collation; the `LIKE 'prefix%'` that scoping writes can only use the pattern index,
which has no usable order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.core.errors import ValidationFailed
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.mobile import InvalidMobile, parse_mobile
from gonghui.core.text import normalize_text
from gonghui.members.models import Member, MemberStatus, id_number_index, mobile_index
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths, visible

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_CURSOR = re.compile(r"([0-9A-Z]{1,255})\.([0-9]{1,18})")


def path_successor(path: str) -> str | None:
    """The smallest path greater than every path that starts with `path` (None if there is
    none): "00010001" -> "00010002", "0001000Z" -> "0001001"."""
    alphabet: str = Org.alphabet
    for i in range(len(path) - 1, -1, -1):
        position = alphabet.index(path[i])
        if position + 1 < len(alphabet):
            return path[:i] + alphabet[position + 1]
    return None


def subtree_range(path: str, field: str = "path") -> Q:
    """`field` within the subtree at `path`, as an index range (see the module docstring)."""
    condition = Q(**{f"{field}__gte": path})
    successor = path_successor(path)
    return condition & Q(**{f"{field}__lt": successor}) if successor else condition


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after the member `member_id` of the union at `org_path`."""

    org_path: str
    member_id: int

    def __str__(self) -> str:
        return f"{self.org_path}.{self.member_id}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        match = _CURSOR.fullmatch(text)
        if match is None:
            raise ValidationFailed(
                _("This page link is not valid. Start again from the first page."),
                fields={"cursor": [_("Not a valid page cursor.")]},
            )
        return cls(org_path=match.group(1), member_id=int(match.group(2)))


@dataclass(frozen=True)
class MemberFilter:
    org: Org | None = None  # list this subtree only; the caller got it through get_visible
    status: str = MemberStatus.ACTIVE  # "" for every status
    q: str = ""  # an exact ID number or mobile number
    cursor: str = ""


@dataclass(frozen=True)
class MemberPage:
    members: list[Member]
    next_cursor: str | None


def _search(text: str) -> Q:
    """An exact ID number or mobile number, found through its blind index (the numbers are
    stored encrypted, so nothing else can be searched)."""
    try:
        id_number = parse_id_number(text)
    except InvalidIdNumber:
        pass
    else:
        return Q(id_number_index=id_number_index(id_number.value))
    try:
        mobile = parse_mobile(text)
    except InvalidMobile:
        pass
    else:
        return Q(mobile_index=mobile_index(mobile))
    raise ValidationFailed(
        _("Enter a complete ID number or mobile number."),
        fields={"q": [_("Search by a complete 18-digit ID number or 11-digit mobile number.")]},
    )


def scope_hint(user: Any, perm: Perm, field: str = "org__path") -> Q:
    """The user's scope again, as path ranges the database can seek in order. Only ever added
    to `visible(...)`, never instead of it."""
    paths = scope_paths(user, perm)
    if not paths:  # None: everywhere; []: visible() already returns nothing
        return Q()
    return reduce(or_, (subtree_range(path, field) for path in paths))


def member_queryset(user: Any, filters: MemberFilter) -> QuerySet[Member]:
    """The members `user` may see (Perm.MEMBER_VIEW), filtered, in list order, with what the list
    shows. Raises ValidationFailed for a bad search or cursor."""
    members = visible(Member, user, Perm.MEMBER_VIEW).filter(scope_hint(user, Perm.MEMBER_VIEW))
    if filters.org is not None:
        members = members.filter(subtree_range(filters.org.path, "org__path"))
    if filters.status:
        members = members.filter(status=filters.status)
    q = normalize_text(filters.q)
    if q:
        members = members.filter(_search(q))
    if filters.cursor:
        cursor = Cursor.parse(filters.cursor)
        members = members.filter(org__path__gte=cursor.org_path).filter(
            Q(org__path__gt=cursor.org_path) | Q(org__path=cursor.org_path, id__gt=cursor.member_id)
        )
    return _listed(members)


def member_page(user: Any, filters: MemberFilter, *, limit: int = PAGE_SIZE) -> MemberPage:
    """One page of `member_queryset` (`limit` rows), and the cursor of the next."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    if connection.vendor == "postgresql" and not filters.q:
        # The filters are in the ids already; scoping is applied again, being the rule.
        ids = _page_ids_by_union(user, filters, limit + 1)
        rows = list(_listed(visible(Member, user, Perm.MEMBER_VIEW).filter(pk__in=ids)))
    else:
        # SQLite, or a search, which finds one person through the blind index: one query.
        rows = list(member_queryset(user, filters)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = str(Cursor(org_path=last.org.path, member_id=last.pk))
    return MemberPage(members=rows[:limit], next_cursor=next_cursor)


def _page_ids_by_union(user: Any, filters: MemberFilter, size: int) -> list[int]:
    """PostgreSQL: the ids of the next `size` members in list order, taking at most `size` from
    each union in turn (see the module docstring)."""
    orgs = visible(Org, user, Perm.MEMBER_VIEW).filter(scope_hint(user, Perm.MEMBER_VIEW, "path"))
    if filters.org is not None:
        orgs = orgs.filter(subtree_range(filters.org.path))
    cursor = Cursor.parse(filters.cursor) if filters.cursor else Cursor(org_path="", member_id=0)
    if filters.cursor:
        orgs = orgs.filter(path__gte=cursor.org_path)
    try:
        orgs_sql, orgs_params = orgs.order_by("path").values("id", "path").query.sql_with_params()
    except EmptyResultSet:  # nothing in scope: visible() gave .none()
        return []
    status_sql = "AND m.status = %s" if filters.status else ""
    member_table = connection.ops.quote_name(Member._meta.db_table)
    # `id > CASE ...` rather than an OR, so that the cursor seeks in the (org, status, id) index.
    sql = f"""
        SELECT page.id FROM ({orgs_sql}) o
        CROSS JOIN LATERAL (
            SELECT m.id FROM {member_table} m
            WHERE m.org_id = o.id {status_sql}
              AND m.id > CASE WHEN o.path = %s THEN %s ELSE 0 END
            ORDER BY m.id LIMIT %s
        ) page
        ORDER BY o.path, page.id LIMIT %s
    """  # noqa: S608 - table name from the model, values as parameters
    params = [*orgs_params, *([filters.status] if filters.status else []), cursor.org_path, cursor.member_id]
    with connection.cursor() as db:
        db.execute(sql, [*params, size, size])
        return [row[0] for row in db.fetchall()]


def _listed(members: QuerySet[Member]) -> QuerySet[Member]:
    """What the list shows, and nothing more: the org join is the one the scope already uses."""
    return (
        members.select_related("org", "workplace")
        .only(
            "id",
            "name",
            "id_number",
            "mobile",
            "joined_on",
            "status",
            "org__id",
            "org__name",
            "org__path",
            "workplace__id",
            "workplace__name",
        )
        .order_by("org__path", "id")
    )
