"""Instants compare as instants on both engines.

SQLite keeps a timestamp as text and compares it as text. tortoise writes an instant with the offset it
carries: `auto_now` columns came out in the county's zone (+08:00), values set from a UTC clock in UTC, and
a filter's value in whatever zone the caller gave. Text order was then not time order: a filter on the
audit trail was eight hours off, and rows of one column could sort out of time order. Every instant is now
written in UTC (domain/db.py) and migration 0018 rewrote those already stored.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import httpx
import pytest
from tortoise import connections

from domain import db
from domain.enums import Role
from domain.tokens import create_token
from tests.helpers import gql_data, token_for

TRAIL = """query($since: DateTime, $until: DateTime) {
  auditEvents(filter: { actionPrefix: "token.", since: $since, until: $until }, first: 100) { edges { node { entityId } } }
}"""


async def _trail(client: httpx.AsyncClient, token: str, **bounds: datetime) -> set[str]:
    variables = {k: v.isoformat() for k, v in bounds.items()}
    data = await gql_data(client, TRAIL, variables, token)
    return {e["node"]["entityId"] for e in data["auditEvents"]["edges"]}


@pytest.mark.parametrize("zone", [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))])
async def test_the_audit_trail_filters_by_instant_whatever_the_zone(client: httpx.AsyncClient, zone: timezone) -> None:
    admin = await token_for(Role.ADMIN)
    before = datetime.now(zone) - timedelta(seconds=1)
    made, _ = await create_token(Role.ADMIN, name=f"instants {zone}")
    after = datetime.now(zone) + timedelta(seconds=1)
    key = str(made.id)
    assert key in await _trail(client, admin, since=before)
    assert key in await _trail(client, admin, since=before, until=after)
    assert key not in await _trail(client, admin, since=after)  # 8 hours off, it was found here
    assert key not in await _trail(client, admin, until=before)
    assert key not in await _trail(client, admin, since=before + timedelta(hours=1))
    assert key in await _trail(client, admin, since=before - timedelta(hours=7))


async def test_sqlite_stores_every_instant_in_utc(database: str) -> None:
    if db.dialect() != "sqlite":
        pytest.skip("PostgreSQL keeps instants as timestamptz: no text to compare")
    made, _ = await create_token(Role.ADMIN, name="instants utc")
    await type(made).filter(id=made.id).update(expires_at=datetime.now(timezone(timedelta(hours=8))) + timedelta(days=1))
    rows = await connections.get("default").execute_query_dict(
        "SELECT created_at, expires_at FROM api_token WHERE id = ?", [made.id]
    )
    assert rows[0]["created_at"].endswith("+00:00") and rows[0]["expires_at"].endswith("+00:00"), rows


async def test_the_migration_rewrites_stored_instants_to_utc(database: str) -> None:
    if db.dialect() != "sqlite":
        pytest.skip("the rewrite is SQLite's: PostgreSQL compares instants, not text")
    conn = connections.get("default")
    made, _ = await create_token(Role.ADMIN, name="instants stored")
    # as written before: the county's zone on created_at, a UTC clock on last_used_at, an event in the trail
    await conn.execute_query(
        "UPDATE api_token SET created_at = ?, last_used_at = ? WHERE id = ?",
        ["2026-01-02 07:30:00.250000+08:00", "2026-01-01 23:45:00+00:00", made.id],
    )
    await conn.execute_query(
        "INSERT INTO audit_event (at, actor, role, action, entity_type, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ["2026-01-02 08:00:00+08:00", "test", "ADMIN", "test.instants", "ApiToken", str(made.id), "{}"],
    )
    migration = importlib.import_module("domain.migrations.0018_utc_instants")
    await migration.rewrite_in_utc(None, SimpleNamespace(client=conn))
    await migration.rewrite_in_utc(None, SimpleNamespace(client=conn))  # safe to run again
    row = (await conn.execute_query_dict("SELECT created_at, last_used_at FROM api_token WHERE id = ?", [made.id]))[0]
    assert row == {"created_at": "2026-01-01 23:30:00.250000+00:00", "last_used_at": "2026-01-01 23:45:00+00:00"}
    trail = await conn.execute_query_dict("SELECT at FROM audit_event WHERE action = 'test.instants'")
    assert trail == [{"at": "2026-01-02 00:00:00+00:00"}]
    with pytest.raises(Exception, match="append-only"):  # the trail is append-only again afterwards
        await conn.execute_query("UPDATE audit_event SET actor = 'x' WHERE action = 'test.instants'")
