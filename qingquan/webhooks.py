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
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from tortoise.timezone import localtime

from domain.catalog import webhook_targets as targets
from domain.catalog.models import DeliveryStatus, WebhookDelivery
from domain.catalog.webhook_targets import Address
from domain.catalog.webhooks import announce_overdue
from domain.db_outage import database_unavailable
from domain.workdays import today
from qingquan.settings import get_settings

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
#: Addresses of a receiver's name tried in turn when one does not connect.
ADDRESSES_TRIED = 4


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


async def post_pinned(client: httpx.AsyncClient, url: str, addresses: list[Address], body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST to the addresses checked, in turn until one connects: the connection goes to an address the
    check saw, never to what the name might resolve to a moment later; Host and TLS are the name's.
    `client` serves one name (its kept-alive connections were verified for that name only)."""
    target = httpx.URL(url)
    headers = {**headers, "Host": target.netloc.decode("ascii")}
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    failed: httpx.ConnectError | None = None
    for address in addresses[:ADDRESSES_TRIED]:
        try:
            return await client.post(target.copy_with(host=str(address)), content=body, headers=headers, extensions=extensions)
        except httpx.ConnectError as exc:
            failed = exc
    assert failed is not None
    raise failed


def reason(exc: Exception) -> str:
    """A short reason for lastError: never what the receiver (or an address it led to) said."""
    if isinstance(exc, targets.TargetRefused):
        return exc.reason
    if isinstance(exc, httpx.TimeoutException):
        return "超时 (timeout)"
    if isinstance(exc, httpx.ConnectError) and _caused_by(exc, ssl.SSLCertVerificationError):
        return "证书校验失败 (certificate verify failed)"
    if isinstance(exc, httpx.ConnectError):
        return "连接被拒绝 (connection refused)" if _caused_by(exc, ConnectionRefusedError) else "连接失败 (connection failed)"
    if isinstance(exc, ValueError | httpx.InvalidURL):
        return "回调地址无效 (invalid URL)"
    return "请求失败 (request failed)"


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` is in the chain of what raised `exc` (httpx wraps httpcore wraps anyio wraps the OS's)."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None or isinstance(seen, kind):
            return seen is not None
        seen = seen.__cause__ or seen.__context__
    return False


def status_line(status: int) -> str:
    """"HTTP 500 Internal Server Error": the code and its standard phrase, not the receiver's words."""
    return f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip()


async def _send(client: httpx.AsyncClient, delivery: WebhookDelivery, now: datetime, allow_private: bool) -> tuple[int | None, str]:
    body = json.dumps({**delivery.payload, "delivery": delivery.id}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "qingquan-webhooks",
        "X-Qingquan-Event": delivery.event,
        "X-Qingquan-Delivery": str(delivery.id),
        "X-Qingquan-Signature": signature(delivery.webhook.secret, int(now.timestamp()), body),
    }
    try:
        # checked at every delivery: the name may resolve elsewhere now than at registration
        addresses = await targets.checked_addresses(delivery.webhook.url, allow_private=allow_private)
        response = await post_pinned(client, delivery.webhook.url, addresses, body, headers)
    except (httpx.HTTPError, httpx.InvalidURL, targets.TargetRefused, ValueError) as exc:
        return None, reason(exc)
    # redirects are not followed (the client's default): a 3xx is an answer like any other that is not 2xx
    return response.status_code, "" if response.is_success else status_line(response.status_code)


async def _attempt(client: httpx.AsyncClient, delivery: WebhookDelivery, now: datetime, base_delay: timedelta, done: Round,
                   allow_private: bool) -> bool:  # fmt: skip
    """One try of a claimed delivery, its outcome written down; True if it arrived."""
    status, error = await _send(client, delivery, now, allow_private)
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


async def deliver_due(*, now: datetime | None = None, base_delay: timedelta = BASE_DELAY, request_seconds: float = 10.0,
                      allow_private: bool | None = None) -> Round:  # fmt: skip
    """Send every delivery that is due; reschedule failures with backoff, give up after MAX_ATTEMPTS.

    Receivers are served side by side (at most `PARALLEL` at once), each its deliveries in order; one
    that fails or times out gets nothing more this round (the rest wait, unclaimed and uncounted, for
    the next), so a slow or dead receiver delays only its own events. Only public addresses are sent to
    unless `allow_private` (default: QINGQUAN_WEBHOOK_ALLOW_PRIVATE)."""
    if allow_private is None:
        allow_private = get_settings().webhook_allow_private
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
    # one TLS context a round (loading the CA certificates costs tens of ms of CPU), and a client per
    # webhook: a connection made for one receiver's name is never reused for another's at the same address.
    # Not through HTTP(S)_PROXY (trust_env off): the connection goes to the address checked.
    tls = httpx.create_ssl_context()

    async def send_in_order(deliveries: list[WebhookDelivery]) -> None:
        async with gate, httpx.AsyncClient(timeout=request_seconds, follow_redirects=False, verify=tls, trust_env=False) as client:
            for delivery in deliveries:
                if await _claim(delivery, now) and not await _attempt(client, delivery, now, base_delay, done, allow_private):
                    return

    await asyncio.gather(*(send_in_order(deliveries) for deliveries in by_hook.values()))
    return done


async def run(*, watch: bool = False, interval: float = 5.0, base_delay: timedelta = BASE_DELAY,
              allow_private: bool | None = None) -> Round:  # fmt: skip
    """One round (overdue events queued, due deliveries sent), or rounds forever with `watch`."""
    total = Round()
    while True:
        try:
            await announce_overdue(today())
            done = await deliver_due(base_delay=base_delay, allow_private=allow_private)
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
