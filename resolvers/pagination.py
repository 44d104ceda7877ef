"""Offset-cursor pagination of a queryset, with the page-size limit enforced in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain.errors import FieldError, ValidationFailed
from domain.rows import Rows

M = TypeVar("M", bound=Model)
T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    offset: int
    total: int
    #: keyset pages (resolvers/keyset.py): each item's cursor, and whether rows lie before and after the page
    cursors: list[str] | None = None
    previous: bool | None = None
    next: bool | None = None

    @property
    def has_next(self) -> bool:
        return self.next if self.next is not None else self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.previous if self.previous is not None else self.offset > 0


def page_size(first: int | None, *, default: int, maximum: int) -> int:
    """The page size asked for (`default` when none), refused outside 0..`maximum`."""
    size = default if first is None else first
    if size < 0 or size > maximum:
        raise ValidationFailed([FieldError("first", f"first 必须在 0 到 {maximum} 之间 (first must be 0..{maximum})", "out_of_range")])
    return size


def page_of(items: list[T], *, first: int | None, offset: int, default: int, maximum: int) -> Page[T]:
    """A page cut from a list already loaded (a loader's, for a whole page of parents at once)."""
    size = page_size(first, default=default, maximum=maximum)
    return Page(items=items[offset : offset + size], offset=offset, total=len(items))


async def paginate(
    queryset: QuerySet[M] | Rows[M], *, first: int | None, offset: int, default: int, maximum: int
) -> Page[M]:
    """One COUNT and one SELECT, whatever the page size (objects built from rows for `Rows`)."""
    size = page_size(first, default=default, maximum=maximum)
    if isinstance(queryset, Rows):
        total = await queryset.count()
        items = await queryset.page(offset, size) if size else []
    else:
        total = await queryset.count()
        items = await queryset.offset(offset).limit(size) if size else []
    return Page(items=list(items), offset=offset, total=total)
