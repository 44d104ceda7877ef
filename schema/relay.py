"""Relay plumbing: global ids, opaque cursors, connections with totalCount and pageInfo."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

from resolvers.ids import decode_cursor, decode_id, encode_cursor, encode_id, parse_id

__all__ = ["Connection", "Edge", "PageInfo", "decode_cursor", "decode_id", "encode_cursor", "encode_id", "parse_id"]

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    """A page of items; `totalCount` counts only what the caller may see."""

    total_count: int
    page_info: PageInfo
    edges: list[Edge[T]]

    @strawberry.field(description="the nodes of `edges`, for clients that don't need cursors")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
