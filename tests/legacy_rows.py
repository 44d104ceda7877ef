"""Rows written with today's models into a database migrated only up to an old migration (the 'before'
state of a migration's test): columns the old tables lack are added for the writes and dropped after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise import connections
from tortoise.models import Model

from domain import db


async def _columns(table: str) -> set[str]:
    conn = connections.get("default")
    if db.dialect() == "sqlite":
        return {r["name"] for r in await conn.execute_query_dict(f'PRAGMA table_info("{table}")')}
    rows = await conn.execute_query_dict("SELECT column_name FROM information_schema.columns WHERE table_name = $1", [table])
    return {r["column_name"] for r in rows}


@asynccontextmanager
async def newer_columns(*models: type[Model]) -> AsyncIterator[None]:
    conn = connections.get("default")
    added: list[tuple[str, str]] = []
    for model in models:
        table = model._meta.db_table
        have = await _columns(table)
        for name, column in model._meta.fields_db_projection.items():
            if column not in have:
                sql_type = model._meta.fields_map[name].get_for_dialect(db.dialect(), "SQL_TYPE")
                await conn.execute_script(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {sql_type}')
                added.append((table, column))
    try:
        yield
    finally:
        for table, column in added:
            await conn.execute_script(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
