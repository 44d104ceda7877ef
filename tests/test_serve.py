"""`qingquan serve` as a real process: uvicorn on a free local port, requests over TCP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import REPO, run_cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(env: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """`qingquan serve` on a free port with `env`: yields its base URL, once it answers, and a list
    that holds the server's output once it has stopped."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "qingquan", "serve", "--port", str(port)],
        env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base, output = f"http://127.0.0.1:{port}", []
    try:
        deadline = time.monotonic() + 90  # start-up (migrate, workers, the word segmenter) on a loaded machine
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "server did not start"
            time.sleep(0.1)
        yield base, output
    finally:
        server.terminate()
        output.append(server.communicate(timeout=10)[0])


def test_serve_answers_graphql_health_and_readiness(fresh_db_url: str) -> None:
    token = run_cli("token", "create", "--role", "ADMIN", db_url=fresh_db_url).stdout.strip().splitlines()[-1]
    env = {**os.environ, "QINGQUAN_DATABASE_URL": fresh_db_url}
    with serving(env) as (base, output):
        assert httpx.get(f"{base}/readyz").json() == {"status": "ok", "database": "up"}
        public = httpx.post(f"{base}/graphql", json={"query": "{ viewer { role } units { totalCount } }"})
        assert public.json() == {"data": {"viewer": {"role": "PUBLIC"}, "units": {"totalCount": 0}}}
        admin = httpx.get(
            f"{base}/graphql", params={"query": "{ viewer { role } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert admin.json() == {"data": {"viewer": {"role": "ADMIN"}}}
    assert "Traceback" not in output[0], output[0]


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


def test_serve_believes_forwarded_addresses_only_from_named_proxies(fresh_db_url: str) -> None:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default: a caller on the host (or behind a proxy
    that passes the header on) named a new address each time and was never limited."""
    token = run_cli("token", "create", "--role", "ADMIN", db_url=fresh_db_url).stdout.strip().splitlines()[-1]
    env = {**os.environ, "QINGQUAN_DATABASE_URL": fresh_db_url, "QINGQUAN_COMPLAINT_RATE_LIMIT": "2", "QINGQUAN_WORKERS": "1",
           "QINGQUAN_SEARCH_INDEXER": "false", "QINGQUAN_WEBHOOK_SENDER": "false"}  # fmt: skip
    env.pop("QINGQUAN_TRUSTED_PROXIES", None)
    with serving(env) as (base, output):
        unit = {"code": "XFF01", "name": "转发测试局", "kind": "DEPARTMENT", "regionCode": "360723"}
        made = httpx.post(f"{base}/graphql", json={"query": UNIT, "variables": {"input": unit}},
                          headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
        assert "id" in made["data"]["createUnit"], made
        unit_id = made["data"]["createUnit"]["id"]
        forwarded = [f"198.51.100.{n}" for n in range(3)]
        assert complaints_through(base, unit_id, forwarded) == ["ComplaintReceipt"] * 2 + ["RateLimitedError"]
    # the proxy named: each forwarded client has its own allowance (the server's own address keeps its count)
    with serving({**env, "QINGQUAN_TRUSTED_PROXIES": "127.0.0.1,::1"}) as (base, output):
        assert complaints_through(base, unit_id, [f"198.51.100.{n}" for n in range(10, 13)]) == ["ComplaintReceipt"] * 3
        assert complaints_through(base, unit_id, ["198.51.100.20"] * 3)[-1] == "RateLimitedError"
    assert "Traceback" not in output[0], output[0]
