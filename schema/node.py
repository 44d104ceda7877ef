"""The Relay `Node` interface and the conversion of a page into a connection."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, Any, TypeVar

import strawberry

from resolvers.pagination import Page
from schema.relay import Connection, Edge, PageInfo, decode_cursor, encode_cursor

T = TypeVar("T")

#: the backward half of Relay's arguments, on the connections paged by keyset (resolvers/keyset.py)
LAST = Annotated[int | None, strawberry.argument(description="the last N rows (before `before`, if given)")]
BEFORE = Annotated[str | None, strawberry.argument(description="a cursor: rows before it")]


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


R = TypeVar("R")


def of_row(cls: type[R], row: Any, context: Hashable = None, **held: Any) -> R:
    """An object of `cls` (a strawberry type whose fields are its model's columns of the same names) made
    from `row`, a model instance, by taking over the columns it holds in one step, and `held`: what is
    not a column (the global id). The row may hold only the columns the query selects
    (resolvers/columns.py); a field whose column it lacks then fails loudly (no such attribute), it never
    answers null. Copying field by field cost a page's worth of work for columns no query asked for.

    The object keeps its row (`_row`) and `context`: what else, besides the row, its answer depends on (a
    record's power's unit, which decides the personal data it shows). Wherever the same row appears again
    in an answer with the same context under the same selection, its completed fields are reused
    (schema/execution.py), so the type's synchronous resolvers must read only the row, the context and
    the request's loaders, with no side effect."""
    obj = cls.__new__(cls)
    attributes = obj.__dict__
    attributes.update(row.__dict__)
    attributes.update(held)
    attributes["_row"] = row
    attributes["_context"] = context
    return obj


def page_args(first: int | None, after: str | None) -> tuple[int | None, int]:
    """(first, offset) from the Relay arguments."""
    return first, (decode_cursor(after) + 1 if after else 0)


def to_connection(page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
    cursors = page.cursors if page.cursors is not None else [encode_cursor(page.offset + i) for i in range(len(page.items))]
    edges = [Edge(cursor=cursor, node=convert(obj)) for cursor, obj in zip(cursors, page.items, strict=True)]
    return Connection(
        total_count=page.total,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        edges=edges,
    )
