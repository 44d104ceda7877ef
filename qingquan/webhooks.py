"""Sending webhook deliveries: signed (HMAC-SHA256), retried with exponential backoff, given up after
MAX_ATTEMPTS. Run by `qingquan webhook deliver` (once, or `--watch` as a worker process).

Each request carries

    X-Qingquan-Event: power.published
    X-Qingquan-Delivery: 42                      (the same on every retry: receivers de-duplicate)
    X-Qingquan-Signature: t=1764400000,v1=<hex>  HMAC-SHA256 of "<t>.<body>" with the webhook's secret

A receiver recomputes the HMAC over the timestamp and the raw body, compares in constant time, and
refuses old timestamps (replays).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from tortoise.timezone import localtime

from domain.catalog.models import DeliveryStatus, WebhookDelivery
from domain.catalog.webhooks import queue_overdue
from domain.db_outage import database_unavailable
from domain.workdays import today

log = logging.getLogger("qingquan.webhooks")

MAX_ATTEMPTS = 8
#: Retry n waits BASE · 2^(n-1): 30 s, 1 min, 2 min … about an hour before the last.
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
#: A claimed delivery is not claimed again by another worker for this long.
LEASE = timedelta(minutes=2)
BATCH = 100
#: Receivers sent to at the same time in one round.
PARALLEL = 8


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does (and the tests): recompute and compare in constant time."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        return False
    return hmac.compare_digest(signature(secret, int(parts["t"]), body), header)


def backoff(attempts: int, base: timedelta = BASE_DELAY) -> timedelta:
    return min(base * (2 ** max(attempts - 1, 0)), MAX_DELAY)


@dataclass
class Round:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


async def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    """Take the delivery for this worker (another one that read it too loses the race)."""
    return bool(await WebhookDelivery.filter(id=delivery.id, status=DeliveryStatus.PENDING,
                                             next_attempt_at=delivery.next_attempt_at).update(next_attempt_at=now + LEASE))  # fmt: skip


async def _send(client: httpx.AsyncClient, delivery: WebhookDelivery, now: datetime) -> tuple[int | None, str]:
    body = json.dumps({**delivery.payload, "delivery": delivery.id}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "qingquan-webhooks",
        "X-Qingquan-Event": delivery.event,
        "X-Qingquan-Delivery": str(delivery.id),
        "X-Qingquan-Signature": signature(delivery.webhook.secret, int(now.timestamp()), body),
    }
    try:
        response = await client.post(delivery.webhook.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000]
    return response.status_code, "" if response.is_success else f"HTTP {response.status_code}: {response.text[:200]}"


async def _attempt(client: httpx.AsyncClient, delivery: WebhookDelivery, now: datetime, base_delay: timedelta, done: Round) -> bool:
    """One try of a claimed delivery, its outcome written down; True if it arrived."""
    status, error = await _send(client, delivery, now)
    delivery.attempts += 1
    delivery.response_status = status
    if not error:
        delivery.status, delivery.delivered_at, delivery.last_error = DeliveryStatus.DELIVERED, now, ""
        done.delivered += 1
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, error
        done.failed += 1
    else:
        delivery.next_attempt_at, delivery.last_error = now + backoff(delivery.attempts, base_delay), error
        done.retried += 1
    await delivery.save(update_fields=["attempts", "response_status", "status", "delivered_at", "last_error", "next_attempt_at"])
    return not error


async def deliver_due(*, now: datetime | None = None, base_delay: timedelta = BASE_DELAY, request_seconds: float = 10.0) -> Round:
    """Send every delivery that is due; reschedule failures with backoff, give up after MAX_ATTEMPTS.

    Receivers are served side by side (at most `PARALLEL` at once), each its deliveries in order; one
    that fails or times out gets nothing more this round (the rest wait, unclaimed and uncounted, for
    the next), so a slow or dead receiver delays only its own events."""
    now = localtime(now)
    done = Round()
    due = await WebhookDelivery.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).select_related(
        "webhook"
    ).order_by("next_attempt_at", "id").limit(BATCH)
    if not due:  # nothing to send: no HTTP client (its TLS context alone costs tens of ms of CPU a round)
        return done
    by_hook: dict[int, list[WebhookDelivery]] = {}
    for delivery in due:
        by_hook.setdefault(delivery.webhook_id, []).append(delivery)
    gate = asyncio.Semaphore(PARALLEL)

    async def send_in_order(deliveries: list[WebhookDelivery]) -> None:
        async with gate:
            for delivery in deliveries:
                if await _claim(delivery, now) and not await _attempt(client, delivery, now, base_delay, done):
                    return

    async with httpx.AsyncClient(timeout=request_seconds, follow_redirects=False) as client:
        await asyncio.gather(*(send_in_order(deliveries) for deliveries in by_hook.values()))
    return done


async def run(*, watch: bool = False, interval: float = 5.0, base_delay: timedelta = BASE_DELAY) -> Round:
    """One round (overdue events queued, due deliveries sent), or rounds forever with `watch`."""
    total = Round()
    while True:
        try:
            await queue_overdue(today(), localtime())
            done = await deliver_due(base_delay=base_delay)
        except Exception as exc:
            if not watch or asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise  # once, or a stop whose clean-up failed: never round on
            # a worker outlives a failed round (the database restarting, say): the next round tries again
            if database_unavailable(exc):
                log.warning("webhook round: the database is unavailable; the next round in %s s: %s", interval, exc)
            else:
                log.exception("webhook round failed; the next one in %s s", interval)
            done = Round()
        total.delivered += done.delivered
        total.retried += done.retried
        total.failed += done.failed
        if not watch:
            return total
        await asyncio.sleep(interval)
