"""Live events for subscribers: GraphQL subscriptions over `graphql-transport-ws` and over SSE.

The events are those webhooks carry (domain/catalog/webhooks.py). Each is written to the change feed in the
transaction of its change (an `EVENT` row naming the audit event), so every host hears of every event,
whichever host made it: each app process that has subscribers reads the feed (woken by LISTEN/NOTIFY on
PostgreSQL, looking every second on SQLite), builds each event's subject once, and hands it to each of its
subscribers that may see it — the webhooks' own rule (`Subject.visible_to`), for the subscriber's viewer,
whose token is checked again before each event (a revoked token's subscriptions end).

The reader is a consumer of the feed of its own (`events:HOST:PID:…`), registered at its first subscriber
and removed when the process stops, so the feed keeps what it has not read. A subscriber starts at the
feed's head when it subscribes, or after the cursor of the last event it saw (`events(after:)`, taken from
`Event.cursor` or `eventCursor`): a client that reconnects misses nothing the feed still holds.

Limits: `QINGQUAN_MAX_SUBSCRIPTIONS` at once per token (per client address without one) in each process.
A stop ends every subscription at once and cleanly (a `complete`), before the server's grace runs out.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import os
import re
import secrets
import socket
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain import change_feed
from domain.access import Viewer
from domain.catalog.webhooks import EVENTS, Subject, audited_event, envelope
from domain.change_feed import Position
from domain.change_listen import Wakeups
from domain.enums import SearchEntity
from domain.errors import DomainError, FieldError, ValidationFailed
from domain.models import ChangeConsumer
from domain.tokens import viewer_for_token

log = logging.getLogger("qingquan.live")

BUILD = "events"
BATCH = 200
_CURSOR = re.compile(r"e:(0|[1-9][0-9]{0,19}):(0|[1-9][0-9]{0,19})")


class SubscriptionRefused(DomainError):
    """A subscription that cannot start (the limit, a cursor the feed no longer holds, a server stopping)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def encode_position(position: Position) -> str:
    return base64.urlsafe_b64encode(f"e:{position.xid}:{position.id}".encode()).decode().rstrip("=")


def decode_position(cursor: str, field_name: str = "after") -> Position:
    invalid = ValidationFailed([FieldError(field_name, "无效的事件游标 (invalid event cursor)", "invalid_cursor")])
    if len(cursor) > 80 or not cursor.isascii():
        raise invalid
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    match = _CURSOR.fullmatch(text)
    if match is None:
        raise invalid
    position = Position(int(match.group(1)), int(match.group(2)))
    if encode_position(position) != cursor:
        raise invalid
    return position


@dataclass(frozen=True)
class LiveEvent:
    """One event as a subscriber receives it."""

    event: str
    subject: Subject
    at: datetime
    position: Position
    payload: dict[str, Any]


#: what a subscriber's queue holds after its last event: the end (a stop), or why it ended
END = None


@dataclass(eq=False)
class Subscriber:
    viewer: Viewer
    key: str
    events: frozenset[str]
    seen: Position
    token: str | None = None
    queue: asyncio.Queue[LiveEvent | SubscriptionRefused | None] = field(default_factory=lambda: asyncio.Queue(256))

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events

    def offer(self, item: LiveEvent | SubscriptionRefused | None) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:  # a subscriber that does not read: ended, not waited for
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
            self.queue.put_nowait(SubscriptionRefused("订阅读取过慢，已结束 (the subscriber fell behind: ended)", "too_slow"))


class EventHub:
    """The process's subscribers and the one reader of the change feed that serves them."""

    def __init__(self, database_url: str, limit: int) -> None:
        self.database_url = database_url
        self.limit = limit
        self.subscribers: set[Subscriber] = set()
        self.counts: Counter[str] = Counter()
        self.name = f"events:{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.position: Position | None = None
        self._rewind: Position | None = None
        self._task: asyncio.Task[None] | None = None
        self._wakeups: Wakeups | None = None
        self._start_lock = asyncio.Lock()
        self.closed = False

    async def cursor(self) -> str:
        """The feed's head as an event cursor: subscribe after it to miss nothing from now on."""
        return encode_position(await change_feed.head())

    @contextlib.asynccontextmanager
    async def subscription(
        self, viewer: Viewer, key: str, events: frozenset[str], after: Position | None, token: str | None
    ) -> AsyncIterator[Subscriber]:
        if self.closed:
            raise SubscriptionRefused("服务器正在停止 (the server is stopping)", "unavailable")
        if self.counts[key] >= self.limit:
            raise SubscriptionRefused(
                f"订阅数已达上限 {self.limit} (at most {self.limit} subscriptions at once per token or address)",
                "too_many_subscriptions",
            )
        self.counts[key] += 1
        try:
            await self._start()
            assert self.position is not None
            start = after if after is not None else max(await change_feed.head(), self.position)
            if after is not None and after < await change_feed.horizon():
                raise SubscriptionRefused("该游标之后的事件已被清理 (events after this cursor are gone)", "cursor_expired")
            subscriber = Subscriber(viewer, key, events, start, token)
            self.subscribers.add(subscriber)
            if self.closed:  # the server began to stop meanwhile
                subscriber.offer(END)
            if start < self.position:
                self._rewind = min(self._rewind or start, start)
            if self._wakeups is not None:
                self._wakeups.wake()
            try:
                yield subscriber
            finally:
                self.subscribers.discard(subscriber)
        finally:
            self.counts[key] -= 1
            if not self.counts[key]:
                del self.counts[key]

    async def _start(self) -> None:
        async with self._start_lock:
            if self._task is not None:
                return
            self.position = await change_feed.register(self.name, BUILD)
            self._wakeups = Wakeups(self.database_url)
            self._wakeups.start()
            self._task = asyncio.create_task(self._run(), name="qingquan live events")

    async def _run(self) -> None:
        assert self._wakeups is not None
        idle = 0.0
        while True:
            try:
                idle = await self._step(idle)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database failed: the next round tries again
                log.warning("reading events for subscribers failed: %s", exc)
                await asyncio.sleep(1)

    async def _step(self, idle: float) -> float:
        assert self.position is not None and self._wakeups is not None
        if self._rewind is not None:
            self.position, self._rewind = min(self.position, self._rewind), None
        rows = await change_feed.read(self.position, BATCH)
        for row in rows:
            if row.entity is SearchEntity.EVENT:
                await self._deliver(row.position, row.entity_id)
            self.position = row.position
        if rows:
            await change_feed.advance(self.name, BUILD, self.position) or await self._register_again()
            return 0.0
        await self._wakeups.wait()
        idle += self._wakeups.poll
        if idle >= change_feed.HEARTBEAT.total_seconds():
            await change_feed.seen(self.name, BUILD) or await self._register_again()
            return 0.0
        return idle

    async def _register_again(self) -> bool:
        """The consumer was dropped (unseen past the retention): start again at the head."""
        log.warning("the live events' reader was dropped from the change feed: registered again")
        self.position = await change_feed.register(self.name, BUILD)
        return True

    async def _deliver(self, position: Position, audit_id: int) -> None:
        waiting = [s for s in self.subscribers if position > s.seen]
        if not waiting:
            return
        found = await audited_event(audit_id)
        for subscriber in waiting:
            subscriber.seen = position
        if found is None:
            return
        event, subject, audit = found
        payload = envelope(event, subject, audit.at)
        live = LiveEvent(event, subject, audit.at, position, payload)
        for subscriber in waiting:
            if not subscriber.wants(event):
                continue
            viewer = subscriber.viewer
            if subscriber.token is not None:  # revoked or expired since: the subscription ends
                now = await viewer_for_token(subscriber.token)
                if now is None:
                    subscriber.offer(SubscriptionRefused("令牌已失效 (the token is no longer valid)", "unauthenticated"))
                    continue
                viewer = subscriber.viewer = now
            if subject.visible_to(viewer):
                subscriber.offer(live)

    async def close(self) -> None:
        """End every subscription (each gets its `complete`), stop the reader, leave the feed."""
        if self.closed:
            return
        self.closed = True
        for subscriber in list(self.subscribers):
            subscriber.offer(END)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._wakeups is not None:
            await self._wakeups.stop()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ChangeConsumer.filter(name=self.name).delete(), 1.0)


def event_names() -> list[str]:
    return list(EVENTS)
