"""Keyset pagination both ways (Relay's `first/after` and `last/before`) on the main connections.

A cursor is the sort key of its row — the ordering's column and the row's id, the tie-breaker — in
opaque, canonical base64url (of the JSON `[order, value, id]`). A page is the rows strictly after (or
before) that key in the ordering, so a row added or removed elsewhere never shifts a page, and a cursor
outlives its row. A cursor names its ordering (`code`, `-updated_at` …): used with another ordering it is
refused (`invalid_cursor`), as is anything not spelled exactly as handed out.

Cost: the total (one COUNT), the page (one SELECT) and, when a cursor is given, one COUNT of the rows
before the page for `hasPreviousPage`/`hasNextPage` — three statements at most, whatever the page size.

NULLs sort as the database sorts them (SQLite: lowest; PostgreSQL: highest), and the keyset conditions
follow the same rule, so both engines page through the same rows in their own order.

Old offset cursors (`o:N`, handed out before keyset cursors) are still accepted as `after` and page by
offset, answering keyset cursors: a client that kept one moves on to keyset cursors at its next page
(deprecated: to be refused in a later release; see README, *Client integration*).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from tortoise import connections
from tortoise.expressions import Q
from tortoise.models import Model

from domain.errors import FieldError, ValidationFailed
from domain.rows import Joined, Rows
from resolvers.ids import MAX_PK, decode_cursor
from resolvers.pagination import Page, page_size

M = TypeVar("M", bound=Model)

#: longest cursor accepted (a sort key holds at most a 300-character name)
MAX_CURSOR = 2400


@dataclass(frozen=True)
class SortKey:
    """An ordering of a connection: a column (`kind`: str, date, datetime or an Enum) then the id."""

    field: str
    kind: type
    descending: bool = False
    nullable: bool = False

    @property
    def tag(self) -> str:
        return f"-{self.field}" if self.descending else self.field

    def terms(self, *, reverse: bool = False) -> tuple[str, str]:
        down = self.descending != reverse
        return (f"-{self.field}", "-id") if down else (self.field, "id")

    def value_of(self, obj: Any) -> Any:
        value = getattr(obj, self.field)
        if value is None:
            return None
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, datetime | date):
            return value.isoformat()
        return value

    def parse(self, value: Any) -> Any:
        """The column's value from a cursor's; ValueError when it is not one."""
        if value is None:
            if not self.nullable:
                raise ValueError("null")
            return None
        if not isinstance(value, str) or len(value) > 1000:
            raise ValueError("value")
        if self.kind is datetime:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None or parsed.isoformat() != value:
                raise ValueError("datetime")
            return parsed
        if self.kind is date:
            parsed_date = date.fromisoformat(value)
            if parsed_date.isoformat() != value:
                raise ValueError("date")
            return parsed_date
        if issubclass(self.kind, Enum):
            return self.kind(value)
        return value


def sort_key(order_by: Any, columns: dict[str, tuple[type, bool]], default: str) -> SortKey:
    """The SortKey of a connection's `orderBy` input (None: `default` ascending); `columns` says, for each
    column an order may name, what its values are and whether it may be null."""
    field = order_by.field.value if order_by is not None else default
    kind, nullable = columns[field]
    descending = order_by is not None and order_by.direction.value == "DESC"
    return SortKey(field, kind, descending=descending, nullable=nullable)


def encode_key(key: SortKey, obj: Any) -> str:
    text = json.dumps([key.tag, key.value_of(obj), obj.id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _invalid(field: str, why: str = "") -> ValidationFailed:
    extra = f": {why}" if why else ""
    return ValidationFailed([FieldError(field, f"无效的分页游标{extra} (invalid cursor{extra})", "invalid_cursor")])


def decode_key(key: SortKey, cursor: str, field: str) -> tuple[Any, int]:
    """(value, id) of a keyset cursor handed out for this ordering; a typed error otherwise."""
    if len(cursor) > MAX_CURSOR or not cursor.isascii():
        raise _invalid(field)
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
        tag, value, pk = json.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise _invalid(field) from None
    if tag != key.tag:
        raise _invalid(field, "它属于另一种排序 / it belongs to another order")
    if type(pk) is not int or not 0 < pk <= MAX_PK:
        raise _invalid(field)
    try:
        parsed = key.parse(value)
    except ValueError:
        raise _invalid(field) from None
    if encode_key(key, _Row(key.field, parsed, pk)) != cursor:  # one spelling per key
        raise _invalid(field)
    return parsed, pk


class _Row:
    def __init__(self, field: str, value: Any, pk: int) -> None:
        setattr(self, field, value)
        self.id = pk


def _nulls_low() -> bool:
    """Whether the database sorts NULL below every value (SQLite) or above (PostgreSQL)."""
    return connections.get("default").capabilities.dialect != "postgres"


def _above(key: SortKey, value: Any, pk: int, nulls_low: bool) -> Q:
    """Rows whose (column, id) sorts above (value, pk) in ascending order."""
    f = key.field
    if value is None:
        same = Q(**{f"{f}__isnull": True, "id__gt": pk})
        return same | Q(**{f"{f}__isnull": False}) if nulls_low else same
    q = Q(**{f"{f}__gt": value}) | Q(**{f: value, "id__gt": pk})
    return q | Q(**{f"{f}__isnull": True}) if key.nullable and not nulls_low else q


def _below(key: SortKey, value: Any, pk: int, nulls_low: bool) -> Q:
    """Rows whose (column, id) sorts below (value, pk) in ascending order."""
    f = key.field
    if value is None:
        same = Q(**{f"{f}__isnull": True, "id__lt": pk})
        return same if nulls_low else same | Q(**{f"{f}__isnull": False})
    q = Q(**{f"{f}__lt": value}) | Q(**{f: value, "id__lt": pk})
    return q | Q(**{f"{f}__isnull": True}) if key.nullable and nulls_low else q


def beyond(key: SortKey, at: tuple[Any, int], *, forward: bool) -> Q:
    """Rows strictly after `at` in the connection's order (`forward`), or strictly before it."""
    value, pk = at
    up = forward != key.descending
    nulls_low = _nulls_low()
    return _above(key, value, pk, nulls_low) if up else _below(key, value, pk, nulls_low)


@dataclass(frozen=True)
class PageArgs:
    """Relay's four arguments, as a connection field received them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


async def keyset_page(
    model: type[M],
    where: Q,
    key: SortKey,
    args: PageArgs,
    *,
    default: int,
    maximum: int,
    fields: tuple[str, ...] | None = None,
    joined: Joined | None = None,
) -> Page[M]:
    """The page `args` ask for of `model`'s rows matching `where` in `key`'s order (`joined`: to-one relations
    read with the page's rows, domain.rows.Joined)."""
    if args.first is not None and args.last is not None:
        message = "first 与 last 不能同时使用 (first and last cannot be used together)"
        raise ValidationFailed([FieldError("last", message, "invalid")])
    backward = args.last is not None
    if args.last is not None:
        _check_size("last", args.last, maximum)
        size = args.last
    else:
        size = page_size(args.first, default=default, maximum=maximum)
    if fields is not None:
        fields = tuple(sorted({*fields, key.field, "id"}))
    offset = _legacy_offset(args.after) if args.after else None
    after = decode_key(key, args.after, "after") if args.after and offset is None else None
    before = decode_key(key, args.before, "before") if args.before else None
    if offset is not None and (backward or before is not None):
        raise _invalid("after", "偏移游标只能向后翻页 / an offset cursor pages forward only")

    def rows(condition: Q | None, *, reverse: bool, joined: Joined | None = None) -> Rows[M]:
        ordered = model.all().order_by(*key.terms(reverse=reverse))
        if condition is None:  # the same statement for every request: compiled once (domain/rows.py)
            return Rows(ordered, fields, shared=True, where=where, joined=joined)
        return Rows(model.filter(where & condition).order_by(*key.terms(reverse=reverse)), fields, joined=joined)

    window: Q | None = None
    if after is not None:
        window = beyond(key, after, forward=True)
    if before is not None:
        window = beyond(key, before, forward=False) if window is None else window & beyond(key, before, forward=False)
    total = await rows(None, reverse=False).count()
    if offset is not None:  # a deprecated offset cursor: by offset, as before
        items = await rows(None, reverse=False, joined=joined).page(offset, size) if size else []
        preceding = offset
    else:
        items = await rows(window, reverse=backward, joined=joined).page(0, size) if size else []
        if backward:
            items.reverse()
        if after is None and before is None:
            preceding = total - len(items) if backward else 0
        elif items:
            preceding = await rows(beyond(key, (key.parse(key.value_of(items[0])), items[0].id), forward=False), reverse=False).count()
        elif after is not None:
            preceding = total - await rows(beyond(key, after, forward=True), reverse=False).count()
        else:
            assert before is not None
            preceding = await rows(beyond(key, before, forward=False), reverse=False).count()
    return Page(
        items=list(items),
        offset=preceding,
        total=total,
        cursors=[encode_key(key, item) for item in items],
        previous=preceding > 0,
        next=preceding + len(items) < total,
    )


def _check_size(name: str, value: int | None, maximum: int) -> None:
    if value is not None and not 0 <= value <= maximum:
        message = f"{name} 必须在 0 到 {maximum} 之间 ({name} must be 0..{maximum})"
        raise ValidationFailed([FieldError(name, message, "out_of_range")])


def _legacy_offset(cursor: str) -> int | None:
    """The offset of an old `o:N` cursor, or None when it is not one."""
    try:
        return decode_cursor(cursor) + 1  # the page after the cursor's row
    except ValidationFailed:
        return None
