"""The search outbox: a write that changes searchable data queues the change in its own
transaction, so the index can never miss it; the indexer in search/ drains the queue."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.enums import SearchEntity, SearchOp
from domain.models import SearchOutbox


async def enqueue(
    entity: SearchEntity,
    ids: Iterable[int],
    op: SearchOp = SearchOp.UPSERT,
    using_db: BaseDBAsyncClient | None = None,
) -> int:
    """Queue `op` for each id; pass the transaction's connection as `using_db`. Returns the count."""
    rows = [SearchOutbox(entity=entity, entity_id=i, op=op) for i in dict.fromkeys(ids)]
    if rows:
        await SearchOutbox.bulk_create(rows, using_db=using_db)
    return len(rows)
