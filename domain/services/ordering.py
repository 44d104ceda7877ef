"""Ordered children (bases of a power, steps of a chart, articles of a document): place and renumber."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from domain.errors import Validator


class Ordered(Protocol):
    id: int
    ordinal: int

    async def save(self, *args: object, **kwargs: object) -> None: ...


T = TypeVar("T", bound=Ordered)


def check_position(v: Validator, position: int | None, count: int, field: str = "ordinal") -> None:
    """An explicit 1-based position must fall inside the list (count + 1 appends)."""
    if position is not None:
        v.check(
            isinstance(position, int) and 1 <= position <= count + 1,
            field,
            f"序号应在 1 到 {count + 1} 之间 ({field} must be between 1 and {count + 1})",
            "out_of_range",
        )


def place(items: Sequence[T], item: T, position: int) -> list[T]:
    """`items` without `item`, then `item` inserted at the 1-based `position`."""
    others = [other for other in items if other.id != item.id]
    index = min(max(position, 1), len(others) + 1) - 1
    return [*others[:index], item, *others[index:]]


async def save_order(items: Sequence[T], *, unique: bool = False) -> None:
    """Write ordinals 1..n to the items whose ordinal differs.

    With `unique` (a unique constraint on the ordinal) the changed rows first move to negative
    ordinals, so that no intermediate state collides.
    """
    changed = [(number, item) for number, item in enumerate(items, 1) if item.ordinal != number]
    if unique:
        for number, item in changed:
            item.ordinal = -number
            await item.save(update_fields=["ordinal"])
    for number, item in changed:
        item.ordinal = number
        await item.save(update_fields=["ordinal"])
