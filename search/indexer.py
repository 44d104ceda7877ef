"""Keeps the indexes equal to the database: follows the change feed (domain/change_feed.py) and rebuilds.

Each index is a consumer of the feed with a position of its own (an embedded index of each host, one
Meilisearch index for all hosts), so every host's index sees every change. A batch of the feed is read
from the consumer's position, the current rows of what it names are loaded, and the changes are applied
to the backend; only after the backend confirmed does the position advance. When it fails, the position
stays (the consumer's `last_error` says why) and the next round retries: with the search engine down,
writes still succeed and nothing is lost. A change's `op` is only a hint: the database decides (a row
that no longer exists is deleted from the index, one that exists is written), so applying a change
twice is harmless.

The feed only ever goes into an index built from this database (search.manifest) whose build the
consumer row names: `sync_once`, the step of the server's loop and of `qingquan index`, first rebuilds
an index that belongs to another database, is of another format, was never built, or whose consumer
was dropped after the feed's retention (it missed changes), and only then applies the feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from domain import change_feed as feed
from domain.change_feed import FeedRow
from domain.change_listen import Wakeups
from domain.db_outage import database_unavailable
from domain.enums import SearchEntity
from domain.models import LegalArticle, LegalDocument, Power
from search.backend import SearchBackend, SearchUnavailable
from search.documents import LibraryDocs, keyset, keyword, power_documents
from search.manifest import IndexState, Manifest, Ownership, ownership
from search.model import IndexChanges, IndexName

log = logging.getLogger("qingquan.search")
BATCH = 500
REBUILD_BATCH = 2000
Progress = Callable[[str, int, int], object]
#: How often a build refreshes its manifest (others take a build silent for STALE_AFTER as abandoned).
HEARTBEAT = 30.0
#: Meilisearch, shared by several processes: wait this long after claiming a build, then check that
#: the claim held (the last to claim builds, the others wait for it).
CLAIM_SETTLE = 2.0
#: This process, when it builds an index.
BUILDER = secrets.token_hex(8)


@dataclass
class DrainReport:
    applied: int = 0  # changes applied to the index
    failed: int = 0  # changes kept for a retry (the position did not move)
    error: str = ""
    #: Documents written per index when the index was rebuilt first (it was not this database's).
    rebuilt: dict[IndexName, int] = field(default_factory=dict)
    #: Another process is rebuilding the index from this database: nothing was done.
    waiting: bool = False
    #: A whole batch was read: there may be more at once.
    more: bool = False


async def _changes(rows: list[FeedRow]) -> dict[IndexName, IndexChanges]:
    """What the changes ask for, read from the database as it is now (a missing row is a delete)."""
    ids: dict[SearchEntity, set[int]] = defaultdict(set)
    for row in rows:
        ids[row.entity].add(row.entity_id)
    changes = {name: IndexChanges() for name in IndexName}
    library = LibraryDocs()

    doc_ids = ids[SearchEntity.LEGAL_DOCUMENT]
    if doc_ids:
        existing = set(await LegalDocument.filter(id__in=doc_ids).values_list("id", flat=True))
        await library.load(existing)
        changes[IndexName.DOCUMENTS].deletes += sorted(doc_ids - existing)
        changes[IndexName.DOCUMENTS].upserts += [library.document(i) for i in sorted(existing)]
        # A document's entry carries into each of its articles: rewrite them all, and drop the gone.
        changes[IndexName.ARTICLES].delete_where["document_id"] = [keyword(i) for i in sorted(doc_ids)]
        changes[IndexName.ARTICLES].upserts += await library.articles_of(existing)

    article_ids = ids[SearchEntity.LEGAL_ARTICLE]
    if article_ids:
        found = await library.articles(article_ids)
        changes[IndexName.ARTICLES].deletes += sorted(article_ids - {a["id"] for a in found})
        changes[IndexName.ARTICLES].upserts += found

    power_ids = ids[SearchEntity.POWER]
    if power_ids:
        found = await power_documents(power_ids)
        changes[IndexName.POWERS].deletes += sorted(power_ids - {p["id"] for p in found})
        changes[IndexName.POWERS].upserts += found
    return changes


class Follower:
    """One index following the feed, with what it applied ahead of its position (in memory: after a
    restart those changes are applied once more, which is harmless)."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend
        #: Ids of committed changes applied before they were final (domain/change_feed.py), and the
        #: position the next look ahead starts after.
        self.ahead: set[int] = set()
        self.ahead_after = feed.START
        self.seen_at = 0.0

    @property
    def name(self) -> str:
        return self.backend.consumer

    async def drain_once(self, batch: int = BATCH) -> DrainReport:
        """Apply one batch of the feed after this index's position (final changes first, then those
        committed but not final yet)."""
        report = DrainReport()
        consumer = await feed.consumer(self.name)
        if consumer is None:
            return report  # not registered: sync_once rebuilds the index first
        at = feed.position_of(consumer)
        final = await feed.read(at, batch)
        after = max(at, final[-1].position if final else at, self.ahead_after)
        ahead = await feed.read(after, batch, final=False) if len(final) < batch else []
        todo = [row for row in final if row.id not in self.ahead] + ahead
        try:
            if todo:
                for name, change in (await _changes(todo)).items():
                    await self.backend.apply(name, change)
        except Exception as exc:  # the engine (or reading the rows) failed: the position stays
            report.failed, report.error = len(todo), f"{type(exc).__name__}: {exc}"[:2000]
            await feed.seen(self.name, consumer.build, report.error)
            log.warning("search indexing failed, %d changes kept for a retry: %s", len(todo), report.error)
            return report
        if final:
            await feed.advance(self.name, consumer.build, final[-1].position)
            self.ahead.difference_update(row.id for row in final)
            self.seen_at = time.monotonic()
        elif time.monotonic() - self.seen_at > feed.HEARTBEAT.total_seconds():
            await feed.seen(self.name, consumer.build)
            self.seen_at = time.monotonic()
        if ahead:
            self.ahead.update(row.id for row in ahead)
            self.ahead_after = ahead[-1].position
        report.applied = len(todo)
        report.more = len(final) == batch or len(ahead) == batch
        return report

    async def drain(self, batch: int = BATCH, progress: Progress | None = None) -> DrainReport:
        """Apply the feed until this index has caught up or the backend fails."""
        total = DrainReport()
        while True:
            report = await self.drain_once(batch)
            total.applied += report.applied
            if progress:
                progress("索引变更", total.applied, total.applied)
            if report.failed or not report.more:
                total.failed, total.error = report.failed, report.error
                return total

    async def current(self, own: Ownership) -> bool:
        """The index is complete, this database's, and its build is the one the feed's consumer names
        (a consumer dropped after the retention, or an index directory lost, means a rebuild)."""
        if not own.ready or not own.manifest or not own.manifest.build:  # type: ignore[union-attr]
            return False
        consumer = await feed.consumer(self.name)
        return consumer is not None and consumer.build == own.manifest.build

    async def sync_once(self, progress: Progress | None = None) -> DrainReport:
        """Bring the index up to this database: rebuild it first unless it was built from this database
        in this format (complete, and followed by the feed since), then apply the feed."""
        own = await ownership(self.backend, fresh=True)
        if not await self.current(own):
            if own.building_elsewhere(BUILDER):
                return DrainReport(waiting=True)
            if own.manifest is not None and not own.ours():
                log.warning(
                    "search index built from database %s (format %s), this is %s (format %s): rebuilding it",
                    own.manifest.database, own.manifest.format, own.database, own.format,
                )  # fmt: skip
            if self.backend.shared and not own.ready:
                await self.backend.write_manifest(own.building(BUILDER).as_dict())
                await asyncio.sleep(CLAIM_SETTLE)
                if (await ownership(self.backend, fresh=True)).building_elsewhere(BUILDER):
                    return DrainReport(waiting=True)  # another process claimed it after us: it builds
            report = DrainReport(rebuilt=await reindex(self.backend, progress))
            self.ahead, self.ahead_after = set(), feed.START
        else:
            report = DrainReport()
        drained = await self.drain(progress=progress)
        report.applied, report.failed, report.error = drained.applied, drained.failed, drained.error
        return report


async def drain_once(backend: SearchBackend, batch: int = BATCH) -> DrainReport:
    """Apply one batch of the feed to `backend` (an index already built and registered)."""
    return await Follower(backend).drain_once(batch)


async def drain(backend: SearchBackend, batch: int = BATCH, progress: Progress | None = None) -> DrainReport:
    """Apply the feed to `backend` until it has caught up or the backend fails."""
    return await Follower(backend).drain(batch, progress)


async def sync_once(backend: SearchBackend, progress: Progress | None = None) -> DrainReport:
    return await Follower(backend).sync_once(progress)


async def run_forever(
    backend: SearchBackend, wakeups: Wakeups | None = None, interval: float = 2.0, max_interval: float = 60.0
) -> None:
    """The server's background indexer: rebuild the index if it is not this database's, apply the feed,
    wait for the next change (a notification, or `wakeups`' fallback interval); back off while the
    engine is down."""
    follower = Follower(backend)
    delay = interval
    while True:
        failed = False
        try:
            report = await follower.sync_once()
            failed = bool(report.failed)
            if report.more:
                continue
        except asyncio.CancelledError:
            raise
        except SearchUnavailable as exc:  # the engine is down while rebuilding: wait, try again
            log.warning("search index rebuild failed, retrying later: %s", exc)
            failed = True
        except Exception as exc:  # the database itself failed: log, wait, try again
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise  # a stop whose clean-up failed: stop all the same, never loop on
            if database_unavailable(exc):
                log.warning("search indexer: the database is unavailable, trying again: %s", exc)
            else:
                log.exception("search indexer loop failed")
            failed = True
        delay = min(delay * 2, max_interval) if failed else interval
        if failed or wakeups is None:
            await asyncio.sleep(delay)
        else:
            await wakeups.wait()


async def _batches(
    model: type[Any], build: Callable[[list[int]], Any], stage: str, progress: Progress | None, total: int
) -> AsyncIterator[list[dict[str, Any]]]:
    done = 0
    async for ids in keyset(model, REBUILD_BATCH):
        batch = await build(ids)
        done += len(batch)
        if progress:
            progress(stage, done, total)
        yield batch


async def _document_entries(ids: list[int]) -> list[dict[str, Any]]:
    library = LibraryDocs()
    await library.load(ids)
    return [library.document(i) for i in ids if i in library.documents]


async def _schema_head() -> str:
    """The database's last applied migration, as the manifest records it."""
    from tortoise import connections

    try:
        rows = await connections.get("default").execute_query_dict(
            "SELECT name FROM tortoise_migrations WHERE app = 'qingquan' ORDER BY applied_at DESC, name DESC LIMIT 1"
        )
    except Exception:  # a database opened without the migration recorder: not worth failing a build
        return ""
    return str(rows[0]["name"]) if rows else ""


@contextlib.asynccontextmanager
async def _building(backend: SearchBackend, own: Ownership, build: str) -> AsyncIterator[None]:
    """Mark the index as being built from this database (unless it already is complete and ours:
    then searches go on answering from it), keep the mark alive, and mark it ready at the end."""
    manifest: Manifest = own.building(BUILDER, await _schema_head(), build)
    beat: asyncio.Task[None] | None = None
    if not own.ready:
        await backend.write_manifest(manifest.as_dict())

        async def heartbeat() -> None:
            while True:
                await asyncio.sleep(HEARTBEAT)
                await backend.write_manifest(manifest.touched().as_dict())

        beat = asyncio.create_task(heartbeat())
    finished = False
    try:
        yield
        finished = True
    finally:
        if beat is not None:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await beat
            if not finished:  # stopped or failed mid-build: whoever starts next rebuilds at once
                with contextlib.suppress(Exception):
                    await backend.write_manifest(manifest.abandoned().as_dict())
    await backend.write_manifest(manifest.touched(IndexState.READY).as_dict())


async def reindex(backend: SearchBackend, progress: Progress | None = None) -> dict[IndexName, int]:
    """Rebuild every index from the database as a new build; its manifest names this database
    (search.manifest) and the build, whose consumer of the change feed starts at the feed's head taken
    before the rebuild reads anything: the changes up to there are in what it reads, the later ones
    (even of a transaction that began before and commits during the rebuild) are applied after."""
    build = secrets.token_hex(8)
    own = await ownership(backend, fresh=True)
    await feed.register(backend.consumer, build)
    async with _building(backend, own, build):
        return await _rebuild(backend, progress)


async def _rebuild(backend: SearchBackend, progress: Progress | None) -> dict[IndexName, int]:
    counts: dict[IndexName, int] = {}
    total = await LegalDocument.all().count()
    counts[IndexName.DOCUMENTS] = await backend.rebuild(
        IndexName.DOCUMENTS, _batches(LegalDocument, _document_entries, "法律文件", progress, total)
    )
    total = await LegalArticle.all().count()
    counts[IndexName.ARTICLES] = await backend.rebuild(
        IndexName.ARTICLES, _batches(LegalArticle, LibraryDocs().articles, "条文", progress, total)
    )
    total = await Power.all().count()
    counts[IndexName.POWERS] = await backend.rebuild(
        IndexName.POWERS, _batches(Power, power_documents, "职权", progress, total)
    )
    return counts
