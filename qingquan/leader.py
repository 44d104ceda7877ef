"""One process of several does a job.

Per host: whoever holds an exclusive lock on a file (released when the process ends, however it ends),
so that exactly one `qingquan serve` worker of a host applies the change feed to that host's embedded
index (it has one writer) while the others only read it. The lock sits beside the index.

Per database: whoever holds the job's lease in the database (domain/leases.py), so that webhooks are
sent, overdue checks run, the change feed is pruned and a shared Meilisearch index is written by one
process of all the hosts; when that process dies another takes over within LEASE_SECONDS."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from domain import change_feed, leases
from domain.db_outage import database_unavailable

log = logging.getLogger("qingquan")


def try_lock(path: Path) -> int | None:
    """An open descriptor holding the lock on `path`, or None when another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


async def run_as_leader(
    lock: Path, job: Callable[[], Awaitable[None]], retry: float = 5.0, name: str = "the search indexer"
) -> None:
    """Run `job` once this process holds `lock`; until then, try again every `retry` seconds
    (the holder may stop, and a worker that uvicorn restarts must be able to take over)."""
    fd = None
    try:
        while (fd := try_lock(lock)) is None:  # noqa: ASYNC110 (the holder is another process)
            await asyncio.sleep(retry)
        log.info("this process (pid %s) runs %s", os.getpid(), name)
        await job()
    finally:
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


#: A lease not renewed for this long is taken over by another process (its holder died).
LEASE_SECONDS = 10.0
#: The holder renews this often; the others try this often.
RENEW_SECONDS = 2.0


async def run_as_database_leader(
    name: str, job: Callable[[], Awaitable[None]], *, seconds: float = LEASE_SECONDS, renew: float = RENEW_SECONDS
) -> None:
    """Run `job` while this process holds lease `name` (once per database, whichever host); try to take
    it every `renew` seconds. A lease that cannot be renewed (taken over, the database unreachable) stops
    the job at once, before it expires, and the process tries again like the others.

    On SQLite one process serves the database (`serve` refuses more): it leads, with no lease written
    every few seconds to a file that commands running beside the server also write."""
    if not leases.shared_database():
        await job()
        return
    while True:
        try:
            held = await leases.acquire(name, seconds)
        except Exception as exc:  # the database is unreachable: try again later
            log.warning("could not ask for the lease %s: %s", name, exc)
            held = False
        if not held:
            await asyncio.sleep(renew)
            continue
        log.info("this process (%s) holds the lease %s", leases.HOLDER, name)
        task = asyncio.ensure_future(job())
        try:
            while not task.done():
                await asyncio.wait({task}, timeout=renew)
                if task.done():
                    break
                try:
                    held = await asyncio.wait_for(leases.acquire(name, seconds), seconds / 2)
                except Exception as exc:
                    log.warning("could not renew the lease %s: %s", name, exc)
                    held = False
                if not held:
                    log.warning("lost the lease %s: stopping its job", name)
                    break
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            with contextlib.suppress(Exception):  # a clean stop: the others need not wait for the expiry
                await asyncio.wait_for(asyncio.shield(leases.release(name)), 1)
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("the job of the lease %s failed: %s", name, task.exception())
        await asyncio.sleep(renew)


#: Seconds between two prunings of the change feed.
PRUNE_EVERY = 60.0


async def prune_forever(retention: timedelta, every: float = PRUNE_EVERY) -> None:
    """Delete what every live consumer of the change feed has applied (run by the database's leader)."""
    while True:
        try:
            deleted = await change_feed.prune(retention)
            if deleted:
                log.info("pruned %d changes every index has applied", deleted)
        except Exception as exc:  # the database failed: the next round tries again
            if database_unavailable(exc):  # an outage in one line, as the indexer and the webhook sender log it
                log.warning("pruning the change feed: the database is unavailable: %s", exc)
            else:
                log.exception("pruning the change feed failed")
        await asyncio.sleep(every)
