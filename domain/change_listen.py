"""Waking the consumers of the change feed: on PostgreSQL, a dedicated connection LISTENs on the channel
a trigger of `change_feed` notifies at each commit that added changes, so every host sees a write within
moments; the connection is made again when lost, and without notifications the consumers still look
every few seconds. SQLite has one process: it looks every second."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

from domain.change_feed import CHANNEL
from domain.db import normalize_url

log = logging.getLogger("qingquan.changes")
#: Without a notification, look anyway after this many seconds (PostgreSQL; SQLite: every second).
FALLBACK_POLL = 5.0
SQLITE_POLL = 1.0
#: Check the listening connection this often (a dead peer is not always noticed by the socket).
KEEPALIVE = 15.0
RECONNECT = 2.0


class Wakeups:
    """Set when the feed may have grown; `wait` returns then, or after the fallback interval."""

    def __init__(self, database_url: str) -> None:
        url = normalize_url(database_url)
        self.postgres = url.startswith("postgres://")
        self.url = url
        self.poll = FALLBACK_POLL if self.postgres else SQLITE_POLL
        self._event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: Set while LISTEN is in place (tests wait for it).
        self.listening = asyncio.Event()

    def start(self) -> None:
        if self.postgres and self._task is None:
            self._task = asyncio.create_task(self._listen(), name="qingquan change feed listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        self._event.set()

    async def wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), self.poll)
        self._event.clear()

    def _credentials(self) -> dict[str, Any]:
        found = expand_db_url(self.url)["credentials"]
        return {k: found[k] for k in ("host", "port", "user", "password", "database") if found.get(k) is not None}

    async def _listen(self) -> None:
        while True:
            conn = None
            try:
                conn = await asyncpg.connect(**self._credentials(), timeout=10)
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(CHANNEL, lambda *_: self._event.set())
                self.listening.set()
                self._event.set()  # changes may have come while nobody listened
                while not lost.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lost.wait(), KEEPALIVE)
                    if not lost.is_set():
                        await conn.execute("SELECT 1", timeout=10)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: poll meanwhile, connect again
                log.warning("listening for changes failed, again in %s s: %s", RECONNECT, exc)
            finally:
                self.listening.clear()
                if conn is not None:
                    conn.terminate()
            await asyncio.sleep(RECONNECT)
