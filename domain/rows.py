"""Model instances built from rows, and statements compiled once (issue 9: the loaders' hot path).

`Rows` wraps a tortoise queryset: the same filters, order and conversions (tortoise's own), without
tortoise's per-object constructor; a `shared` one (the same for every request and viewer) also skips
tortoise's query building after the first time for each shape and number of keys.
"""

from __future__ import annotations

import types
from collections import OrderedDict
from collections.abc import Callable, Collection, Generator, Iterable
from dataclasses import dataclass
from functools import cache
from threading import Lock
from typing import Any, Generic, TypeVar

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
    """A loader's SELECT, compiled once: its SQL (parameters: the keys only), the attribute each column
    sets, and tortoise's conversion of the columns that need one."""

    sql: str
    names: tuple[str, ...]
    conversions: Conversions


#: compiled statements of shared Rows, by the shape of their SELECT and the number of keys, the most
#: recently used last: (client class, model, fields, order, key field, number of keys) -> statement
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


@dataclass(frozen=True)
class Rows(Generic[M]):
    """A queryset whose objects are built from rows: the same filters, order and conversions
    (tortoise's own), without tortoise's per-object constructor, which cost half of a loader's time
    (bench/RESULTS.md, session 4). The objects are whole model instances, or partial ones of `fields`
    (as `.only()` makes them). Awaited and filtered like the queryset it wraps.

    `shared`: the queryset is a model's rows in an order, the same for every request and viewer (it may
    have no filter, slice or join of its own: refused on every use); its loads (`where_in`) run a SELECT
    compiled by tortoise once per process for each shape and number of keys and then only executed, which
    saves tortoise's query building, most of a loader's remaining time (session 5).
    """

    queryset: QuerySet[M]
    fields: tuple[str, ...] | None = None
    shared: bool = False

    def filter(self, *args: Any, **kwargs: Any) -> Rows[M]:
        return Rows(self.queryset.filter(*args, **kwargs), self.fields)

    def slice(self, offset: int, limit: int) -> Rows[M]:
        return Rows(self.queryset.offset(offset).limit(limit), self.fields)

    def __await__(self) -> Generator[Any, None, list[M]]:
        return self._objects().__await__()

    @property
    def _names(self) -> tuple[str, ...]:
        return self.fields or attributes_of(self.queryset.model)

    def _build(self, rows: Iterable[Iterable[Any]], names: tuple[str, ...], conversions: Conversions = ()) -> list[M]:
        """Model instances from rows (`names` their columns, `conversions` tortoise's of some), as
        `_init_from_db` leaves them, written past the model's __setattr__ (as it does)."""
        model = self.queryset.model
        meta = model._meta
        flags = {"_partial": self.fields is not None, "_saved_in_db": True}
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

    async def _objects(self) -> list[M]:
        names = self._names
        return self._build(([row[name] for name in names] for row in await self.queryset.values(*names)), names)

    async def where_in(self, key_field: str, keys: Collection[Any]) -> list[M]:
        """The objects whose `key_field` is one of `keys` (the queryset's `filter(key_field__in=keys)`)."""
        if not self.shared or not keys:
            return await self.filter(**{f"{key_field}__in": set(keys)})
        queryset = self.queryset
        if own := [part for part in _OWN_PARTS if getattr(queryset, part)]:
            raise TypeError(f"a shared Rows must be the same for every request: its queryset has {', '.join(own)}")
        model = queryset.model
        db = queryset._choose_db()
        field = model._meta.fields_map[key_field]
        values = sorted({field.to_db_value(key, model) for key in keys})  # as tortoise's filter encodes them
        cache_key = (type(db), model, self.fields, tuple(queryset._orderings), key_field, len(values))
        with _LOCK:
            statement = _STATEMENTS.get(cache_key)
            if statement is not None:
                _STATEMENTS.move_to_end(cache_key)
        if statement is None:
            statement = self._compile(db, key_field, values)
            with _LOCK:
                _STATEMENTS[cache_key] = statement
                if len(_STATEMENTS) > _MAX_STATEMENTS:
                    _STATEMENTS.popitem(last=False)
        _, rows = await db.execute_query(statement.sql, values)
        return self._build(rows, statement.names, statement.conversions)

    def _compile(self, db: Any, key_field: str, values: list[Any]) -> _Statement:
        query = self.queryset.filter(**{f"{key_field}__in": values}).values(*self._names)
        query._db = db
        query._make_query()
        sql, params = query.query.get_parameterized_sql()
        if list(params) != values:  # the keys, and nothing else, are its parameters
            raise TypeError(f"a shared Rows of {self.queryset.model.__name__} has parameters of its own")
        names = tuple(query._fields_for_select)
        conversions = []
        for alias, field_name in query._fields_for_select.items():
            convert = query.resolve_to_python_value(self.queryset.model, field_name)
            if not isinstance(convert, types.LambdaType):  # tortoise's own test: a lambda is the identity
                conversions.append((alias, convert))
        return _Statement(sql, names, tuple(conversions))
