"""`qingquan serve` as a real process: uvicorn on a free local port, requests over TCP; how it stops
(SIGTERM mid-build, mid-request, mid-webhook round: out within 10 s) and how it answers while its
database is gone (503 with a GraphQL error, stale cached answers, recovery)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from tortoise.timezone import now

from domain.catalog.models import DeliveryStatus, WebhookDelivery
from domain.catalog.webhooks import WebhookData, register_webhook
from domain.enums import Role
from search import manifest as search_manifest
from tests.conftest import PG_URL, REPO, run_cli
from tests.factories import ADMIN
from tests.live_clients import install_clients, subscribe_both_ways, subscriptions_held

#: What a stop may take, SIGTERM to exit (the issue's bound).
STOP_WITHIN = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        with suppress(httpx.TransportError):
            if found := check():
                return found
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.1)


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def readiness(self) -> dict[str, Any]:
        return httpx.get(f"{self.base}/readyz", timeout=5).json()

    def stop(self) -> float:
        """SIGTERM, then the seconds until the process is gone (killed after STOP_WITHIN + 5 s)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_WITHIN + 5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - started


@contextmanager
def serving(env: dict[str, str], log_path: Path | None = None, port: int | None = None) -> Iterator[Server]:
    """`qingquan serve` on a free port with `env`, its output in `log_path` (a temporary file of its own when
    not given): yields it once it answers, and stops it at the end (SIGTERM, then SIGKILL: no test leaves a
    server behind)."""
    port = port or free_port()
    if log_path is None:
        handle, name = tempfile.mkstemp(prefix="qingquan-serve-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "qingquan", "serve", "--port", str(port)],
            env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        wait_until(
            lambda: process.poll() is not None or httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200,
            180, "the server to start",
        )  # fmt: skip
        assert process.poll() is None, f"server did not start:\n{server.log()}"
        yield server
    finally:
        if process.poll() is None:
            server.stop()


def test_serve_answers_graphql_health_and_readiness(migrated_db_url: str, tmp_path: Path) -> None:
    token = run_cli("token", "create", "--role", "ADMIN", db_url=migrated_db_url).stdout.strip().splitlines()[-1]
    # one process: /readyz counts the subscriptions of the process that answers it
    env = {**os.environ, "QINGQUAN_DATABASE_URL": migrated_db_url, "QINGQUAN_WORKERS": "1"}
    with serving(env, tmp_path / "serve.log") as server:
        base = server.base
        assert httpx.get(f"{base}/readyz").json()["database"] == "up"
        public = httpx.post(f"{base}/graphql", json={"query": "{ viewer { role } units { totalCount } }"})
        assert public.json() == {"data": {"viewer": {"role": "PUBLIC"}, "units": {"totalCount": 0}}}
        admin = httpx.get(
            f"{base}/graphql", params={"query": "{ viewer { role } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert admin.json() == {"data": {"viewer": {"role": "ADMIN"}}}
        # live subscriptions (tests/test_subscriptions.py) end cleanly, at once, when the server stops
        clients = subscribe_both_ways(base) if install_clients() else []
        if clients:
            wait_until(lambda: subscriptions_held(base) == len(clients), 60, "the subscriptions")
            stopped = server.stop()
            assert stopped < STOP_WITHIN, f"the subscriptions held the stop for {stopped:.1f} s"
            for client in clients:
                # the server completes each subscription as it stops; when the stop outruns it (a loaded host),
                # the socket's close says "service restart" (1012): either way the client ends, told why
                said = client.communicate(timeout=30)[0].decode()
                assert '{"complete":true}' in said or '"code":1012' in said, said
    assert "Traceback" not in server.log(), server.log()


def test_sqlite_is_served_by_one_process(tmp_path: Path) -> None:
    """SQLite has one writer: several processes would refuse each other's writes."""
    url = f"sqlite://{tmp_path / 'one.sqlite3'}"
    refused = run_cli("serve", "--workers", "2", "--port", "1", db_url=url, check=False, timeout=120)
    assert refused.returncode == 2
    assert "--workers 1" in refused.stdout + refused.stderr


UNIT = """mutation ($input: CreateUnitInput!) { createUnit(input: $input) { ... on Unit { id } ... on ValidationErrors { errors { field message } } } }"""
COMPLAIN = """mutation ($input: FileComplaintInput!) { fileComplaint(input: $input) { __typename } }"""


def complaints_through(base: str, unit_id: str, forwarded: list[str]) -> list[str]:
    variables = {"input": {"subject": "办事拖延", "content": "超过承诺时限未办结。", "unitId": unit_id}}
    return [
        httpx.post(f"{base}/graphql", json={"query": COMPLAIN, "variables": variables},
                   headers={"X-Forwarded-For": address}).json()["data"]["fileComplaint"]["__typename"]
        for address in forwarded
    ]  # fmt: skip


def test_serve_believes_forwarded_addresses_only_from_named_proxies(migrated_db_url: str, tmp_path: Path) -> None:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default: a caller on the host (or behind a proxy
    that passes the header on) named a new address each time and was never limited."""
    token = run_cli("token", "create", "--role", "ADMIN", db_url=migrated_db_url).stdout.strip().splitlines()[-1]
    env = {**os.environ, "QINGQUAN_DATABASE_URL": migrated_db_url, "QINGQUAN_COMPLAINT_RATE_LIMIT": "2", "QINGQUAN_WORKERS": "1",
           "QINGQUAN_SEARCH_INDEXER": "false", "QINGQUAN_WEBHOOK_SENDER": "false"}  # fmt: skip
    env.pop("QINGQUAN_TRUSTED_PROXIES", None)
    with serving(env, tmp_path / "first.log") as server:
        base = server.base
        unit = {"code": "XFF01", "name": "转发测试局", "kind": "DEPARTMENT", "regionCode": "360723"}
        made = httpx.post(f"{base}/graphql", json={"query": UNIT, "variables": {"input": unit}},
                          headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
        assert "id" in made["data"]["createUnit"], made
        unit_id = made["data"]["createUnit"]["id"]
        forwarded = [f"198.51.100.{n}" for n in range(3)]
        assert complaints_through(base, unit_id, forwarded) == ["ComplaintReceipt"] * 2 + ["RateLimitedError"]
    # the proxy named: each forwarded client has its own allowance (the server's own address keeps its count)
    with serving({**env, "QINGQUAN_TRUSTED_PROXIES": "127.0.0.1,::1"}, tmp_path / "second.log") as server:
        base = server.base
        assert complaints_through(base, unit_id, [f"198.51.100.{n}" for n in range(10, 13)]) == ["ComplaintReceipt"] * 3
        assert complaints_through(base, unit_id, ["198.51.100.20"] * 3)[-1] == "RateLimitedError"
    assert "Traceback" not in server.log(), server.log()


def test_a_port_already_taken_is_said_plainly_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = run_cli("serve", "--port", str(port), db_url=f"sqlite://{tmp_path / 'q.sqlite3'}", check=False, timeout=120)
    said = refused.stdout + refused.stderr
    assert refused.returncode == 2, said
    assert f"端口 {port} 已被占用 (port {port} is already in use)" in said
    assert "serving" not in said and "Application startup complete" not in said, said


# -- stopping -------------------------------------------------------------------------------------


def assert_stopped_cleanly(server: Server, seconds: float, *, quiet: bool = True) -> None:
    """Out within STOP_WITHIN, the application's shutdown complete; `quiet`: no traceback logged (uvicorn
    logs one for a request it cancels when the grace is over)."""
    log = server.log()
    assert seconds < STOP_WITHIN, f"stopped after {seconds:.1f} s:\n{log[-3000:]}"
    # uvicorn ends by raising the SIGTERM it caught again, with the default handler: terminated by it
    assert server.process.returncode in (0, -signal.SIGTERM), log[-3000:]
    assert "Already borrowed" not in log and (not quiet or "Traceback" not in log), log[-3000:]
    assert "Application shutdown complete" in log, log[-3000:]


def test_sigterm_during_the_first_index_build_exits_within_10_s_and_the_next_start_rebuilds(
    library: object, db_url: str, tmp_path: Path
) -> None:
    """The packaged library's 26,196 articles take tens of seconds to index: the stop comes mid-way. The next
    start begins a build of its own at once, well before STALE_AFTER (it does not wait for the builder that is
    gone), answers searches meanwhile with the typed `building` error, and stops as cleanly. (A build run to
    its end is what every search test does; here it would add minutes of indexing to CI.)"""
    index = tmp_path / "index"
    manifest = index / "manifest.json"
    env = {**os.environ, "QINGQUAN_DATABASE_URL": db_url, "QINGQUAN_SEARCH_INDEX_DIR": str(index),
           "QINGQUAN_WEBHOOK_SENDER": "false"}  # fmt: skip
    with serving(env, tmp_path / "first.log") as server:
        wait_until(lambda: server.readiness().get("search") == "building", 60, "the index build to start")
        time.sleep(3)  # the documents are indexed in a moment: into the articles
        assert server.readiness()["search"] == "building"
        seconds = server.stop()
    assert_stopped_cleanly(server, seconds)
    stopped = json.loads(manifest.read_text())
    assert stopped["state"] == "building" and stopped["builder"] == "", stopped  # stopped mid-way, abandoned

    query = {"query": '{ searchLegalBasis(query: "劳动合同 试用期", first: 3) { totalCount } }'}
    started = time.time()
    with serving(env, tmp_path / "second.log") as server:

        def rebuilding() -> bool:
            now = json.loads(manifest.read_text())
            return now["state"] == "building" and now["builder"] != "" and now["build"] != stopped["build"]

        wait_until(rebuilding, 60, "a new build to start")
        assert time.time() - started < search_manifest.STALE_AFTER / 2  # at once, not after the stale wait
        answer = httpx.post(f"{server.base}/graphql", json=query, timeout=30)
        assert answer.status_code == 200, answer.text
        errors = answer.json()["errors"]
        extensions = errors[0]["extensions"]
        assert extensions["code"] == "search_index_not_ready" and extensions["reason"] == "building", errors
        seconds = server.stop()
    assert_stopped_cleanly(server, seconds)


def test_sigterm_during_a_long_request_exits_within_10_s(database: str, tmp_path: Path) -> None:
    """A client that sends its body slowly keeps its request open: the stop gives it a grace, then ends it."""
    env = {**os.environ, "QINGQUAN_DATABASE_URL": database, "QINGQUAN_SEARCH_INDEXER": "false",
           "QINGQUAN_WEBHOOK_SENDER": "false"}  # fmt: skip
    with serving(env, tmp_path / "serve.log") as server, socket.create_connection(urlsplit(server.base).netloc.split(":")) as slow:
        slow.sendall(b"POST /graphql HTTP/1.1\r\nHost: qingquan.test\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n" + b'{"query": "{ units { totalCount } }", "variables": {"x": "')  # fmt: skip
        time.sleep(0.5)
        seconds = server.stop()
        answer = slow.recv(65536)
    assert_stopped_cleanly(server, seconds, quiet=False)
    assert "timeout graceful shutdown exceeded" in server.log()  # the request was given its grace, then ended
    assert answer.startswith(b"HTTP/1.1 503 ") and b"retry-after: 5" in answer.lower(), answer  # not a 500
    assert b'"code":"shutting_down"' in answer, answer


@contextmanager
def silent_receiver() -> Iterator[tuple[str, threading.Event]]:
    """An HTTP endpoint that takes a request and never answers (a webhook receiver hanging): its URL and an
    event set once a request came."""
    came = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        with suppress(OSError):
            while True:
                conn, _ = listener.accept()
                held.append(conn)
                conn.recv(65536)
                came.set()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook", came
    finally:
        listener.close()
        for conn in held:
            conn.close()


async def test_sigterm_during_a_webhook_round_exits_within_10_s_and_the_delivery_is_kept(
    database: str, tmp_path: Path
) -> None:
    with silent_receiver() as (url, came):
        hook = await register_webhook(
            ADMIN, WebhookData("hangs", url, Role.ADMIN, None, ("power.published",), "s" * 32), allow_private=True
        )
        delivery = await WebhookDelivery.create(webhook=hook, event="power.published", subject="power:0",
                                                payload={"event": "power.published"}, next_attempt_at=now())  # fmt: skip
        # deliveries earlier modules left due (to receivers that are gone) wait their turn after this one
        await WebhookDelivery.filter(status=DeliveryStatus.PENDING, id__not=delivery.id).update(next_attempt_at=now() + timedelta(days=1))
        env = {**os.environ, "QINGQUAN_DATABASE_URL": database, "QINGQUAN_SEARCH_INDEXER": "false",
               "QINGQUAN_WEBHOOK_INTERVAL": "0.2", "QINGQUAN_WEBHOOK_ALLOW_PRIVATE": "true"}  # fmt: skip
        with serving(env, tmp_path / "serve.log") as server:
            assert await asyncio.to_thread(came.wait, 30), "the webhook round did not send"
            seconds = server.stop()
    assert_stopped_cleanly(server, seconds)
    await delivery.refresh_from_db()
    # not sent, not failed: claimed for a while (its lease), then sent again
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert delivery.next_attempt_at > now() + timedelta(seconds=30)


# -- the database gone ----------------------------------------------------------------------------

UNITS = "{ units { totalCount } }"


class TcpProxy:
    """Forwards a local port to the database; `stop()` drops every connection and refuses new ones (the
    database gone, as when its host fails), `start()` serves again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.streams: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def _call(self, work: Any) -> None:
        asyncio.run_coroutine_threadsafe(work, self.loop).result(10)

    def start(self) -> None:
        async def listen() -> None:
            self.server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

        self._call(listen())

    def stop(self) -> None:
        async def drop() -> None:
            assert self.server is not None
            self.server.close()
            for stream in self.streams:
                stream.transport.abort()
            self.streams.clear()

        self._call(drop())

    def close(self) -> None:
        with suppress(Exception):
            self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.streams |= {writer, up_writer}

        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with suppress(OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))


def assert_unavailable(response: httpx.Response, media: str = "application/json") -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    assert response.headers["content-type"].startswith(media)
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "database_unavailable"
    assert "数据库暂时不可用" in error["message"] and "the database is unavailable" in error["message"]


def ask(server: Server, query: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{server.base}/graphql", params={"query": query}, headers=headers, timeout=30)


def assert_outage_answers(server: Server) -> None:
    """What every kind of request answers while the database cannot be reached: 503s, never a 500."""
    assert_unavailable(httpx.post(f"{server.base}/graphql", json={"query": "{ powers { totalCount } }"}, timeout=30))
    media = "application/graphql-response+json"
    assert_unavailable(ask(server, "{ powers { totalCount } }", accept=media), media)
    assert_unavailable(ask(server, UNITS, authorization="Bearer qq_not_checked_while_the_database_is_down"))
    assert_unavailable(httpx.get(f"{server.base}/files/1", timeout=30))
    assert_unavailable(httpx.get(f"{server.base}/open-data/catalog.json", timeout=30))
    ready = httpx.get(f"{server.base}/readyz", timeout=30)
    assert ready.status_code == 503 and ready.json() == {"status": "unavailable", "database": "down"}
    assert httpx.get(f"{server.base}/healthz", timeout=30).status_code == 200  # alive: no restart for an outage
    log = server.log()  # (asyncpg's pool logs its own retries with their tracebacks)
    assert "Exception in ASGI application" not in log and '" 500 ' not in log, log[-3000:]


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: a server the app reaches over the network")
def test_postgres_gone_answers_503_serves_cached_answers_stale_and_recovers(
    migrated_db_url: str, tmp_path: Path
) -> None:
    parts = urlsplit(migrated_db_url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    proxy.start()
    user = parts.netloc.rpartition("@")[0]
    through = urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{proxy.port}" if user else f"127.0.0.1:{proxy.port}"))
    env = {**os.environ, "QINGQUAN_DATABASE_URL": through, "QINGQUAN_SEARCH_INDEX_DIR": str(tmp_path / "index"),
           "QINGQUAN_WEBHOOK_SENDER": "false", "QINGQUAN_WORKERS": "1"}  # one process: one response cache  # fmt: skip
    try:
        with serving(env, tmp_path / "serve.log") as server:
            for _ in range(2):  # the first run validates the document; the second answer is cached
                fresh = ask(server, UNITS)
                assert fresh.status_code == 200 and "age" not in fresh.headers
            time.sleep(1.2)
            proxy.stop()
            stale = ask(server, UNITS)
            assert stale.status_code == 200 and stale.content == fresh.content
            assert stale.headers["warning"] == '110 - "Response is Stale"' and int(stale.headers["age"]) >= 1
            assert_outage_answers(server)
            proxy.start()
            wait_until(lambda: ask(server, "{ powers { totalCount } }").status_code == 200, 30, "recovery")
            again = ask(server, UNITS)
            assert again.status_code == 200 and "warning" not in again.headers
            assert server.readiness()["database"] == "up"
    finally:
        proxy.close()
