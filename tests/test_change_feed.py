"""The change feed (domain/change_feed.py): read in an order that never skips a change of a transaction
that commits late, pruned once every live consumer has applied it, and a consumer gone past the
retention rebuilds its index; leases (domain/leases.py) elect one holder per database."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from tortoise import timezone

from domain import change_feed, leases
from domain.change_feed import Position
from domain.db import normalize_url
from domain.enums import SearchEntity
from domain.models import Change, ChangeConsumer, Lease
from qingquan.leader import run_as_database_leader
from search.embedded import EmbeddedBackend
from search.indexer import Follower
from search.manifest import IndexState, Manifest, ownership
from tests.conftest import PG_URL

pytestmark = pytest.mark.usefixtures("database")

INSERT = "INSERT INTO change_feed (entity, entity_id, op, created_at) VALUES ('POWER', $1, 'UPSERT', now()) RETURNING id"


async def following(backend: EmbeddedBackend) -> Follower:
    """An index of this database following the feed from its head, as a build leaves it (its consumer
    registered for a build its manifest names, complete), without indexing the session's library: these
    tests are about the feed, and a build of the library takes tens of seconds (the last step of the
    pruning test is one, for real)."""
    own = await ownership(backend, fresh=True)
    build = secrets.token_hex(8)
    await change_feed.register(backend.consumer, build)
    await backend.write_manifest(Manifest(own.database, own.format, IndexState.READY, build=build).as_dict())
    follower = Follower(backend)
    assert await follower.current(await ownership(backend, fresh=True))  # sync_once would not rebuild it
    return follower


async def follow(at: Position) -> tuple[Position, list[int]]:
    """What a consumer at `at` reads now (final changes only), and where it is after."""
    rows = await change_feed.read(at, 1000)
    return (rows[-1].position if rows else at), [row.entity_id for row in rows]


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite has one writer, whose ids commit in order")
async def test_a_change_whose_transaction_commits_after_a_later_id_is_never_skipped() -> None:
    """Transaction A takes its xid first but inserts its change last (id 11); B inserts id 10 and stays
    open while A commits. A reader going by id alone would pass 11 and never see 10."""
    url = normalize_url(PG_URL).replace("postgres://", "postgresql://", 1)
    a, b = await asyncpg.connect(url), await asyncpg.connect(url)
    name = f"test:{secrets.token_hex(4)}"
    at = await change_feed.register(name, "b1")
    try:
        ta, tb = a.transaction(), b.transaction()
        await ta.start()
        await tb.start()
        await a.fetchval("SELECT pg_current_xact_id()")  # A's xid: the older one
        await b.fetchval("SELECT pg_current_xact_id()")
        id_b = await b.fetchval(INSERT, 900_002)
        id_a = await a.fetchval(INSERT, 900_001)
        assert id_b < id_a
        await ta.commit()  # A commits first, with the larger id; B (the smaller id) is still open

        at, seen = await follow(at)
        assert seen == [900_001]
        assert await change_feed.read(at, 10, final=False) == []  # B is not visible: nothing ahead
        await tb.commit()
        at, later = await follow(at)
        assert later == [900_002], "the change of the transaction that committed last was skipped"
    finally:
        await a.close()
        await b.close()
        await ChangeConsumer.filter(name=name).delete()
        await Change.filter(entity_id__in=[900_001, 900_002]).delete()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite has one writer, whose ids commit in order")
async def test_a_change_committed_while_an_older_transaction_is_open_is_applied_at_once(tmp_path: Path) -> None:
    """A long transaction (an import, say) holds back the final position, not what is searchable: a
    change committed meanwhile is applied ahead, and again (harmlessly) once final, never skipped."""
    backend = EmbeddedBackend(tmp_path / "index")
    follower = await following(backend)
    url = normalize_url(PG_URL).replace("postgres://", "postgresql://", 1)
    old, quick = await asyncpg.connect(url), await asyncpg.connect(url)
    try:
        long = old.transaction()
        await long.start()
        await old.fetchval("SELECT pg_current_xact_id()")
        await quick.fetchval(INSERT, 900_003)
        report = await follower.drain_once()
        assert report.applied == 1 and follower.ahead  # applied, though the position could not move past it
        consumer = await change_feed.consumer(backend.consumer)
        assert consumer is not None and consumer.position < max(follower.ahead)
        await long.rollback()
        # now final: the position moves, nothing re-applied. Finality is the cluster's snapshot horizon, so a
        # transaction of another database of the same server (another test run) may hold it back a moment.
        for _ in range(100):
            report = await follower.drain_once()
            assert report.applied == 0
            if not follower.ahead:
                break
            await asyncio.sleep(0.1)
        assert not follower.ahead
        consumer = await change_feed.consumer(backend.consumer)
        assert consumer is not None and (await change_feed.read(change_feed.position_of(consumer), 10)) == []
    finally:
        await old.close()
        await quick.close()
        await Change.filter(entity_id=900_003).delete()
        await ChangeConsumer.filter(name=backend.consumer).delete()


async def test_pruning_waits_for_live_consumers_and_a_consumer_gone_past_the_retention_rebuilds(
    tmp_path: Path,
) -> None:
    live, gone = EmbeddedBackend(tmp_path / "live"), EmbeddedBackend(tmp_path / "gone")
    live_follower, gone_follower = await following(live), await following(gone)
    await change_feed.enqueue(SearchEntity.POWER, [900_011, 900_012])
    await live_follower.drain()
    # the other index has applied nothing since, and was last seen two days ago
    await ChangeConsumer.filter(name=gone.consumer).update(last_seen=timezone.now() - timedelta(days=2))
    await change_feed.prune(timedelta(days=7))
    assert await Change.filter(entity_id__in=[900_011, 900_012]).count() == 2  # `gone` has not applied them
    assert await gone_follower.current(await ownership(gone, fresh=True))  # kept: it would go on following

    await change_feed.prune(timedelta(days=1))  # past the retention: `gone` no longer holds the feed back
    assert await change_feed.consumer(gone.consumer) is None
    horizon = await change_feed.horizon()
    assert horizon == min(change_feed.position_of(c) for c in await ChangeConsumer.all())
    left = await change_feed.read(change_feed.START, 1)
    assert not left or left[0].position > horizon  # everything every live consumer applied is gone

    report = await gone_follower.sync_once()  # it comes back: its changes are gone, so it rebuilds
    assert report.rebuilt
    assert await change_feed.consumer(gone.consumer) is not None
    await ChangeConsumer.filter(name__in=[live.consumer, gone.consumer]).delete()


async def test_a_lease_has_one_holder_and_is_taken_over_once_it_expires() -> None:
    name = f"test-{secrets.token_hex(4)}"
    assert await leases.acquire(name, 0.5, holder="a")
    assert not await leases.acquire(name, 0.5, holder="b")
    assert await leases.acquire(name, 0.5, holder="a")  # renewed
    await asyncio.sleep(0.7)  # `a` died: not renewed
    assert await leases.acquire(name, 5, holder="b")
    assert not await leases.acquire(name, 5, holder="a")  # `a` comes back: it no longer holds it
    assert await leases.holder(name) == "b"
    await leases.release(name, holder="b")
    assert await leases.holder(name) is None


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: on SQLite the one serving process leads without a lease")
async def test_a_job_stops_when_its_lease_is_taken_away() -> None:
    name = f"test-{secrets.token_hex(4)}"
    running = asyncio.Event()
    stopped = asyncio.Event()

    async def job() -> None:
        running.set()
        try:
            await asyncio.sleep(3600)
        finally:
            stopped.set()

    leader = asyncio.create_task(run_as_database_leader(name, job, seconds=1, renew=0.1))
    try:
        await asyncio.wait_for(running.wait(), 5)
        await steal(name)
        await asyncio.wait_for(stopped.wait(), 5)  # renewing failed: the job stopped at once
    finally:
        leader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await leader


async def steal(name: str) -> None:
    await Lease.filter(name=name).update(holder="someone else", expires_at=9e12)
