"""Inserting many rows at once: PostgreSQL COPY, with bulk_create as the portable fallback.

Both paths take unsaved model instances and store exactly what `save()` would: each field's
`pre_save` and `get_db_prep_save` run as they do inside Django's INSERT, so encrypted fields
are encrypted and `auto_now` fields are stamped either way. COPY skips the SQL parsing and
parameter binding of INSERT statements, which is most of the cost of a bulk load.

Instances must carry their primary keys (COPY cannot return generated ones); call
`reset_sequences` afterwards so that later ordinary inserts continue above them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any, Literal

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql

Method = Literal["auto", "copy", "bulk_create"]
Row = tuple[Any, ...]


def resolve_method(method: Method, using: str = DEFAULT_DB_ALIAS) -> Literal["copy", "bulk_create"]:
    if method == "auto":
        return "copy" if connections[using].vendor == "postgresql" else "bulk_create"
    if method == "copy" and connections[using].vendor != "postgresql":
        raise ValueError("COPY needs PostgreSQL.")
    return method


def insert_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def prepared_row(
    obj: models.Model, fields: Sequence[models.Field[Any, Any]], connection: BaseDatabaseWrapper
) -> Row:
    """The database values of `obj`, as Django's INSERT compiler would compute them.

    Pure computation (no query), so worker processes can prepare rows for the loading one.
    """
    return tuple(field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields)


# COPY's text format: tab-separated columns, \N for NULL, backslash escapes in text.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_line(row: Row) -> str:
    """One row in COPY's text format.

    Only the types bulk loads use are accepted; anything else (JSON, bytes, ...) would need
    psycopg's own adaptation and raises TypeError rather than being written wrongly.
    """
    return "\t".join(map(_copy_value, row)) + "\n"


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, date):  # datetimes too: ISO 8601 with the offset, which PostgreSQL reads
        return value.isoformat()
    raise TypeError(f"COPY text for {type(value).__name__} is not supported")


def copy_text(
    model: type[models.Model],
    fields: Sequence[models.Field[Any, Any]],
    chunks: Iterable[str],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """COPY text (whole lines, as many per chunk as convenient) into the model's table in one
    statement. Formatting lines is left to the caller so that worker processes can do it."""
    connection = connections[using]
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
        table=sql.Identifier(model._meta.db_table),
        columns=sql.SQL(", ").join(sql.Identifier(field.column) for field in fields),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for chunk in chunks:
            copy.write(chunk)


# Indexes of a table that back no constraint (primary keys and unique constraints stay).
_DROPPABLE_INDEXES = """
    SELECT index.relname, pg_get_indexdef(index.oid)
    FROM pg_index JOIN pg_class AS index ON index.oid = pg_index.indexrelid
    WHERE pg_index.indrelid = %s::regclass
      AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = pg_index.indexrelid)
"""


@contextmanager
def indexes_rebuilt_after(model: type[models.Model], *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """On PostgreSQL, drop the table's indexes for the block and build them again after it.

    For loading many rows into a table that holds few: one sorted build of each index costs a
    fraction of updating it row by row (measured in bench/README.md), and a unique index that is
    rebuilt still refuses duplicates, failing the whole load. Use inside a transaction: the DDL
    is transactional, so a failed load leaves the indexes as they were, and the table stays
    locked against other sessions until the commit.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(_DROPPABLE_INDEXES, [model._meta.db_table])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        # Django's foreign keys are checked at commit; PostgreSQL will not build an index on a
        # table with such checks pending, so run them now, then defer again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def bulk_insert(
    model: type[models.Model],
    objs: Iterable[models.Model],
    *,
    method: Method = "auto",
    batch_size: int = 2000,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Insert unsaved instances (with primary keys set); returns the row count."""
    if resolve_method(method, using) == "copy":
        connection = connections[using]
        fields = insert_fields(model)
        lines = [copy_line(prepared_row(obj, fields, connection)) for obj in objs]
        copy_text(model, fields, lines, using=using)
        return len(lines)
    count = 0
    iterator = iter(objs)
    while batch := list(islice(iterator, batch_size)):
        model._default_manager.using(using).bulk_create(batch, batch_size=batch_size)
        count += len(batch)
    return count


def next_id(model: type[models.Model], using: str = DEFAULT_DB_ALIAS) -> int:
    """The first primary key above every existing row, for instances inserted with explicit keys."""
    latest = model._default_manager.using(using).aggregate(latest=models.Max("pk"))["latest"]
    return int(latest or 0) + 1


def reset_sequences(models_: Sequence[type[models.Model]], using: str = DEFAULT_DB_ALIAS) -> None:
    """Move the id sequences past explicitly inserted keys (a no-op on SQLite, whose
    AUTOINCREMENT already follows the largest key)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
