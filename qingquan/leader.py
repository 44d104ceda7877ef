"""One process of several does a job: whoever holds an exclusive lock on a file (released when the
process ends, however it ends), so that exactly one `qingquan serve` worker drains the search outbox
into the embedded index (it has one writer) while the others only read it, and one sends webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

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
