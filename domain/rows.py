"""Model instances built from rows, and statements compiled once (issue 9: the loaders' hot path).

`Rows` wraps a tortoise queryset: the same filters, order and conversions (tortoise's own), without
tortoise's per-object constructor; a `shared` one (the same for every request, but for its `where`, a
condition kept by its value) also skips tortoise's query building after the first time for each shape,
condition and number of keys. `Joined` reads to-one relations of the rows in the same statement (issue 27).
"""

from __future__ import annotations

import re
import types
from collections import OrderedDict
from collections.abc import Callable, Collection, Generator, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from threading import Lock
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)


@cache
def attributes_of(model: type[Model]) -> tuple[str, ...]:
    """The attributes tortoise sets from a row (its own `_init_from_db`): one per column."""
    meta = model._meta
    return tuple(name for fields in (meta.db_native_fields, meta.db_default_fields, meta.db_complex_fields) for _, name, _ in fields)


Conversions = tuple[tuple[str, Callable[[Any], Any]], ...]


@dataclass(frozen=True)
class _Statement:
    """A SELECT compiled once: its SQL, the parameters that come before the keys (the condition's, or all
    of them for a page or a count), the attribute each column sets, and tortoise's conversion of the
    columns that need one."""

    sql: str
    names: tuple[str, ...]
    conversions: Conversions
    params: tuple[Any, ...] = ()
    #: the keys of a load go in as one array (PostgreSQL's `= ANY($k)`), not one parameter each
    keys_as_array: bool = False


#: compiled statements of shared Rows, by the shape of their SELECT, its condition (by value) and the number
#: of keys, the most recently used last: (client class, model, fields, order, condition, what) -> statement
_STATEMENTS: OrderedDict[tuple[Any, ...], _Statement] = OrderedDict()
#: one per shape and key count, and the columns a query selects make shapes too: a caller varying them
#: pushes out the oldest, never the statements of the pages in use
_MAX_STATEMENTS = 4096
_LOCK = Lock()  # the leader's thread runs an event loop of its own
#: what would make a queryset differ between requests or viewers (filters, slices, joins...): a shared
#: Rows refuses a queryset that has any of them (tortoise's QuerySet attributes, empty when unused)
_OWN_PARTS = (
    "_q_objects", "_annotations", "_custom_filters", "_limit", "_offset", "_distinct", "_having", "_group_bys",
    "_select_for_update", "_select_related", "_prefetch_map", "_force_indexes", "_use_indexes",
)  # fmt: skip


#: what `_STATEMENTS` keeps for a shape laid out in a way a compiled statement cannot serve
_BUILT_EVERY_TIME = _Statement("", (), ())

#: values a condition may compare with, kept in a statement's key by type and value (True is not 1 there)
_PLAIN = (int, str, bool, float, Decimal, date, datetime, Enum, type(None))


class _Unkeyable(Exception):
    """A condition holds a value that is not plainly a value (an expression, a subquery...)."""


def _value_key(value: Any) -> Hashable:
    if isinstance(value, _PLAIN):
        return (type(value), value)
    if isinstance(value, list | tuple):
        return (list, tuple(_value_key(v) for v in value))
    if isinstance(value, set | frozenset):
        return (set, frozenset(_value_key(v) for v in value))
    raise _Unkeyable(type(value).__name__)


def condition_key(q: Q | None) -> Hashable | None:
    """A tortoise Q by its value: two conditions with the same key make the same SQL with the same
    parameters. None when it holds something other than plain values (then nothing is compiled for it)."""
    if q is None:
        return ()

    def key(node: Q) -> Hashable:
        filters = tuple((name, _value_key(node.filters[name])) for name in sorted(node.filters))
        return (node.join_type, node._is_negated, filters, tuple(key(child) for child in node.children))

    try:
        return key(q)
    except _Unkeyable:
        return None


def _objects_of(
    model: type[M], partial: bool, rows: Iterable[Iterable[Any]], names: tuple[str, ...], conversions: Conversions
) -> list[M]:
    """Instances of `model` from rows (`names` their columns, `conversions` tortoise's of some), as
    `_init_from_db` leaves them, written past the model's __setattr__ (as it does)."""
    meta = model._meta
    flags = {"_partial": partial, "_saved_in_db": True}
    flags["_custom_generated_pk"] = meta.db_pk_column not in meta.generated_db_fields
    new = model.__new__
    found = []
    for row in rows:
        obj = new(model)
        attributes = obj.__dict__
        attributes.update(zip(names, row, strict=True))
        for name, convert in conversions:
            attributes[name] = convert(attributes[name])
        attributes.update(flags)
        attributes["_await_when_save"] = {}
        found.append(obj)
    return found


def _sql(query: Any, db: Any) -> tuple[str, list[Any]]:
    """The SQL and parameters tortoise would run for `query` (a queryset's values, count...) on `db`."""
    query._db = db
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    return sql, list(params)


#: the end of a page's statement as tortoise writes it for PostgreSQL (asyncpg's numbered parameters)
_PAGE_END = re.compile(r" LIMIT \$(\d+)(?: OFFSET \$(\d+))?$")


def _literal_page(statement: _Statement, offset: int, limit: int) -> _Statement:
    """A page's statement with its LIMIT and OFFSET written into the SQL instead of sent as parameters
    (PostgreSQL; anything laid out otherwise is left as it is). Each (offset, limit) is compiled on its own
    anyway; what changes is PostgreSQL's plan cache: with LIMIT a parameter, a generic plan must assume any
    number of rows, costs more than a plan for 20, and is never chosen, so the page statement was planned
    anew at every execution (0.9-1.5 ms of PostgreSQL's CPU a page on bench/province.py's province; without
    a parameter left, the first page is planned once per connection)."""
    found = _PAGE_END.search(statement.sql)
    if found is None:
        return statement
    values = (limit,) if found.group(2) is None else (limit, offset)
    params = statement.params
    numbers = tuple(int(n) for n in found.groups() if n is not None)
    if (
        numbers != tuple(range(len(params) - len(values) + 1, len(params) + 1))
        or params[len(params) - len(values) :] != values
        or not all(type(v) is int for v in values)
    ):
        return statement
    tail = f" LIMIT {limit:d}" + (f" OFFSET {offset:d}" if len(values) == 2 else "")
    return _Statement(statement.sql[: found.start()] + tail, statement.names, statement.conversions, params[: -len(values)])


@dataclass(frozen=True)
class Join:
    """A to-one relation of a Rows' model read in its statement (a LEFT JOIN, tortoise's own): `path` from
    the model (tortoise's `unit__parent`), the model it reaches and the columns read of it (None: every
    one). Only a foreign key or a one-to-one relation, either way, may be joined: one row at most per row."""

    path: str
    model: type[Model]
    fields: tuple[str, ...] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return self.fields or attributes_of(self.model)


#: what a Rows with joins hands over, once per read: its objects and, per join (in their order), the
#: join's object of each of them (None: no row, as a LEFT JOIN finds none)
Receive = Callable[[list[Any], list[list[Any]]], None]


@dataclass(frozen=True)
class Joined:
    """To-one relations read in the statement of the rows that hold them (`joins`), and who receives what
    they read (`receive`: the caller, which primes its loaders with them, say)."""

    joins: tuple[Join, ...]
    receive: Receive


@cache
def _to_one(model: type[Model], path: str) -> type[Model]:
    """The model `path` reaches from `model`; TypeError unless each of its steps is to-one."""
    for name in path.split("__"):
        meta = model._meta
        if name not in meta.fk_fields | meta.o2o_fields | meta.backward_o2o_fields:
            raise TypeError(f"{model.__name__}.{name} is not a to-one relation: it cannot be joined")
        model = meta.fields_map[name].related_model
    return model


@dataclass(frozen=True)
class Rows(Generic[M]):
    """A queryset whose objects are built from rows: the same filters, order and conversions
    (tortoise's own), without tortoise's per-object constructor, which cost half of a loader's time
    (bench/RESULTS.md, session 4). The objects are whole model instances, or partial ones of `fields`
    (as `.only()` makes them). Awaited and filtered like the queryset it wraps.

    `where`: a condition on every read (a viewer's visibility rule, a filter), the queryset's own filter.

    `joined`: to-one relations read with each row, in the same statement (LEFT JOINs, which neither drop
    nor repeat a row): each read builds their objects the way a Rows of their model and columns would (the
    same columns and conversions, one object per row of theirs in a read) and hands them, beside the
    objects, to `joined.receive`. Counts ignore them.

    `shared`: the queryset is a model's rows in an order, the same for every request and viewer (it may
    have no filter, slice or join of its own: refused on every use), and `where` says what differs. Its
    loads (`where_in`), pages and counts run a SELECT compiled by tortoise once per process for each shape,
    condition (by value: `condition_key`) and number of keys (on PostgreSQL, for any number of keys: one
    array parameter, `_compile_where_any`), and then only executed, which saves
    tortoise's query building, most of a loader's remaining time (sessions 5 and 7). A condition that is
    not made of plain values is compiled every time, as tortoise does.
    """

    queryset: QuerySet[M]
    fields: tuple[str, ...] | None = None
    shared: bool = False
    where: Q | None = None
    joined: Joined | None = None

    @property
    def _filtered(self) -> QuerySet[M]:
        return self.queryset if self.where is None else self.queryset.filter(self.where)

    @property
    def _joins(self) -> tuple[Join, ...]:
        return self.joined.joins if self.joined is not None else ()

    def filter(self, *args: Any, **kwargs: Any) -> Rows[M]:
        return Rows(self._filtered.filter(*args, **kwargs), self.fields, joined=self.joined)

    def __await__(self) -> Generator[Any, None, list[M]]:
        return self._objects().__await__()

    @property
    def _names(self) -> tuple[str, ...]:
        return self.fields or attributes_of(self.queryset.model)

    @property
    def _selected(self) -> tuple[str, ...]:
        """What the statement selects: the columns, then each join's (`path__column`, as tortoise names them)."""
        for join in self._joins:
            if _to_one(self.queryset.model, join.path) is not join.model:
                raise TypeError(f"{join.path} of {self.queryset.model.__name__} does not reach {join.model.__name__}")
        return (*self._names, *(f"{join.path}__{name}" for join in self._joins for name in join.names))

    def _build(self, rows: Iterable[Sequence[Any]], names: tuple[str, ...], conversions: Conversions = ()) -> list[M]:
        """Model instances from rows (`names` their columns, `conversions` tortoise's of some, both in the
        order of `_selected`), as `_init_from_db` leaves them; the joins' objects handed to `joined.receive`."""
        model, partial = self.queryset.model, self.fields is not None
        if not self._joins:
            return _objects_of(model, partial, rows, names, conversions)
        rows = rows if isinstance(rows, list) else list(rows)  # read once per join (a row slices into a tuple)
        converts = dict(conversions)

        def segment(start: int, attributes: tuple[str, ...]) -> tuple[int, Conversions]:
            """Where a model's columns end in a row, and their conversions by attribute."""
            end = start + len(attributes)
            aliases = zip(attributes, names[start:end], strict=True)
            return end, tuple((attribute, converts[alias]) for attribute, alias in aliases if alias in converts)

        start, own = segment(0, self._names)
        found = _objects_of(model, partial, [row[:start] for row in rows], self._names, own)
        related = []
        for join in self._joins:
            end, own = segment(start, join.names)
            pk = start + join.names.index(join.model._meta.pk_attr)
            distinct = {row[pk]: row[start:end] for row in rows if row[pk] is not None}  # None: the LEFT JOIN found no row
            objects = _objects_of(join.model, join.fields is not None, distinct.values(), join.names, own)
            made = dict(zip(distinct, objects, strict=True))
            related.append([made.get(row[pk]) for row in rows])  # one object per row of theirs, as a loader reads it
            start = end
        assert self.joined is not None
        self.joined.receive(found, related)
        return found

    async def _objects(self) -> list[M]:
        names = self._selected
        return self._build([[row[name] for name in names] for row in await self._filtered.values(*names)], names)

    def _statement(self, what: tuple[Any, ...], compile: Callable[[Any], _Statement | None]) -> tuple[Any, _Statement | None]:
        """A shared Rows' database and its statement of this shape, condition and `what`, compiled by
        `compile(db)` the first time (None: it cannot be compiled once for all, tortoise builds it every
        time). Refuses a queryset of its own."""
        if own := [part for part in _OWN_PARTS if getattr(self.queryset, part)]:
            raise TypeError(f"a shared Rows must be the same for every request: its queryset has {', '.join(own)}")
        queryset = self.queryset
        db = queryset._choose_db()
        condition = condition_key(self.where)
        if condition is None:
            return db, None
        cache_key = (db.capabilities.dialect, queryset.model, self.fields, tuple(queryset._orderings), condition, self._joins, what)
        with _LOCK:
            statement = _STATEMENTS.get(cache_key)
            if statement is not None:
                _STATEMENTS.move_to_end(cache_key)
        if statement is None:
            statement = compile(db) or _BUILT_EVERY_TIME  # kept too: not compiled again to learn it again
            with _LOCK:
                _STATEMENTS[cache_key] = statement
                if len(_STATEMENTS) > _MAX_STATEMENTS:
                    _STATEMENTS.popitem(last=False)
        return db, None if statement is _BUILT_EVERY_TIME else statement

    async def where_in(self, key_field: str, keys: Collection[Any]) -> list[M]:
        """The objects whose `key_field` is one of `keys` (the queryset's `filter(key_field__in=keys)`)."""
        if self.shared and keys:
            model = self.queryset.model
            field = model._meta.fields_map[key_field]
            values = sorted({field.to_db_value(key, model) for key in keys})  # as tortoise's filter encodes them
            statement = None
            if self.queryset._choose_db().capabilities.dialect == "postgres":  # one statement for any number of keys
                db, statement = self._statement((key_field, "any"), lambda db: self._compile_where_any(db, key_field, values[0]))
            if statement is None:
                db, statement = self._statement(
                    (key_field, len(values)), lambda db: self._compile_where_in(db, key_field, values)
                )
            if statement is not None:
                keys_in = [values] if statement.keys_as_array else values
                _, rows = await db.execute_query(statement.sql, [*statement.params, *keys_in])
                return self._build(rows, statement.names, statement.conversions)
        return await self.filter(**{f"{key_field}__in": set(keys)})

    def _compile_page(self, db: Any, offset: int, limit: int) -> _Statement:
        """A page's statement; the first page's (offset 0: every keyset page and every first page) with its
        LIMIT written in (`_literal_page`). A later offset keeps LIMIT and OFFSET as parameters: written in,
        every offset a client asks for (`after: "o:N"`) would be a statement of its own for PostgreSQL and
        asyncpg to prepare, pushing the pages in use out of their caches."""
        statement = self._compile(db, self._filtered.offset(offset).limit(limit))
        return _literal_page(statement, offset, limit) if offset == 0 else statement

    async def page(self, offset: int, limit: int) -> list[M]:
        """The objects from `offset` on, at most `limit` of them, in the queryset's order."""
        if self.shared:
            db, statement = self._statement(
                ("page", offset, limit),
                lambda db: self._compile_page(db, offset, limit),
            )
            if statement is not None:
                _, rows = await db.execute_query(statement.sql, list(statement.params))
                return self._build(rows, statement.names, statement.conversions)
        return await Rows(self._filtered.offset(offset).limit(limit), self.fields, joined=self.joined)

    async def count(self) -> int:
        """How many objects there are (tortoise's `count()`)."""
        if self.shared:
            db, statement = self._statement(("count",), self._compile_count)
            if statement is not None:
                _, rows = await db.execute_query(statement.sql, list(statement.params))
                return int(next(iter(dict(rows[0]).values()))) if rows else 0  # as tortoise's CountQuery reads it
        return await self._filtered.count()

    def _compile_count(self, db: Any) -> _Statement:
        sql, params = _sql(self._filtered.count(), db)
        return _Statement(sql, (), (), tuple(params))

    def _compile(self, db: Any, queryset: QuerySet[M]) -> _Statement:
        """`queryset`'s values as a statement whose parameters are all its own."""
        query = queryset.values(*self._selected)
        sql, params = _sql(query, db)
        names = tuple(query._fields_for_select)
        conversions = []
        for alias, field_name in query._fields_for_select.items():
            convert = query.resolve_to_python_value(self.queryset.model, field_name)
            if not isinstance(convert, types.LambdaType):  # tortoise's own test: a lambda is the identity
                conversions.append((alias, convert))
        return _Statement(sql, names, tuple(conversions), tuple(params))

    def _compile_where_in(self, db: Any, key_field: str, values: list[Any]) -> _Statement | None:
        """The load of len(values) keys as a statement whose parameters are the condition's, then the keys.

        Without a condition, compiled with the keys themselves (its parameters must be those and nothing
        else). With one, the condition's parameters are read alone first; the load is then compiled with
        as many stand-in keys that none of them equals, and must have exactly the condition's parameters
        followed by the stand-ins, so that each is known for what it is. Keys other than integers: None."""
        if self.where is None:
            statement = self._compile(db, self.queryset.filter(**{f"{key_field}__in": values}))
            if list(statement.params) != values:  # the keys, and nothing else, are its parameters
                raise TypeError(f"a shared Rows of {self.queryset.model.__name__} has parameters of its own")
            return _Statement(statement.sql, statement.names, statement.conversions)
        if not all(type(v) is int for v in values):
            return None
        _, own = _sql(self._filtered.values(*self._selected), db)
        taken = {p for p in own if type(p) is int}
        stand_ins: list[int] = []
        candidate = -1
        while len(stand_ins) < len(values):
            if candidate not in taken:
                stand_ins.append(candidate)
            candidate -= 1
        statement = self._compile(db, self._filtered.filter(**{f"{key_field}__in": stand_ins}))
        if list(statement.params) != [*own, *stand_ins]:
            return None  # laid out otherwise: tortoise builds it every time
        return _Statement(statement.sql, statement.names, statement.conversions, tuple(own))

    def _compile_where_any(self, db: Any, key_field: str, example: Any) -> _Statement | None:
        """The load of any number of keys on PostgreSQL: the load of one key (`_compile_where_in`) with its
        `IN ($k)` made `= ANY($k)`, the keys then one array parameter. One statement, prepared once per
        connection, for every number of keys; and its generic plan (PostgreSQL's after five runs) compares
        each row with the array as given, where `IN ($1,...,$n)` builds ARRAY[$1,...,$n] again for every
        row it reads (bench/RESULTS.md, session 13, h1). None where the one key's statement is not laid out
        so (then the keys' count makes the shape, as on SQLite)."""
        statement = self._compile_where_in(db, key_field, [example])
        if statement is None:
            return None
        last = len(statement.params) + 1  # the key: the last parameter
        marker = f" IN (${last})"
        if statement.sql.count(marker) != 1 or f"${last + 1}" in statement.sql:
            return None
        return replace(statement, sql=statement.sql.replace(marker, f"=ANY(${last})"), keys_as_array=True)
