"""SQLite: instants already stored with another offset than UTC are rewritten in UTC (domain/db.py writes
every new one so). Text order becomes time order: filters and sorting on timestamps were hours off where
one column held +08:00 and the compared value +00:00. The instants themselves do not change.

The audit trail is append-only (0002); its guard is lifted for this rewrite only, inside the migration's
transaction, and put back. PostgreSQL keeps timestamptz and is left alone.
"""

from datetime import datetime

from tortoise import migrations
from tortoise.migrations import operations as ops

from domain.db import utc_text

GUARDS = {
    "audit_event_no_update": "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
}


async def rewrite_in_utc(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    tables = await client.execute_query_dict(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    for guard in GUARDS:
        await client.execute_query(f'DROP TRIGGER IF EXISTS "{guard}"')
    try:
        for table in (t["name"] for t in tables):
            columns = await client.execute_query_dict(f'PRAGMA table_info("{table}")')
            for column in (c["name"] for c in columns if c["type"].upper() in ("TIMESTAMP", "DATETIME")):
                rows = await client.execute_query_dict(
                    f'SELECT rowid AS r, "{column}" AS v FROM "{table}" '
                    f"WHERE \"{column}\" LIKE '%+__:__' OR \"{column}\" LIKE '%-__:__'"
                )
                for row in rows:
                    text = utc_text(datetime.fromisoformat(row["v"]))
                    if text != row["v"]:
                        await client.execute_query(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', [text, row["r"]])
    finally:
        for statement in GUARDS.values():
            await client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0017_leading_group")]

    operations = [ops.RunPython(rewrite_in_utc)]
