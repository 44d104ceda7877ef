"""Leases in the database: what must run once per database (webhook sending, overdue checks, pruning the
change feed, applying it to a shared Meilisearch index) is done by whoever holds its lease.

A lease is a row (name, holder, expiry); its holder renews it every few seconds, another process takes
it once it has expired (its holder died, or lost the database). The expiry is in the database's clock,
never a host's, and one statement both checks and takes it, so two processes never hold one lease.
Works the same on PostgreSQL and SQLite (where the server does without: it is the one process).
"""

from __future__ import annotations

import os
import secrets
import socket

from tortoise import connections

#: This process, as a lease holder (host and pid, for the operator reading the table).
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def shared_database() -> bool:
    """Whether several processes may serve the database (PostgreSQL; SQLite has one)."""
    return connections.get("default").capabilities.dialect == "postgres"


def _dialect() -> tuple[str, list[str]]:
    """The database's clock in seconds since the epoch, and the three placeholders."""
    if connections.get("default").capabilities.dialect == "postgres":
        return "extract(epoch from clock_timestamp())", ["$1", "$2", "$3::float8"]
    return "((julianday('now') - 2440587.5) * 86400.0)", ["?", "?", "?"]


async def acquire(name: str, seconds: float, holder: str = HOLDER) -> bool:
    """Take lease `name` for `seconds`, or renew it if this holder has it; False while another holds it."""
    now, (p_name, p_holder, p_seconds) = _dialect()
    rows = await connections.get("default").execute_query_dict(
        f"INSERT INTO lease (name, holder, expires_at) VALUES ({p_name}, {p_holder}, {now} + {p_seconds}) "
        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at "
        f"WHERE lease.holder = excluded.holder OR lease.expires_at < {now} RETURNING holder",
        [name, holder, seconds],
    )
    return bool(rows)


async def release(name: str, holder: str = HOLDER) -> None:
    """Give the lease up (a clean stop: another process takes over at once, not after the expiry)."""
    _, (p_name, p_holder, _) = _dialect()
    await connections.get("default").execute_query(
        f"DELETE FROM lease WHERE name = {p_name} AND holder = {p_holder}", [name, holder]
    )


async def holder(name: str) -> str | None:
    """Who holds lease `name` now (None when nobody does, or it has expired)."""
    now, (p_name, _, _) = _dialect()
    rows = await connections.get("default").execute_query_dict(
        f"SELECT holder FROM lease WHERE name = {p_name} AND expires_at >= {now}", [name]
    )
    return str(rows[0]["holder"]) if rows else None
