"""Queries compiled to SQL once and run many times: for the few paths every request takes
(signing in with an API token) or that tens of thousands of people take in the same second
(claiming a giveaway).

Django builds and compiles a queryset's SQL each time it is evaluated. On a 2-vCPU server that
costs 0.3–0.8 ms of CPU per query, more than PostgreSQL needs to answer a lookup by a unique
index, and it was most of the CPU time of a claim (bench/README.md, "Claiming"). A compiled
query is an ordinary queryset, written once; the values that change between calls are `Param`s,
filled in when it runs. Rows come back as model instances exactly as the queryset would give
them (the same converters, so encrypted fields and time zones behave the same, and
`select_related` and `only` work); the SQL goes through Django's cursor, so query counting,
transactions and execute wrappers see it.

The one rule: anything the build function computes is frozen at the first call. A value that
changes, such as the current time, must be a `Param`; `Param` stands for one value (not a list
for `__in`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.db import connections, models, router, transaction
from django.db.models.expressions import Expression
from django.db.models.query import ModelIterable, get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql import InsertQuery, UpdateQuery

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Slot:
    """Where a parameter's value goes in the compiled SQL's parameter list."""

    name: str
    field: models.Field[Any, Any]


class Param(Expression):
    """A value given when the compiled query runs, as in
    `filter(token_hash=Param("token_hash", models.CharField()))`. The field says how the value
    is sent to the database (as the column's own field would)."""

    def __init__(self, name: str, output_field: models.Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [_Slot(self.name, self.output_field)]


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]

    def bind(self, values: Mapping[str, Any], connection: Any) -> list[Any]:
        bound = []
        for param in self.params:
            if isinstance(param, _Slot):
                bound.append(param.field.get_db_prep_value(values[param.name], connection, prepared=False))
            else:
                bound.append(param)
        return bound


Converters = list[tuple[int, tuple[list[Any], Any]]]


def _converted(row: Sequence[Any], converters: Converters, connection: Any) -> list[Any]:
    """The row's values as the fields give them to Python (decrypted, in the right time zone)."""
    values = list(row)
    for position, (functions, expression) in converters:
        for function in functions:
            values[position] = function(values[position], expression, connection)
    return values


def _statement(sql: str, params: tuple[Any, ...], expected: set[str]) -> _Statement:
    names = {param.name for param in params if isinstance(param, _Slot)}
    if names != expected:
        raise TypeError(f"The compiled query's parameters are {sorted(names)}, not {sorted(expected)}.")
    return _Statement(sql, params)


@dataclass(frozen=True)
class _CompiledSelect:
    statement: _Statement
    model: type[models.Model]
    model_start: int
    model_end: int
    init_list: list[str]
    populators: list[Any]
    # Position in the row → the field's converters (decryption, time zones): found once here,
    # where Django would look them up for each column on every run.
    converters: Converters


class CompiledSelect(Generic[M]):
    """A SELECT built by `build` (a queryset of model instances) and compiled once per database."""

    def __init__(self, build: Callable[[], models.QuerySet[M]], *, params: tuple[str, ...]) -> None:
        self._build = build
        self._params = set(params)
        self._compiled: dict[str, _CompiledSelect] = {}
        self._model: type[M] | None = None

    def _compile(self) -> tuple[str, _CompiledSelect]:
        queryset = self._build()
        if queryset._iterable_class is not ModelIterable:
            raise TypeError("A compiled SELECT returns model instances, not values().")
        self._model = queryset.model
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        klass_info = compiler.klass_info
        assert klass_info is not None  # set by as_sql() for a query of model instances
        columns = compiler.select[: compiler.col_count]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        compiled = _CompiledSelect(
            statement=_statement(sql, tuple(params), self._params),
            model=klass_info["model"],
            model_start=start,
            model_end=end,
            init_list=[column[0].target.attname for column in compiler.select[start:end]],
            populators=get_related_populators(klass_info, compiler.select, queryset.db),
            converters=list(compiler.get_converters([column[0] for column in columns]).items()),
        )
        self._compiled[queryset.db] = compiled
        return queryset.db, compiled

    def all(self, **values: Any) -> list[M]:
        if self._model is None:
            alias, compiled = self._compile()
        else:
            alias = router.db_for_read(self._model)
            compiled = self._compiled.get(alias) or self._compile()[1]
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.statement.sql, compiled.statement.bind(values, connection))
            rows = cursor.fetchall()
        model = compiled.model
        objects: list[M] = []
        for fetched in rows:
            row = _converted(fetched, compiled.converters, connection)
            obj = model.from_db(alias, compiled.init_list, row[compiled.model_start : compiled.model_end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(cast("M", obj))
        return objects

    def first(self, **values: Any) -> M | None:
        """The first row; the query should be ordered and sliced (`[:1]`) so the database stops there."""
        objects = self.all(**values)
        return objects[0] if objects else None


class CompiledUpdate:
    """An UPDATE of the rows of `build()`'s queryset to `values` (field name → value or Param),
    compiled once per database; `run` returns the number of rows changed."""

    def __init__(
        self,
        build: Callable[[], tuple[models.QuerySet[Any], dict[str, Any]]],
        *,
        params: tuple[str, ...],
    ) -> None:
        self._build = build
        self._params = set(params)
        self._compiled: dict[str, _Statement] = {}
        self._model: type[models.Model] | None = None

    def _compile(self) -> tuple[str, _Statement]:
        queryset, changes = self._build()
        self._model = queryset.model
        query = cast("UpdateQuery", queryset.query.chain(UpdateQuery))
        query.add_update_values(changes)
        query.clear_select_clause()
        compiler = query.get_compiler(queryset.db)
        compiler.pre_sql_setup()
        sql, params = compiler.as_sql()
        statement = _statement(sql, tuple(params), self._params)
        self._compiled[queryset.db] = statement
        return queryset.db, statement

    def run(self, **values: Any) -> int:
        if self._model is None:
            alias, statement = self._compile()
        else:
            alias = router.db_for_write(self._model)
            statement = self._compiled.get(alias) or self._compile()[1]
        connection = connections[alias]
        with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.bind(values, connection))
            return int(cursor.rowcount)


@dataclass(frozen=True)
class _CompiledInsert:
    sql: str
    fields: list[models.Field[Any, Any]]
    returning: list[models.Field[Any, Any]]
    converters: Converters


class CompiledInsert(Generic[M]):
    """INSERT of a new instance as `instance.save()` writes it: every concrete field through its
    `pre_save` and `get_db_prep_save` (so `auto_now_add`, defaults and encrypted fields behave
    the same) and the primary key read back, with the SQL compiled once per database. It sends
    no `pre_save`/`post_save` signals, so it is for models nothing listens to."""

    def __init__(self, model: type[M]) -> None:
        self._model = model
        self._compiled: dict[str, _CompiledInsert] = {}

    def _compile(self, alias: str, sample: M) -> _CompiledInsert:
        meta = self._model._meta
        fields = [
            field
            for field in meta.local_concrete_fields
            if field not in meta.pk_fields and not field.generated
        ]
        returning = list(meta.db_returning_fields)
        query = InsertQuery(self._model)
        query.insert_values(fields, [sample], raw=False)
        compiler = query.get_compiler(using=alias)
        compiler.returning_fields = returning
        [(sql, params)] = compiler.as_sql()
        if len(params) != len(fields):
            raise TypeError(f"{self._model.__name__}'s INSERT does not take one plain value per field.")
        if not connections[alias].features.can_return_columns_from_insert:
            raise TypeError(
                f"{connections[alias].vendor} cannot return the new row's columns from an INSERT."
            )
        columns = [field.get_col(meta.db_table) for field in returning]
        compiled = _CompiledInsert(
            sql=sql,
            fields=fields,
            returning=returning,
            converters=list(compiler.get_converters(columns).items()),
        )
        self._compiled[alias] = compiled
        return compiled

    def save(self, obj: M) -> M:
        alias = router.db_for_write(self._model, instance=obj)
        compiled = self._compiled.get(alias) or self._compile(alias, obj)
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        connection = connections[alias]
        params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in compiled.fields]
        with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            returned = connection.ops.fetch_returned_insert_columns(cursor, None)
        row = _converted(returned, compiled.converters, connection)
        for field, value in zip(compiled.returning, row, strict=True):
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = alias
        return obj
