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

Search. The filters fall in two kinds. A search for one person (an ID or mobile number through
its blind index, a name, a workplace) matches few rows through an index of its own, so the
database finds them first and sorts them into list order: the one query, on both databases.
The other filters (status, category, subtree) keep most of a union's members, so they go into
the per-union LATERAL read on PostgreSQL, which still stops after one page. Names are plain text
and matched exactly or by their beginning (`LIKE 'prefix%'`), which an index on the name with
`varchar_pattern_ops` serves (`member_name_idx`; SQLite reaches its plain index on the name
through the same prefix given as a range); a fragment from the middle of a name could use no index and is not
offered. A workplace is found by credit code or a fragment of its name among the workplaces of
the caller's scope, and its members by the workplace key; a fragment that matches more than
`MAX_WORKPLACE_MATCHES` workplaces is refused rather than run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.creditcode import InvalidCreditCode, parse_credit_code
from gonghui.core.errors import ValidationFailed
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.mobile import InvalidMobile, parse_mobile
from gonghui.core.text import normalize_name, normalize_text
from gonghui.members.models import Member, MemberStatus, Sex, id_number_index, mobile_index
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths, visible

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_CURSOR = re.compile(r"([0-9A-Z]{1,255})\.([0-9]{1,18})")
# A name is searched by its beginning from this many characters on (one character is a surname
# shared by a tenth of the city); shorter, only the whole name.
MIN_NAME_PREFIX = 2
MIN_WORKPLACE_FRAGMENT = 2
MAX_WORKPLACE_MATCHES = 100


class MemberCategory(models.TextChoices):
    """Groups officers look for; "female" is derived from the ID number (sex)."""

    GIG = "gig", gettext_lazy("Gig workers")
    MIGRANT = "migrant", gettext_lazy("Migrant workers")
    FEMALE = "female", gettext_lazy("Female workers")
    MODEL = "model", gettext_lazy("Model workers")


# Each category as (column, value), for the ORM and for the LATERAL query alike.
CATEGORY_COLUMNS: dict[str, tuple[str, Any]] = {
    MemberCategory.GIG: ("is_gig_worker", True),
    MemberCategory.MIGRANT: ("is_migrant_worker", True),
    MemberCategory.FEMALE: ("sex", Sex.FEMALE.value),
    MemberCategory.MODEL: ("is_model_worker", True),
}


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
    q: str = ""  # a complete ID number or mobile number, or a name (its beginning, or whole)
    whole_name: bool = False  # a name in `q` matches only the whole name
    workplace: str = ""  # a credit code or a fragment of the workplace's name
    category: str = ""  # a MemberCategory value, "" for everyone
    cursor: str = ""

    @property
    def finds_few(self) -> bool:
        """Whether a filter picks out few members through an index of its own (module docstring)."""
        return bool(normalize_text(self.q) or normalize_text(self.workplace))


# What the list shows (`_listed`); exports ask for more.
LIST_FIELDS: tuple[str, ...] = (
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


@dataclass(frozen=True)
class MemberPage:
    members: list[Member]
    next_cursor: str | None


def search_condition(text: str, *, whole_name: bool = False) -> Q:
    """The members a search box means: a complete ID or mobile number, found through its blind
    index (the numbers are stored encrypted, so parts of them cannot be searched), or a name,
    matched from its beginning or, with `whole_name`, whole. ValidationFailed says what to type."""
    if any(char.isdigit() for char in text):
        return Q(**_number_lookup(text))
    name = normalize_name(text)
    if whole_name:
        return Q(name=name)
    if len(name) < MIN_NAME_PREFIX:
        message = _("Type at least two characters of the name, or tick “Whole name only”.")
        raise ValidationFailed(message, fields={"q": [message]})
    condition = Q(name__startswith=name)
    if connection.vendor == "sqlite":
        # SQLite's LIKE ignores case and so cannot seek an index; the same prefix as a range of
        # code points (its BINARY collation) can. PostgreSQL turns the LIKE into such a range
        # on the pattern index itself, and there a range in the column's collation could miss names.
        condition &= Q(name__gte=name, name__lt=name[:-1] + chr(ord(name[-1]) + 1))
    return condition


def _number_lookup(text: str) -> dict[str, str]:
    try:
        return {"id_number_index": id_number_index(parse_id_number(text).value)}
    except InvalidIdNumber as exc:
        id_problem = exc.message
    try:
        return {"mobile_index": mobile_index(parse_mobile(text))}
    except InvalidMobile as exc:
        mobile_problem = exc.message
    # Say what is wrong with the number the person seems to have meant.
    digits = sum(char.isdigit() for char in text)
    if digits >= 14:
        hint = id_problem
    elif digits >= 10:
        hint = mobile_problem
    else:
        hint = _(
            "Search by a complete 18-digit ID number or 11-digit mobile number; "
            "parts of numbers cannot be searched."
        )
    raise ValidationFailed(_("Enter a complete ID number or mobile number, or a name."), fields={"q": [hint]})


def workplace_condition(user: Any, text: str) -> Q:
    """Members of the workplaces in `user`'s scope with this credit code or a name containing
    this fragment; ValidationFailed when the fragment is too short or matches too many."""
    try:
        code = parse_credit_code(text)
    except InvalidCreditCode:
        if len(text) < MIN_WORKPLACE_FRAGMENT:
            message = _("Type at least two characters of the workplace's name, or its credit code.")
            raise ValidationFailed(message, fields={"workplace": [message]}) from None
        matching = Q(name__contains=text)
    else:
        matching = Q(credit_code=code.value)
    # A workplace is in scope when it lies in the area of, or is covered by, a union the user may
    # see the members of: that is where those members work.
    ids = list(
        visible(Workplace, user, Perm.MEMBER_VIEW)
        .filter(matching)
        .order_by()
        .values_list("id", flat=True)[: MAX_WORKPLACE_MATCHES + 1]
    )
    if len(ids) > MAX_WORKPLACE_MATCHES:
        message = _(
            "More than %(limit)s workplaces match “%(text)s”. Type more of the name, or the credit code."
        ) % {"limit": MAX_WORKPLACE_MATCHES, "text": text}
        raise ValidationFailed(message, fields={"workplace": [message]})
    return Q(workplace_id__in=ids)


def category_column(category: str) -> tuple[str, Any]:
    """(column, value) of a MemberCategory; ValidationFailed for anything else."""
    if category not in CATEGORY_COLUMNS:
        message = _("Choose a category from the list.")
        raise ValidationFailed(message, fields={"category": [message]})
    return CATEGORY_COLUMNS[category]


def category_condition(category: str) -> Q:
    column, value = category_column(category)
    return Q(**{column: value})


def scope_hint(user: Any, perm: Perm, field: str = "org__path") -> Q:
    """The user's scope again, as path ranges the database can seek in order. Only ever added
    to `visible(...)`, never instead of it."""
    paths = scope_paths(user, perm)
    if not paths:  # None: everywhere; []: visible() already returns nothing
        return Q()
    return reduce(or_, (subtree_range(path, field) for path in paths))


def member_queryset(
    user: Any, filters: MemberFilter, *, fields: tuple[str, ...] = LIST_FIELDS
) -> QuerySet[Member]:
    """The members `user` may see (Perm.MEMBER_VIEW), filtered, in list order, with `fields`
    (what the list shows). Raises ValidationFailed for a bad search or cursor."""
    members = visible(Member, user, Perm.MEMBER_VIEW).filter(scope_hint(user, Perm.MEMBER_VIEW))
    if filters.org is not None:
        members = members.filter(subtree_range(filters.org.path, "org__path"))
    if filters.status:
        members = members.filter(status=filters.status)
    if filters.category:
        members = members.filter(category_condition(filters.category))
    q = normalize_text(filters.q)
    if q:
        members = members.filter(search_condition(q, whole_name=filters.whole_name))
    workplace = normalize_text(filters.workplace)
    if workplace:
        members = members.filter(workplace_condition(user, workplace))
    if filters.cursor:
        cursor = Cursor.parse(filters.cursor)
        members = members.filter(org__path__gte=cursor.org_path).filter(
            Q(org__path__gt=cursor.org_path) | Q(org__path=cursor.org_path, id__gt=cursor.member_id)
        )
    return _listed(members, fields)


def member_page(
    user: Any,
    filters: MemberFilter,
    *,
    limit: int = PAGE_SIZE,
    fields: tuple[str, ...] = LIST_FIELDS,
    max_limit: int = MAX_PAGE_SIZE,
) -> MemberPage:
    """One page of `member_queryset` (`limit` rows, at most `max_limit`), and the cursor of the next."""
    limit = max(1, min(limit, max_limit))
    if connection.vendor == "postgresql" and not filters.finds_few:
        # The filters are in the ids already; scoping is applied again, being the rule.
        ids = _page_ids_by_union(user, filters, limit + 1)
        rows = list(_listed(visible(Member, user, Perm.MEMBER_VIEW).filter(pk__in=ids), fields))
    else:
        # SQLite, or a search that finds few members through an index of its own: one query.
        rows = list(member_queryset(user, filters, fields=fields)[: limit + 1])
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
    conditions: list[tuple[str, Any]] = []
    if filters.status:
        conditions.append(("status", filters.status))
    if filters.category:
        conditions.append(category_column(filters.category))
    quote = connection.ops.quote_name
    member_sql = "".join(f" AND m.{quote(column)} = %s" for column, _value in conditions)
    member_table = quote(Member._meta.db_table)
    # `id > CASE ...` rather than an OR, so that the cursor seeks in the (org, status, id) index.
    sql = f"""
        SELECT page.id FROM ({orgs_sql}) o
        CROSS JOIN LATERAL (
            SELECT m.id FROM {member_table} m
            WHERE m.org_id = o.id {member_sql}
              AND m.id > CASE WHEN o.path = %s THEN %s ELSE 0 END
            ORDER BY m.id LIMIT %s
        ) page
        ORDER BY o.path, page.id LIMIT %s
    """  # noqa: S608 - table and column names from the model, values as parameters
    params = [*orgs_params, *(value for _column, value in conditions), cursor.org_path, cursor.member_id]
    with connection.cursor() as db:
        db.execute(sql, [*params, size, size])
        return [row[0] for row in db.fetchall()]


def _listed(members: QuerySet[Member], fields: tuple[str, ...]) -> QuerySet[Member]:
    """`fields` and nothing more: the org join is the one the scope already uses."""
    return members.select_related("org", "workplace").only(*fields).order_by("org__path", "id")
