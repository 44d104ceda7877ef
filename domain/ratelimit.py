"""Rate limits kept in the database, so that every app process counts against one table.

A limit allows `limit` hits per client address in fixed windows of `window` seconds (the window of a
hit starts at a multiple of `window` since the epoch). One statement counts a hit and refuses it
when the window is full — INSERT … ON CONFLICT DO UPDATE … WHERE hits < limit RETURNING — so two
processes can never both take the last place; rows of windows that have ended are pruned in the
same transaction.
"""

from __future__ import annotations

import re

from tortoise import connections
from tortoise.transactions import in_transaction

_HIT = (
    "INSERT INTO rate_limit_hit (scope, client, window_start, window_end, hits) VALUES ($1, $2, $3, $4, 1) "
    "ON CONFLICT (scope, client, window_start) DO UPDATE SET hits = rate_limit_hit.hits + 1 "
    "WHERE rate_limit_hit.hits < $5 RETURNING hits"
)
_PRUNE = "DELETE FROM rate_limit_hit WHERE window_end <= $1"


def _marks(sql: str, dialect: str) -> str:
    return re.sub(r"\$\d+", "?", sql) if dialect == "sqlite" else sql


async def hit(scope: str, client: str, *, limit: int, window: int, now: float) -> float | None:
    """Count a hit of `client`: None if it is allowed, else the seconds until its window ends."""
    window = max(int(window), 1)
    start = int(now // window) * window
    end = start + window
    if limit <= 0:
        return end - now
    async with in_transaction():
        conn = connections.get("default")
        dialect = conn.capabilities.dialect
        await conn.execute_query(_marks(_PRUNE, dialect), [int(now)])
        rows = await conn.execute_query_dict(_marks(_HIT, dialect), [scope, client[:64], start, end, limit])
    return None if rows else end - now
