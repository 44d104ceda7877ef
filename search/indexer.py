"""Keeps the indexes equal to the database: drains the outbox (domain/outbox.py) and rebuilds.

A batch of outbox rows is read, the current rows of what they name are loaded, and the changes are
applied to the backend; only after the backend confirmed are those outbox rows deleted. When it
fails, the rows stay with `attempts` and `last_error` set, and the next drain retries them: with the
search engine down, writes still succeed and nothing is lost. A row's `op` is only a hint: the
database decides (a row that no longer exists is deleted from the index, one that exists is written).

The outbox only ever goes into an index built from this database (search.manifest): `sync_once`, the
step of the server's loop and of `qingquan index`, first rebuilds an index that belongs to another
database, is of another format or was never built, and only then drains.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import F

from domain.db_outage import database_unavailable
from domain.enums import SearchEntity
from domain.models import LegalArticle, LegalDocument, Power, SearchOutbox
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
    applied: int = 0  # outbox rows applied and deleted
    failed: int = 0  # outbox rows kept for a retry
    error: str = ""
    #: Documents written per index when the index was rebuilt first (it was not this database's).
    rebuilt: dict[IndexName, int] = field(default_factory=dict)
    #: Another process is rebuilding the index from this database: nothing was done.
    waiting: bool = False


async def _changes(rows: list[SearchOutbox]) -> dict[IndexName, IndexChanges]:
    """What the outbox rows ask for, read from the database as it is now (a missing row is a delete)."""
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


async def drain_once(backend: SearchBackend, batch: int = BATCH) -> DrainReport:
    """Apply one batch of the outbox (oldest first)."""
    report = DrainReport()
    rows = await SearchOutbox.all().order_by("id").limit(batch)
    if not rows:
        return report
    ids = [row.id for row in rows]
    try:
        for name, change in (await _changes(rows)).items():
            await backend.apply(name, change)
    except Exception as exc:  # the engine (or reading the rows) failed: keep the rows for a retry
        report.failed, report.error = len(rows), f"{type(exc).__name__}: {exc}"[:2000]
        await SearchOutbox.filter(id__in=ids).update(attempts=F("attempts") + 1, last_error=report.error)
        log.warning("search indexing failed, %d changes kept for a retry: %s", len(rows), report.error)
        return report
    await SearchOutbox.filter(id__in=ids).delete()
    report.applied = len(rows)
    return report


async def drain(backend: SearchBackend, batch: int = BATCH, progress: Progress | None = None) -> DrainReport:
    """Drain the outbox until it is empty or the backend fails."""
    total = DrainReport()
    remaining = await SearchOutbox.all().count()
    while True:
        report = await drain_once(backend, batch)
        total.applied += report.applied
        if progress:
            progress("索引变更", total.applied, max(remaining, total.applied))
        if report.failed or not report.applied:
            total.failed, total.error = report.failed, report.error
            return total


async def sync_once(backend: SearchBackend, progress: Progress | None = None) -> DrainReport:
    """Bring the index up to this database: rebuild it first unless it was built from this database
    in this format (and is complete), then drain the outbox."""
    own = await ownership(backend)
    if not own.ready:
        if own.building_elsewhere(BUILDER):
            return DrainReport(waiting=True)
        if own.manifest is not None and not own.ours():
            log.warning(
                "search index built from database %s (format %s), this is %s (format %s): rebuilding it",
                own.manifest.database, own.manifest.format, own.database, own.format,
            )  # fmt: skip
        if backend.shared:
            await backend.write_manifest(own.building(BUILDER).as_dict())
            await asyncio.sleep(CLAIM_SETTLE)
            if (await ownership(backend)).building_elsewhere(BUILDER):
                return DrainReport(waiting=True)  # another process claimed it after us: it builds
        report = DrainReport(rebuilt=await reindex(backend, progress))
    else:
        report = DrainReport()
    drained = await drain(backend, progress=progress)
    report.applied, report.failed, report.error = drained.applied, drained.failed, drained.error
    return report


async def run_forever(backend: SearchBackend, interval: float = 2.0, max_interval: float = 60.0) -> None:
    """The server's background indexer: rebuild the index if it is not this database's, drain, sleep;
    back off while the engine is down."""
    delay = interval
    while True:
        try:
            report = await sync_once(backend)
            delay = min(delay * 2, max_interval) if report.failed else interval
        except asyncio.CancelledError:
            raise
        except SearchUnavailable as exc:  # the engine is down while rebuilding: wait, try again
            log.warning("search index rebuild failed, retrying later: %s", exc)
            delay = min(delay * 2, max_interval)
        except Exception as exc:  # the database itself failed: log, wait, try again
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise  # a stop whose clean-up failed: stop all the same, never loop on
            if database_unavailable(exc):
                log.warning("search indexer: the database is unavailable, trying again: %s", exc)
            else:
                log.exception("search indexer loop failed")
            delay = min(delay * 2, max_interval)
        await asyncio.sleep(delay)


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
async def _building(backend: SearchBackend, own: Ownership) -> AsyncIterator[None]:
    """Mark the index as being built from this database (unless it already is complete and ours:
    then searches go on answering from it), keep the mark alive, and mark it ready at the end."""
    manifest: Manifest = own.building(BUILDER, await _schema_head())
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
    """Rebuild every index from the database; the outbox rows queued before it started are done, and
    the index's manifest names this database (search.manifest).

    (A write whose transaction began before the rebuild and commits during it may have its row
    dropped with the others; run `qingquan reindex` while writes are quiet, as after an import.)
    """
    async with _building(backend, await ownership(backend)):
        return await _rebuild(backend, progress)


async def _rebuild(backend: SearchBackend, progress: Progress | None) -> dict[IndexName, int]:
    high_water = await SearchOutbox.all().order_by("-id").first()
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
    if high_water is not None:
        await SearchOutbox.filter(id__lte=high_water.id).delete()
    return counts
