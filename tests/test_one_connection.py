"""domain.db.one_connection: a scope's statements on one connection of PostgreSQL's pool, taken once (a
compiled plan's page and levels); on SQLite, nothing changes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from asyncpg.pool import Pool
from tortoise import connections
from tortoise.transactions import in_transaction

from domain import models as m
from domain.db import dialect, one_connection
from domain.enums import Role
from qingquan.app import create_app
from qingquan.settings import Settings, get_settings
from resolvers.ids import encode_id
from tests.helpers import count_queries, token_for
from tests.test_query_count import PAGE

pytestmark = pytest.mark.usefixtures("database")


async def postgres_only() -> None:
    if dialect() != "postgres":
        pytest.skip("a pool of connections: PostgreSQL only (SQLite has one connection)")
    await backend_pid()  # tortoise opens the pool at the first statement


async def backend_pid() -> int:
    _, rows = await connections.get("default").execute_query("SELECT pg_backend_pid() AS pid")
    return int(rows[0]["pid"])


@contextmanager
def acquisitions() -> Iterator[list[int]]:
    """How many times the pool hands out a connection meanwhile (asyncpg's `Pool.acquire`, counted)."""
    taken = [0]
    acquire = Pool.acquire

    def counted(self: Pool, *args: Any, **kwargs: Any) -> Any:
        taken[0] += 1
        return acquire(self, *args, **kwargs)

    Pool.acquire = counted  # type: ignore[method-assign]
    try:
        yield taken
    finally:
        Pool.acquire = acquire  # type: ignore[method-assign]


async def test_sqlite_statements_run_as_before() -> None:
    if dialect() == "postgres":
        pytest.skip("SQLite's case")
    async with one_connection():
        assert await m.Unit.all().count() == await m.Unit.all().count()


async def test_a_scopes_statements_share_one_connection_taken_once() -> None:
    await postgres_only()
    with acquisitions() as taken:
        async with one_connection():
            pids = [await backend_pid() for _ in range(4)]
            pids += await asyncio.gather(*(backend_pid() for _ in range(4)))  # sent together: one at a time
    assert len(set(pids)) == 1, pids
    assert taken == [1]
    with acquisitions() as taken:
        for _ in range(4):
            await backend_pid()
    assert taken == [4]  # without the scope: one each


async def test_a_queryset_made_in_the_scope_reads_through_the_pool_afterwards() -> None:
    """A request's loaders, made inside a plan's scope, still answer the normal execution after a fallback."""
    await postgres_only()
    async with one_connection():
        units = m.Unit.all()
        inside = await units.count()
    with acquisitions() as taken:
        assert await units.count() == inside
    assert taken == [1]


async def test_a_transaction_in_the_scope_is_refused() -> None:
    """It would wait for a second connection while holding one: with the pool held in full by such scopes, forever."""
    await postgres_only()
    async with one_connection():
        held = await backend_pid()
        with pytest.raises(RuntimeError, match="no transaction"):
            async with in_transaction():
                pass
        assert await backend_pid() == held


async def test_a_statement_running_when_the_scope_ends_finishes_and_a_later_one_reads_through_the_pool() -> None:
    """Tasks started in the scope outlive it: the one whose statement runs on the held connection finishes
    there before the connection goes back; one that sends its statement afterwards gets one of the pool."""
    await postgres_only()

    async def slow() -> int:
        _, rows = await connections.get("default").execute_query("SELECT pg_sleep(0.3), pg_backend_pid() AS pid")
        return int(rows[0]["pid"])

    async def late(seconds: float) -> int:
        await asyncio.sleep(seconds)
        return await backend_pid()

    async with asyncio.timeout(10):
        async with one_connection():
            held = await backend_pid()
            running = asyncio.create_task(slow())
            # one asks while the scope's end waits for the slow statement, one once the scope has ended
            waiting, later = asyncio.create_task(late(0.1)), asyncio.create_task(late(0.5))
            await asyncio.sleep(0.1)  # the slow statement is running on the held connection
        assert running.done() and running.result() == held
        assert await waiting > 0 and await later > 0


async def test_the_connection_goes_back_to_the_pool_when_the_scope_fails() -> None:
    """More scopes that fail than the pool has connections: each gives its connection back (else one waits)."""
    await postgres_only()
    pool = connections.get("default")._pool
    for _ in range(pool._maxsize + 2):
        with pytest.raises(ZeroDivisionError):
            async with asyncio.timeout(10):
                async with one_connection():
                    await backend_pid()
                    1 / 0  # noqa: B018
    async with asyncio.timeout(10):
        await backend_pid()


@pytest.mark.parametrize("compiled", [True, False], ids=["plan", "normal execution"])
async def test_a_page_takes_one_connection_for_its_statements(demo: Any, compiled: bool) -> None:
    """The token's statement takes one, and a plan's page, its total and its levels (8 statements: to-one relations
    joined into their levels) one more; the normal execution takes one a statement (see the next test)."""
    await postgres_only()
    settings = Settings(**{**get_settings().model_dump(), "response_cache_bytes": 0, "compiled_queries": compiled})
    token = await token_for(Role.ADMIN)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, manage_db=False)), base_url="http://qingquan.test"
    ) as client:
        headers = {"Authorization": f"Bearer {token}"}
        body = {"query": PAGE, "variables": {"first": 20}}
        for _ in range(2):  # the token's first use, the document validated: the next one runs its plan
            assert (await client.post("/graphql", json=body, headers=headers)).status_code == 200
        with acquisitions() as taken, count_queries() as counter:
            response = await client.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200 and b'"errors"' not in response.content
    assert counter.count == 9
    assert taken == ([2] if compiled else [9])


async def test_sibling_roots_waiting_on_one_batch_never_hold_the_whole_pool(demo: Any) -> None:
    """The normal execution runs each root field as a task of its own. Here `commentPeriods` starts the batch of
    the unit's subtree outside any scope and each `powers` joins it: had each held a connection of its own while
    waiting (one_connection around the resolver, as a plan does), more of them than the pool has connections
    would wait forever for the batch's statement (a second reader's finding, session 12)."""
    await postgres_only()
    pool = connections.get("default")._pool
    unit = await m.Unit.filter(parent_id__not_isnull=True).first()
    assert unit is not None
    aliases = " ".join(f'p{i}: powers(filter: {{unitId: $u}}) {{ totalCount }}' for i in range(pool._maxsize + 1))
    query = f"query($u: ID!) {{ c: commentPeriods(unitId: $u) {{ totalCount }} {aliases} }}"
    settings = Settings(**{**get_settings().model_dump(), "response_cache_bytes": 0})
    unit_id = encode_id("Unit", unit.id)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, manage_db=False)), base_url="http://qingquan.test"
    ) as client:
        for _ in range(2):  # the second time with the pool's connections warm (a warm acquire does not yield)
            async with asyncio.timeout(20):
                response = await client.post("/graphql", json={"query": query, "variables": {"u": unit_id}})
            assert response.status_code == 200 and b'"errors"' not in response.content, response.text
            totals = {v["totalCount"] for k, v in response.json()["data"].items() if k.startswith("p")}
            assert len(totals) == 1
