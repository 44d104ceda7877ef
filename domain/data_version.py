"""The data version: a value that changes whenever committed data may have, kept by the database.

A response cached under version V is never served once anything has changed: the next request reads
another version and misses. No application code can forget to change it, in any process:

- PostgreSQL: the current snapshot (`pg_current_snapshot()`: the transactions committed, running and
  yet to come). Two requests with the same snapshot see exactly the same committed data, so it is an
  exact version, and it takes no lock: a hot counter row would queue every write of the database
  behind each other (and deadlock with other row locks).
- SQLite (one writer at a time anyway): triggers on every table (but those no reader sees) raise
  `data_version.version` in the writing transaction, so the new number becomes visible exactly when
  the data does.
"""

from __future__ import annotations

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

# Tables whose writes change nothing any query answers (or that change on every request).
UNVERSIONED = frozenset(
    {"data_version", "tortoise_migrations", "rate_limit_hit", "audit_event", "api_token", "power_code_serial",
     "database_identity",
     "webhook_delivery",  # claimed and saved every few seconds by the sender; no query that is cached reads it
     # the change feed's bookkeeping: its rows are written with the data they name (whose tables raise the
     # version), the consumers' positions and the leases every few seconds; no query reads them
     "change_feed", "change_consumer", "change_feed_horizon", "lease",
     # 电子监察's alarms, written by the server's rounds: no public answer (the only ones cached) reads them
     # (access.alarm_q shows the public none), so a round must not empty the cache
     "alarm"}
)

async def _tables(client: BaseDBAsyncClient) -> list[str]:
    rows = await client.execute_query_dict(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [r["name"] for r in rows if r["name"] not in UNVERSIONED]


async def install(client: BaseDBAsyncClient) -> list[str]:
    """SQLite: create the version row and a bump trigger on every versioned table (again: idempotent).

    Migrations that add tables call this once more, and a test checks that no table is left out.
    PostgreSQL needs nothing: its snapshot is the version.
    """
    dialect = client.capabilities.dialect
    if dialect != "sqlite":
        return []
    await client.execute_query(
        "CREATE TABLE IF NOT EXISTS data_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL)"
    )
    await client.execute_query("INSERT INTO data_version (id, version) VALUES (1, 1) ON CONFLICT (id) DO NOTHING")
    tables = await _tables(client)
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            await client.execute_query(
                f'CREATE TRIGGER IF NOT EXISTS "{table}_version_{event.lower()}" AFTER {event} ON "{table}" '
                "BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END"
            )
    return tables


async def unversioned_tables(client: BaseDBAsyncClient | None = None) -> list[str]:
    """SQLite: tables (outside UNVERSIONED) that have no bump trigger (should be none)."""
    client = client or connections.get("default")
    if client.capabilities.dialect != "sqlite":
        return []
    tables = await _tables(client)
    rows = await client.execute_query_dict(
        "SELECT tbl_name AS name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_version_%'"
    )
    covered = {r["name"] for r in rows}
    return [t for t in tables if t not in covered]


async def current() -> str:
    """The data version now (one cheap statement)."""
    client = connections.get("default")
    if client.capabilities.dialect == "sqlite":
        _, rows = await client.execute_query("SELECT version FROM data_version WHERE id = 1")
    else:
        _, rows = await client.execute_query("SELECT pg_current_snapshot()::text")
    return str(rows[0][0]) if rows else ""
