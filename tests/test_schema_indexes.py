"""Indexes, read back from the database itself (pg_catalog on PostgreSQL, PRAGMA on SQLite):

- every foreign key has an index whose leading columns are the key's (otherwise a delete of the parent
  scans the whole child table, and every loader that fetches children by parent id does too);
- every index and unique constraint the models declare exists: SQLite migrations rebuild a table to
  alter it, and a rebuild once dropped legal_document's unique (work, version_date).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import Tortoise, connections
from tortoise.indexes import Index

from domain.db import APP, dialect


@dataclass(frozen=True)
class TableIndex:
    name: str
    columns: tuple[str, ...]
    unique: bool


PG_FOREIGN_KEYS = """
SELECT (SELECT relname FROM pg_class WHERE oid = c.conrelid) AS tbl, c.conname AS name,
       array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS cols
FROM pg_constraint c
WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
ORDER BY 1, 2
"""
PG_INDEXES = """
SELECT t.relname AS tbl, ic.relname AS name, i.indisunique AS uniq,
       array(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS cols
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE t.relnamespace = current_schema()::regnamespace AND i.indpred IS NULL
"""


async def foreign_keys() -> dict[str, list[tuple[str, ...]]]:
    """table → the column tuples of its foreign keys."""
    conn = connections.get("default")
    found: dict[str, list[tuple[str, ...]]] = {}
    if dialect() == "postgres":
        for row in await conn.execute_query_dict(PG_FOREIGN_KEYS):
            found.setdefault(row["tbl"], []).append(tuple(row["cols"]))
        return found
    for table in await sqlite_tables():
        keys: dict[int, list[str]] = {}
        for row in await conn.execute_query_dict(f"PRAGMA foreign_key_list('{table}')"):
            keys.setdefault(row["id"], []).append(row["from"])
        if keys:
            found[table] = [tuple(cols) for cols in keys.values()]
    return found


async def sqlite_tables() -> list[str]:
    rows = await connections.get("default").execute_query_dict(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [r["name"] for r in rows]


async def indexes() -> dict[str, list[TableIndex]]:
    """table → its complete (not partial) indexes, primary keys included."""
    conn = connections.get("default")
    found: dict[str, list[TableIndex]] = {}
    if dialect() == "postgres":
        for row in await conn.execute_query_dict(PG_INDEXES):
            found.setdefault(row["tbl"], []).append(TableIndex(row["name"], tuple(row["cols"]), row["uniq"]))
        return found
    for table in await sqlite_tables():
        mine = found.setdefault(table, [])
        info = await conn.execute_query_dict(f"PRAGMA table_info('{table}')")
        pk = tuple(r["name"] for r in sorted(info, key=lambda r: r["pk"]) if r["pk"])
        if pk:
            mine.append(TableIndex("(primary key)", pk, True))
        for index in await conn.execute_query_dict(f"PRAGMA index_list('{table}')"):
            if index["partial"]:
                continue
            cols = await conn.execute_query_dict(f"PRAGMA index_info('{index['name']}')")
            columns = tuple(c["name"] for c in sorted(cols, key=lambda c: c["seqno"]))
            mine.append(TableIndex(index["name"], columns, bool(index["unique"])))
    return found


def covers(index: TableIndex, columns: tuple[str, ...]) -> bool:
    """An index serves lookups by `columns` when they are its leading columns, in any order."""
    return set(index.columns[: len(columns)]) == set(columns)


async def test_every_foreign_key_has_an_index(database: str) -> None:
    keys, by_table = await foreign_keys(), await indexes()
    assert keys, "no foreign keys found: the query reads the wrong schema"
    missing = [
        f"{table}({', '.join(cols)})"
        for table, key_list in sorted(keys.items())
        for cols in key_list
        if not any(covers(index, cols) for index in by_table.get(table, []))
    ]
    assert not missing, f"foreign keys without an index on {dialect()}: {missing}"


def declared_indexes() -> list[tuple[str, tuple[str, ...], bool]]:
    """(table, columns, unique) of each index and unique constraint the models declare."""
    declared = []
    for model in Tortoise.apps[APP].values():
        meta = model._meta

        def column(name: str, meta=meta) -> str:  # noqa: ANN001
            field = meta.fields_map[name]
            source = getattr(field, "source_field", None) or name
            return meta.fields_db_projection.get(source, source)

        for fields in meta.unique_together or ():
            declared.append((meta.db_table, tuple(column(f) for f in fields), True))
        for index in meta.indexes or ():
            names = index.fields if isinstance(index, Index) else index
            declared.append((meta.db_table, tuple(column(f) for f in names), False))
    return declared


async def test_every_declared_index_and_unique_constraint_exists(database: str) -> None:
    by_table = await indexes()
    declared = declared_indexes()
    assert declared, "no declared indexes found"
    missing = [
        f"{'unique ' if unique else ''}{table}({', '.join(cols)})"
        for table, cols, unique in declared
        if not any(i.columns == cols and (i.unique or not unique) for i in by_table.get(table, []))
    ]
    assert not missing, f"declared by the models but absent on {dialect()}: {missing}"
