"""The database's identity: a random id made once for each database, kept in a one-row table.

What lives outside the database and is built from it (the search index) records this id, so that it
can tell a database it was not built from: a new or another database has another id. A copy of the
database file (or a PostgreSQL database made from another as a template) keeps the id of its original.
"""

from __future__ import annotations

import uuid

from tortoise import connections

from domain.db import dialect

TABLE = "database_identity"
#: Also created by migration 0010_database_identity; kept here so that an older database works too.
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), "
    "instance_id VARCHAR(32) NOT NULL, "
    "created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
)


async def _read() -> str | None:
    rows = await connections.get("default").execute_query_dict(
        f"SELECT instance_id FROM {TABLE} WHERE id = 1"
    )
    return str(rows[0]["instance_id"]) if rows else None


async def database_identity() -> str:
    """This database's id (32 hex digits), made on first use if the database has none yet."""
    try:
        found = await _read()
    except Exception:  # no such table: a database older than the migration that makes it
        await connections.get("default").execute_script(CREATE)
        found = None
    if found:
        return found
    mark = "?" if dialect() == "sqlite" else "$1"
    await connections.get("default").execute_query(
        f"INSERT INTO {TABLE} (id, instance_id) VALUES (1, {mark}) ON CONFLICT (id) DO NOTHING",
        [uuid.uuid4().hex],
    )
    found = await _read()  # whoever inserted first: every process agrees on one id
    assert found, "database identity row missing after insert"
    return found
