"""The change feed: changes to data that indexes and subscribers follow, as an ordered log in the database.

A write records its changes (`enqueue`) in its own transaction, so nothing that follows the feed can miss
one. Each consumer (an embedded index of one host, a Meilisearch index) reads the feed on its own from
its position (the `change_consumer` table) and advances it after applying; nothing is deleted until every
live consumer has applied it (`prune`, run by the database's leader), and a consumer not seen for the
retention is dropped: when it comes back, its index is rebuilt.

Order. On SQLite there is one writer, so ids commit in order and a position is an id. On PostgreSQL ids
are taken at insert but transactions commit in any order: a reader that went past id 11 could miss id 10
of a transaction still running. So each row also records its transaction's id (`xid`, xid8, filled in by
the database with `pg_current_xact_id()`), and a position is the pair (xid, id), read in that order. A
row is *final* when its xid is below the xmin of the reader's snapshot (`pg_snapshot_xmin(
pg_current_snapshot())`, the oldest transaction still running): every transaction below xmin has ended,
and every row still to come has an xid at or above it. So the final rows, in (xid, id) order, are a
prefix that never grows in the middle: a consumer that advances only over final rows skips nothing
(exact, not a time window). Committed rows that are not final yet (an older transaction is still open,
e.g. a long import) are applied *ahead* without moving the position, so they are searchable at once
and applied again, harmlessly, if the process restarts before they turn final.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

from tortoise import connections, timezone
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain.enums import SearchEntity, SearchOp
from domain.models import Change, ChangeConsumer

#: The channel a trigger on `change_feed` notifies (once per inserting statement) on PostgreSQL.
CHANNEL = "qingquan_changes"


class Position(NamedTuple):
    """How far a consumer has read: the writing transaction's id (0 on SQLite) and the change's id."""

    xid: int
    id: int


START = Position(0, 0)


@dataclass(frozen=True)
class FeedRow:
    position: Position
    entity: SearchEntity
    entity_id: int
    op: SearchOp

    @property
    def id(self) -> int:
        return self.position.id


async def enqueue(
    entity: SearchEntity,
    ids: Iterable[int],
    op: SearchOp = SearchOp.UPSERT,
    using_db: BaseDBAsyncClient | None = None,
) -> int:
    """Record `op` for each id in the feed; pass the transaction's connection as `using_db`. Returns the count."""
    rows = [Change(entity=entity, entity_id=i, op=op) for i in dict.fromkeys(ids)]
    if rows:
        await Change.bulk_create(rows, using_db=using_db)
    return len(rows)


def _postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    return (conn or connections.get("default")).capabilities.dialect == "postgres"


class _Sql:
    """The few spellings that differ: placeholders, the xid's type, what makes a row final."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    def mark(self, n: int, *, xid: bool = False) -> str:
        if not self.postgres:
            return "?"
        return f"(${n}::text)::xid8" if xid else f"${n}"

    @property
    def xid(self) -> str:
        return "xid::text" if self.postgres else "xid"

    @property
    def final(self) -> str:
        return "xid < pg_snapshot_xmin(pg_current_snapshot())" if self.postgres else "1 = 1"

    @property
    def lock(self) -> str:
        return " FOR UPDATE" if self.postgres else ""


def _sql(conn: BaseDBAsyncClient | None = None) -> _Sql:
    return _Sql(_postgres(conn))


async def read(after: Position, limit: int, *, final: bool = True) -> list[FeedRow]:
    """Up to `limit` rows after `after` in (xid, id) order: the final ones, or (`final=False`) those
    committed but not final yet (never any on SQLite)."""
    sql = _sql()
    if not final and not sql.postgres:
        return []
    condition = sql.final if final else f"NOT ({sql.final})"
    rows = await connections.get("default").execute_query_dict(
        f"SELECT {sql.xid} AS xid, id, entity, entity_id, op FROM change_feed "
        f"WHERE (xid, id) > ({sql.mark(1, xid=True)}, {sql.mark(2)}) AND {condition} "
        f"ORDER BY xid, id LIMIT {sql.mark(3)}",
        [str(after.xid) if sql.postgres else after.xid, after.id, limit],
    )
    return [
        FeedRow(Position(int(r["xid"]), int(r["id"])), SearchEntity(r["entity"]), int(r["entity_id"]), SearchOp(r["op"]))
        for r in rows
    ]


async def _head(conn: BaseDBAsyncClient) -> Position:
    """The last final row's position, or the horizon when there is none."""
    sql = _sql(conn)
    rows = await conn.execute_query_dict(
        f"SELECT {sql.xid} AS xid, id FROM change_feed WHERE {sql.final} ORDER BY xid DESC, id DESC LIMIT 1"
    )
    found = Position(int(rows[0]["xid"]), int(rows[0]["id"])) if rows else START
    return max(found, await _horizon(conn))


async def _horizon(conn: BaseDBAsyncClient, *, lock: bool = False) -> Position:
    """Every change at or below this position has been pruned."""
    sql = _sql(conn)
    rows = await conn.execute_query_dict(
        f"SELECT xid, position FROM change_feed_horizon WHERE id = 1{sql.lock if lock else ''}"
    )
    if not rows:
        await conn.execute_query("INSERT INTO change_feed_horizon (id, xid, position) VALUES (1, 0, 0)")
        return START
    return Position(int(rows[0]["xid"]), int(rows[0]["position"]))


async def head() -> Position:
    """The last final change's position (where a reader that wants only what comes next starts)."""
    return await _head(connections.get("default"))


async def horizon() -> Position:
    return await _horizon(connections.get("default"))


async def register(name: str, build: str) -> Position:
    """Start consumer `name` (an index about to be built as `build`) at the feed's head, and return it:
    every change up to there is in what the build reads, every later one it applies after. Serialized
    with `prune` (both lock the horizon), so no change after the head is pruned before it counts."""
    async with in_transaction() as conn:
        await _horizon(conn, lock=True)
        head = await _head(conn)
        now = timezone.now()
        updated = await ChangeConsumer.filter(name=name).using_db(conn).update(
            build=build, xid=head.xid, position=head.id, last_seen=now, last_error=""
        )
        if not updated:
            await ChangeConsumer.create(
                name=name, build=build, xid=head.xid, position=head.id, last_seen=now, using_db=conn
            )
    return head


async def consumer(name: str) -> ChangeConsumer | None:
    return await ChangeConsumer.get_or_none(name=name)


def position_of(row: ChangeConsumer) -> Position:
    return Position(row.xid, row.position)


async def advance(name: str, build: str, to: Position) -> bool:
    """Record that consumer `name` (of `build`) has applied the feed up to `to`; False when the consumer
    is gone (dropped after the retention) or belongs to another build: its index must be rebuilt."""
    return bool(
        await ChangeConsumer.filter(name=name, build=build).update(
            xid=to.xid, position=to.id, last_seen=timezone.now(), last_error=""
        )
    )


async def seen(name: str, build: str, error: str = "") -> bool:
    """The consumer is alive (an idle one says so every so often, a failing one with its error)."""
    fields: dict[str, Any] = {"last_seen": timezone.now()}
    if error:
        fields["last_error"] = error[:2000]
    return bool(await ChangeConsumer.filter(name=name, build=build).update(**fields))


async def prune(retention: timedelta) -> int:
    """Drop consumers not seen within `retention`, then delete the changes every remaining consumer has
    applied (with none left, every final change); returns how many changes were deleted."""
    async with in_transaction() as conn:
        sql = _sql(conn)
        horizon_at = await _horizon(conn, lock=True)
        await ChangeConsumer.filter(last_seen__lt=timezone.now() - retention).using_db(conn).delete()
        positions = [position_of(c) for c in await ChangeConsumer.all().using_db(conn)]
        upto = min(positions) if positions else await _head(conn)
        if upto <= horizon_at:
            return 0
        xid = str(upto.xid) if sql.postgres else upto.xid
        deleted = await conn.execute_query(
            f"DELETE FROM change_feed WHERE (xid, id) <= ({sql.mark(1, xid=True)}, {sql.mark(2)})", [xid, upto.id]
        )
        await conn.execute_query(
            f"UPDATE change_feed_horizon SET xid = {sql.mark(1)}, position = {sql.mark(2)} WHERE id = 1",
            [upto.xid, upto.id],
        )
    return int(deleted[0]) if isinstance(deleted, tuple) else 0


async def pending() -> int:
    """Changes in the feed (what `qingquan index` and the benchmarks report)."""
    return await Change.all().count()


#: Seconds between two heartbeats of an idle consumer (a consumer is live while seen within the retention).
HEARTBEAT = timedelta(seconds=30)
