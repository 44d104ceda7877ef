"""Never out of sync: every write records its search change in the change feed in its own transaction,
the indexer applies the feed, and an engine that fails mid-way loses nothing.

On PostgreSQL a change is *final* (the position may move past it) once every transaction older than its
own has ended, and that horizon is the server's, not the database's (domain/change_feed.py): a write of
another database of the same server (another test run, a migration) holds it back for a moment, and the
indexer meanwhile applies the change *ahead* without moving the position. The tests below that count
what is left behind the position wait for their own changes to be final first (`final`); the ahead path
is tested in tests/test_change_feed.py."""

from __future__ import annotations

import asyncio
import time

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from domain import change_feed
from domain.access import CLI
from domain.enums import PowerCategory, SearchEntity
from domain.models import Change, LegalArticle, Power, Unit
from domain.services.bases import BasisData, create_basis
from domain.services.powers import PowerData, create_power, delete_power, update_power
from domain.services.units import update_unit
from search import SearchBackend
from search.backend import SearchUnavailable
from search.indexer import drain, drain_once, reindex
from search.model import IndexChanges, IndexName, SearchRequest

pytestmark = pytest.mark.usefixtures("search_backend")


class FailingAfter(SearchBackend):
    """A search engine that accepts `budget` documents, then fails (and stays down)."""

    name = "failing"

    def __init__(self, inner: SearchBackend, budget: int) -> None:
        self.inner, self.budget = inner, budget

    @property
    def consumer(self) -> str:  # the same index as `inner`, as the change feed knows it
        return self.inner.consumer

    async def apply(self, index: IndexName, changes: IndexChanges) -> None:
        if changes.size > self.budget:
            self.budget = 0
            raise SearchUnavailable("connection refused (engine down)")
        self.budget -= changes.size
        await self.inner.apply(index, changes)

    async def search(self, index, request):  # noqa: ANN001, ANN201
        raise SearchUnavailable("engine down")

    async def clear(self, index=None) -> None:  # noqa: ANN001
        raise SearchUnavailable("engine down")

    async def health(self) -> bool:
        return False


async def queued(entity: SearchEntity, entity_id: int) -> list[Change]:
    return await Change.filter(entity=entity, entity_id=entity_id)


async def left_to_apply(backend: SearchBackend) -> list[change_feed.FeedRow]:
    """The changes of the feed the index has not applied yet."""
    consumer = await change_feed.consumer(backend.consumer)
    assert consumer is not None
    return await change_feed.read(change_feed.position_of(consumer), 1000)


async def final(within: float = 180.0) -> None:
    """Wait until every change of the feed is final (at once on SQLite, and on a PostgreSQL server where
    no older transaction is open), so that what a drain applies and where the position stops are exact."""
    deadline = time.monotonic() + within
    while await change_feed.read(change_feed.START, 1, final=False):
        if time.monotonic() > deadline:
            open_ = await connections.get("default").execute_query_dict(
                "SELECT datname, pid, backend_xid::text AS xid, now() - xact_start AS age, left(query, 80) AS query "
                "FROM pg_stat_activity WHERE backend_xid IS NOT NULL ORDER BY xact_start"
            )
            pytest.fail(f"the feed's changes are not final after {within:.0f} s; transactions open: {open_}")
        await asyncio.sleep(0.05)


async def removed(power_ids: list[int], backend: SearchBackend) -> None:
    """A test's clean-up: its powers deleted (those still there) and the index caught up."""
    for power_id in power_ids:
        if await Power.exists(id=power_id):
            await delete_power(CLI, power_id)
    await drain(backend)


async def power_hits(backend: SearchBackend, query: str) -> list[int]:
    return [h.id for h in (await backend.search(IndexName.POWERS, SearchRequest(query=query))).hits]


async def a_unit() -> Unit:
    unit = await Unit.filter(code__startswith="360723", parent_id__isnull=False).order_by("id").first()
    assert unit is not None
    return unit


async def test_a_write_queues_its_change_in_its_transaction() -> None:
    unit = await a_unit()
    power = await create_power(
        CLI, PowerData(unit_id=unit.id, name="测试用排污许可证核发", category=PowerCategory.LICENSING)
    )
    assert len(await queued(SearchEntity.POWER, power.id)) == 1

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with in_transaction():
            rolled_back = await create_power(
                CLI, PowerData(unit_id=unit.id, name="回滚的职权", category=PowerCategory.OTHER)
            )
            raise Boom
    assert not await Power.exists(id=rolled_back.id)
    assert await queued(SearchEntity.POWER, rolled_back.id) == []


async def test_the_indexer_applies_creates_updates_and_deletes(search_backend: SearchBackend) -> None:
    unit = await a_unit()
    power = await create_power(
        CLI, PowerData(unit_id=unit.id, name="测试用甲乙丙丁许可", category=PowerCategory.LICENSING)
    )
    await drain(search_backend)
    assert await power_hits(search_backend, "甲乙丙丁许可") == [power.id]

    await update_power(CLI, power.id, {"name": "测试用甲乙丙丁审批"})
    article = await LegalArticle.filter(text__contains="河道").first() or await LegalArticle.first()
    assert article is not None
    await create_basis(CLI, BasisData(power_id=power.id, article_id=article.id))
    await drain(search_backend)
    assert await power_hits(search_backend, "甲乙丙丁许可") == []
    assert power.id in await power_hits(search_backend, "甲乙丙丁审批")
    hit = (await search_backend.search(IndexName.POWERS, SearchRequest(query=article.text[:6]))).hits
    assert power.id in [h.id for h in hit]  # the basis text is searchable with the power

    await delete_power(CLI, power.id)
    await final()
    await drain(search_backend)
    assert await power_hits(search_backend, "甲乙丙丁审批") == []
    assert await left_to_apply(search_backend) == []


async def test_renaming_a_unit_reindexes_its_powers(search_backend: SearchBackend) -> None:
    unit = await a_unit()
    power = await create_power(
        CLI, PowerData(unit_id=unit.id, name="测试用改名单位的职权", category=PowerCategory.OTHER)
    )
    old_name = unit.name
    try:
        await update_unit(CLI, unit.id, {"name": "测试用新名称局"})
        assert await queued(SearchEntity.POWER, power.id)
        await drain(search_backend)
        assert power.id in await power_hits(search_backend, "测试用新名称局")
    finally:
        await update_unit(CLI, unit.id, {"name": old_name})
        await removed([power.id], search_backend)


async def test_with_the_engine_failing_mid_way_writes_succeed_and_the_queue_drains_later(
    search_backend: SearchBackend,
) -> None:
    unit = await a_unit()
    names = [f"测试用宕机期间登记的职权{i}" for i in range(3)]
    powers = [
        await create_power(CLI, PowerData(unit_id=unit.id, name=n, category=PowerCategory.OTHER))
        for n in names
    ]
    doomed = await create_power(
        CLI, PowerData(unit_id=unit.id, name="测试用宕机期间删除的职权", category=PowerCategory.OTHER)
    )
    made = [p.id for p in [*powers, doomed]]
    try:
        # The position moves past every change so far: the three writes below are all that is left.
        await final()
        await drain(search_backend)
        await delete_power(CLI, doomed.id)  # a delete, and more writes, while the engine is down
        await update_power(CLI, powers[0].id, {"name": "测试用宕机期间改名的职权"})
        extra = await create_power(
            CLI, PowerData(unit_id=unit.id, name="测试用宕机期间新增的职权", category=PowerCategory.OTHER)
        )
        made.append(extra.id)
        await final()  # read as final changes, one batch after another (not applied ahead of the position)

        failing = FailingAfter(search_backend, budget=2)
        report = await drain_once(
            failing, batch=2
        )  # the first batch is within budget, the engine dies in the second
        assert report.applied == 2 and not report.failed
        report = await drain(failing)
        assert report.failed == 1 and "engine down" in report.error
        assert len(await left_to_apply(search_backend)) == 1  # the position stayed before the failed change
        consumer = await change_feed.consumer(search_backend.consumer)
        assert consumer is not None and "engine down" in consumer.last_error
        assert await Power.exists(id=extra.id)  # the writes themselves succeeded

        report = await drain(search_backend)  # the engine is back
        assert not report.failed and await left_to_apply(search_backend) == []
        assert await power_hits(search_backend, "宕机期间删除") == []
        assert await power_hits(search_backend, "宕机期间改名") == [powers[0].id]
        assert await power_hits(search_backend, "宕机期间新增") == [extra.id]
    finally:  # a failure must leave neither its powers nor an index behind the database to the next tests
        await removed(made, search_backend)


async def test_reindex_rebuilds_from_the_database_and_is_safe_to_rerun(search_backend: SearchBackend) -> None:
    before = {name: await search_backend.count(name) for name in IndexName}
    await search_backend.clear(IndexName.POWERS)
    for _ in range(2):
        counts = await reindex(search_backend)
        assert counts[IndexName.POWERS] == await Power.all().count()
        assert counts[IndexName.ARTICLES] == await LegalArticle.all().count()
        assert {name: await search_backend.count(name) for name in IndexName} == before
