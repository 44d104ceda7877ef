"""Database configuration, connection and versioned migrations (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tortoise.backends.sqlite.executor  # noqa: F401  (registers tortoise's SQLite adapters: ours replaces one)
from tortoise import Tortoise, connections
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connections
from tortoise.migrations.api import migrate as tortoise_migrate

APP = "qingquan"


def utc_text(value: datetime) -> str:
    """How SQLite keeps an instant: in UTC, so that text order is time order (SQLite compares timestamps as
    text; tortoise wrote each with the offset it carried: `auto_now` in the county's +08:00, a UTC clock in
    UTC, a filter in the caller's zone). A naive value is written as it is."""
    return (value.astimezone(UTC) if value.tzinfo is not None else value).isoformat(" ")


sqlite3.register_adapter(datetime, utc_text)


def normalize_url(url: str) -> str:
    """Accept postgresql:// and sqlite:/// spellings; make a SQLite file's folder exist."""
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    if url.startswith("sqlite://") and url not in ("sqlite://:memory:",):
        path = url[len("sqlite://") :].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    return url


async def keep_session(connection: object) -> None:
    """asyncpg's pool, by default, resets a connection's session each time it is released, with one more
    round trip (`SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;`): after every
    statement tortoise runs outside a transaction, so twice the round trips and more of the server's CPU
    (bench/RESULTS.md, session 5). Nothing here takes advisory locks, LISTENs, opens cursors outside a
    transaction or SETs a session variable, so there is nothing to reset; asyncpg itself still rolls back
    a transaction left open."""


def connection_config(url: str) -> str | dict[str, Any]:
    """The `default` connection: the URL, and for PostgreSQL the pool's reset (keep_session)."""
    url = normalize_url(url)
    if not url.startswith("postgres://"):
        return url
    config = expand_db_url(url)
    config["credentials"].setdefault("reset", keep_session)
    return config


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(url)},
        "apps": {
            APP: {
                "models": ["domain.models", "domain.workflow_models", "domain.service_models", "domain.catalog.models", "domain.search_models", "domain.comment_models", "domain.oversight_models", "domain.case_models", "domain.alarm_models", "domain.loop_models"],
                "migrations": "domain.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "Asia/Shanghai",
    }


def dialect() -> str:
    """`sqlite` or `postgres`, for the few places where SQL differs."""
    return connections.get("default").capabilities.dialect


async def analyze() -> None:
    """After a bulk load (the demo county and its library): PostgreSQL's statistics of the tables, which its
    planner needs to read a page's rows by their indexes (a load of steps by chart: an index scan of the
    charts' steps, not a scan of every step comparing each with every key). Autovacuum gathers them in time
    where it runs, but a page served meanwhile, or on a server without it, is planned blind: the page of
    powers cost PostgreSQL ~0.5 ms more (bench/RESULTS.md, session 13, h1). SQLite: nothing to do."""
    if dialect() == "postgres":
        await connections.get("default").execute_script("ANALYZE")


async def migrate(url: str, progress: Callable[[str, str, str], object] | None = None) -> None:
    """Apply every pending migration, then fill in what migrations cannot (they have no ORM): version 1
    of each power published before versions were kept (domain.versions.backfill). Safe to run again."""
    from domain.versions import backfill

    await tortoise_migrate(config=tortoise_config(url), progress=progress)
    await init(url)
    try:
        await backfill()
    finally:
        await close()


async def init(url: str) -> None:
    """Open the database for the whole process: the server's request tasks share this context.

    An SQLite file is opened now, not at the first query: when tortoise's SQLite client fails to open its
    file it keeps its lock, and every later query would wait on it for good (the file held open from here
    on, its folder moved or unmounted later does not matter)."""
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)
    if dialect() == "sqlite":
        await connections.get("default").execute_query("SELECT 1")


async def close() -> None:
    await Tortoise.close_connections()


@asynccontextmanager
async def database(url: str, *, run_migrations: bool = True) -> AsyncIterator[None]:
    """Open the database for a command: migrate, init, and close at the end."""
    if run_migrations:
        await migrate(url)
        await close()
    await init(url)
    try:
        yield
    finally:
        await close()


class _HeldConnection:
    """What tortoise's `acquire_connection()` gives for a statement: the held connection, one statement at a
    time (statements sent together from one task's children wait their turn, as in a transaction); the pool's,
    when the scope gave it back while the statement waited."""

    __slots__ = ("client", "pooled")

    def __init__(self, client: _OneConnectionClient) -> None:
        self.client = client
        self.pooled: Any = None

    async def __aenter__(self) -> Any:
        await self.client.held_lock.acquire()
        if self.client.held is not None:
            return self.client.held
        self.client.held_lock.release()
        self.pooled = AsyncpgDBClient.acquire_connection(self.client)
        return await self.pooled.__aenter__()

    async def __aexit__(self, *exc: Any) -> None:
        if self.pooled is None:
            self.client.held_lock.release()
        else:
            await self.pooled.__aexit__(*exc)


class _OneConnectionClient(AsyncpgDBClient):
    """The pool's client (the same pool and settings) whose statements go to one connection while it is held;
    once given back, to the pool again, so that a queryset made meanwhile (a request's loaders) still works."""

    def __init__(self, client: AsyncpgDBClient, connection: Any) -> None:
        self.__dict__.update(client.__dict__)  # not super().__init__(), which would open a pool of its own
        self.held: Any = connection
        self.held_lock = asyncio.Lock()

    def acquire_connection(self) -> Any:
        return super().acquire_connection() if self.held is None else _HeldConnection(self)

    def _in_transaction(self) -> Any:
        # it would wait for a second connection while holding one: with every connection of the pool held by
        # scopes doing the same, none would ever come (a second reader's finding, session 12)
        raise RuntimeError("one_connection() is for reads in sequence: no transaction may be opened inside it")


_GIVING_BACK: set[asyncio.Future[None]] = set()


async def _give_back(mine: _OneConnectionClient) -> None:
    async with mine.held_lock:  # a statement of a task started in the scope may still be running on it
        held, mine.held = mine.held, None
    await mine._pool.release(held)


@asynccontextmanager
async def one_connection() -> AsyncIterator[None]:
    """The statements sent from here (this task and the tasks it starts) on one connection of the pool, taken
    once and given back at the end, instead of one taken and given back per statement: asyncpg's acquire and
    release (a task of its own, for the release) cost the app ~55 µs a statement, a tenth of the app's CPU for
    an ADMIN page of 15 statements (bench/RESULTS.md, session 12, h2). For reads in sequence, as a compiled
    plan makes (schema/compiled.py: a plan is the whole operation, so nothing outside the scope shares its loaders):
    the connection is kept from the pool while the Python between statements runs. A statement still running
    when the scope ends (a task it started) finishes first; one sent later goes to the pool. Not for the normal
    execution: there sibling root fields run as tasks of their own, and a scope waiting on a DataLoader batch
    a sibling started outside it (its statement on the pool) would, with every connection held by such scopes,
    wait forever. A transaction may not be opened inside (`_in_transaction`: the same wait). SQLite (one
    connection anyway) and a transaction already open are left as they are."""
    handler = get_connections()
    client = handler.get("default")
    if type(client) is not AsyncpgDBClient or client._pool is None:
        yield
        return
    mine = _OneConnectionClient(client, await client._pool.acquire())
    token = handler.set("default", mine)
    try:
        yield
    finally:
        handler.reset(token)
        # shielded: a second cancellation while a statement still runs on it must not keep it from the pool for good
        giving_back = asyncio.ensure_future(_give_back(mine))
        _GIVING_BACK.add(giving_back)  # the loop keeps only a weak reference to a task
        giving_back.add_done_callback(_GIVING_BACK.discard)
        await asyncio.shield(giving_back)


#: For `python -m tortoise -c domain.db.TORTOISE_ORM makemigrations` (developers only).
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
