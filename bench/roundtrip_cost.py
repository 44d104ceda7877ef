"""Issue 27: what the trivial query's parts cost in the `/graphql` endpoint, alone and together.

    .venv/bin/python bench/roundtrip_cost.py --database-url postgres://postgres@127.0.0.1:5432/h2_peers \\
        --token TOKEN [--rounds 16] [--requests 300]

In one process (uvloop, as `qingquan serve`), the endpoint of `/graphql` (QingquanGraphQL, no middlewares) answers
`{ viewer { role } }` with an ADMIN token, with its two parts each either real or replaced by a stand-in that
costs nothing: the token check (`viewer_from_headers`: the token's row read from the database) and strawberry's
execution (`schema.execute`). More variants put a database round trip of no use (`SELECT 1` through
tortoise), a bare turn of the event loop (`asyncio.sleep(0)`) or an idle wait (`asyncio.sleep(0.0002)`) in the
token check's place. Every variant runs
`--requests` requests per turn, the variants in turns, `--rounds` times; it prints the median CPU time of the
process per request (time.process_time, µs).

What it shows (bench/RESULTS.md, h2): the parts do not add up. A real round trip to PostgreSQL before the
execution makes the execution's Python cost more than it costs after no round trip or after a bare turn of the
loop: the process gives up its core while it waits, and what it runs next runs colder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]  # bench/search.py shadows search
sys.path.insert(0, str(BENCH.parent))

BODY = json.dumps({"query": "{ viewer { role } }"}).encode()


async def main(url: str, token: str, rounds: int, requests: int) -> None:
    os.environ["QINGQUAN_DATABASE_URL"] = url
    import uvloop  # noqa: F401  (the runner below uses it)
    from strawberry.types.execution import ExecutionResult
    from tortoise import connections

    import qingquan.app as app_module
    from domain import db
    from qingquan.app import create_app, tune_garbage_collection
    from qingquan.settings import get_settings

    settings = get_settings()
    await db.init(url)
    app = create_app(settings, manage_db=False)
    tune_garbage_collection(settings)
    endpoint = next(
        r.endpoint for r in app.routes if getattr(r, "path", "") == "/graphql" and hasattr(r, "methods")
    )
    viewer = await app_module.viewer_from_headers(f"Bearer {token}")
    headers = [(b"content-type", b"application/json"), (b"authorization", f"Bearer {token}".encode())]

    async def request() -> None:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": "/graphql", "raw_path": b"/graphql", "query_string": b"", "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "state": {},
        }  # fmt: skip
        started: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": BODY, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.append(message["status"])

        await endpoint(scope, receive, send)
        if started != [200]:
            raise SystemExit(f"answered {started}")

    real_check, real_execute = app_module.viewer_from_headers, endpoint.schema.execute
    database = connections.get("default")

    async def no_check(authorization: str | None) -> Any:
        return viewer

    async def loop_turn(authorization: str | None) -> Any:
        await asyncio.sleep(0)
        return viewer

    async def sleep(authorization: str | None) -> Any:
        await asyncio.sleep(0.0002)
        return viewer

    async def select_1(authorization: str | None) -> Any:
        await database.execute_query("SELECT 1")
        return viewer

    async def no_execute(*args: Any, **kwargs: Any) -> ExecutionResult:
        return ExecutionResult(data={"viewer": {"role": viewer.role.value}}, errors=None)

    variants = {
        "token check + execution (as served)": (real_check, real_execute),
        "token check, no execution": (real_check, no_execute),
        "execution, no token check": (no_check, real_execute),
        "neither": (no_check, no_execute),
        "SELECT 1 + execution": (select_1, real_execute),
        "SELECT 1, no execution": (select_1, no_execute),
        "a turn of the loop + execution": (loop_turn, real_execute),
        "a 0.2 ms sleep + execution": (sleep, real_execute),
        "a 0.2 ms sleep, no execution": (sleep, no_execute),
    }
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, (check, execute) in variants.items():
            app_module.viewer_from_headers, endpoint.schema.execute = check, execute
            for _ in range(requests // 6):  # warm up in this variant
                await request()
            before = time.process_time()
            for _ in range(requests):
                await request()
            cpu[name].append((time.process_time() - before) / requests * 1e6)
    print(
        f"load average {os.getloadavg()[0]:.1f} after; CPU µs per request, medians of {rounds} turns of {requests}"
    )
    for name, values in cpu.items():
        print(f"| {name} | {statistics.median(values):.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--token", required=True, help="an ADMIN token of that database (`qingquan token create`)"
    )
    parser.add_argument("--rounds", type=int, default=16)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    import uvloop

    print(f"load average {os.getloadavg()[0]:.1f} before")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main(args.database_url, args.token, args.rounds, args.requests))
