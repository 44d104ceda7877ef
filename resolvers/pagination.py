"""Offset-cursor pagination of a queryset, with the page-size limit enforced in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from domain.errors import FieldError, ValidationFailed

M = TypeVar("M", bound=Model)


@dataclass
class Page(Generic[M]):
    items: list[M]
    offset: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


async def paginate(queryset: QuerySet[M], *, first: int | None, offset: int, default: int, maximum: int) -> Page[M]:
    """One COUNT and one SELECT, whatever the page size."""
    size = default if first is None else first
    if size < 0 or size > maximum:
        raise ValidationFailed([FieldError("first", f"first 必须在 0 到 {maximum} 之间 (first must be 0..{maximum})", "out_of_range")])
    total = await queryset.count()
    items = await queryset.offset(offset).limit(size) if size else []
    return Page(items=list(items), offset=offset, total=total)
