"""Issue 27: what a request pays around execution, two trees of the code side by side in one run.

    .venv/bin/python bench/overhead_ab.py --database-url postgres://postgres@127.0.0.1:5432/h2_peers \\
        --tree old=/tmp/h2/old --tree new=. [--rounds 8] [--requests 200]

Each `--tree NAME=PATH` is a checkout of qingquan (an export of a commit, say) run by this virtualenv with
PATH first on sys.path: one long-lived process per tree, each opening the same database (already seeded and
migrated by the newest tree: bench/peers.py makes it) and building the app with `create_app(manage_db=False)`.
The processes take turns, the order rotating every round: each sends `--requests` requests of a query
through the whole ASGI app (the middlewares, the HTTP handler, the token check, execution, the answer),
called in process, no server and no socket. Around each turn this process reads the CPU time (user +
system, /proc) of the tree's process and of the PostgreSQL backends of its connections (bench/peers.py's
`backends_of`), and divides by the requests. The queries: the page of tests/test_query_count.py
(`first: 20`) and the trivial `{ viewer { role } }`, both with an ADMIN token, and the trivial one without
a token (public, which skips the token's statement; cached answers are off so that it executes). Every
tree's answers are checked equal to the first tree's before measuring.

It prints, per query and tree, the median CPU ms per request (app, PG, total) and the ratio to the first
tree, measured in the same rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

TRIVIAL = "{ viewer { role } }"


# -- the child: one tree's app, answering commands on stdin -----------------------------------------


async def child(
    tree: str, url: str, queries: dict[str, tuple[str, dict[str, Any], bool]], token: str
) -> None:
    """Build the tree's app and run `NAME N` commands: N requests of the named query, then `ok` + the
    answer of the last one on one line (JSON)."""
    os.environ["QINGQUAN_DATABASE_URL"] = url
    os.environ["QINGQUAN_RESPONSE_CACHE_BYTES"] = "0"  # the public query must execute like the others
    from domain import db
    from qingquan.app import create_app, tune_garbage_collection
    from qingquan.settings import get_settings

    settings = get_settings()
    await db.init(url)
    app = create_app(settings, manage_db=False)
    tune_garbage_collection(settings)

    async def request(body: bytes, with_token: bool) -> tuple[int, bytes]:
        headers = [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if with_token:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": "/graphql", "raw_path": b"/graphql", "query_string": b"", "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "state": {},
        }  # fmt: skip
        sent = False
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the client never disconnects
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, send)
        return status, b"".join(chunks)

    bodies = {
        name: (json.dumps({"query": query, "variables": variables}).encode(), with_token)
        for name, (query, variables, with_token) in queries.items()
    }
    loop = asyncio.get_running_loop()
    print("ready", flush=True)
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        name, n = line.split()
        body, with_token = bodies[name]
        for _ in range(int(n)):
            status, answer = await request(body, with_token)
        print("ok", json.dumps({"status": status, "answer": answer.decode()}), flush=True)


# -- the parent: turns, CPU, medians ----------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--tree",
        action="append",
        default=[],
        help="NAME=PATH[,KEY=VALUE...] of a checkout, with settings of its own (the first is the baseline)",
    )
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument(
        "--requests",
        type=int,
        default=200,
        help="requests of the page per turn (default 200; of the trivial queries, 10 ×)",
    )
    parser.add_argument("--only", default="", help="comma-separated queries to measure (default all)")
    parser.add_argument("--child", nargs=3, metavar=("TREE", "QUERIES", "TOKEN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    # bench/ holds search.py and docgen.py, which must not shadow the packages: it goes last
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
    if args.child:
        tree, queries, token = args.child
        sys.path.insert(0, tree)
        import uvloop  # as `qingquan serve` runs

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(child(tree, args.database_url, json.loads(queries), token))
        return
    sys.path.insert(0, str(REPO))
    sys.path.append(str(BENCH))
    from api_load import pg_value, qingquan, run
    from peers import backends_of, cpu_seconds

    from tests.test_query_count import PAGE

    url = args.database_url
    env = {**os.environ, "QINGQUAN_DATABASE_URL": url}
    token = (
        run(qingquan("token", "create", "--role", "ADMIN"), env, "qingquan token create")
        .strip()
        .splitlines()[-1]
    )
    queries = {
        "page": (PAGE, {"first": 20}, True),
        "trivial": (TRIVIAL, {}, True),
        "trivial-public": (TRIVIAL, {}, False),
    }
    if args.only:
        queries = {k: v for k, v in queries.items() if k in args.only.split(",")}
    trees = dict(item.split("=", 1) for item in args.tree)
    procs = {}
    for name, spec in trees.items():
        path, *settings = spec.split(",")
        tree = str(Path(path).resolve())
        child_env = {**env, **dict(item.split("=", 1) for item in settings), "PYTHONPATH": tree}
        command = [
            sys.executable,
            str(BENCH / "overhead_ab.py"),
            "--database-url",
            url,
            "--child",
            tree,
            json.dumps(queries),
            token,
        ]
        procs[name] = subprocess.Popen(
            command, env=child_env, cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        if procs[name].stdout.readline().strip() != "ready":  # type: ignore[union-attr]
            raise SystemExit(f"{name}: the app did not start")

    def turn(name: str, query: str, n: int) -> dict[str, Any]:
        proc = procs[name]
        backends = backends_of(url, proc.pid)
        app_before, pg_before = cpu_seconds(proc.pid), {b: cpu_seconds(b) for b in backends}
        proc.stdin.write(f"{query} {n}\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        reply = proc.stdout.readline()  # type: ignore[union-attr]
        app = cpu_seconds(proc.pid) - app_before
        pg = sum(cpu_seconds(b) - pg_before.get(b, 0.0) for b in backends_of(url, proc.pid))
        if not reply.startswith("ok "):
            raise SystemExit(f"{name}: {query} failed: {reply!r}")
        return {"app": app * 1000 / n, "pg": pg * 1000 / n, **json.loads(reply[3:])}

    try:
        first = next(iter(trees))
        for query in queries:
            answers = {name: turn(name, query, 30) for name in trees}  # and warm up
            for name, got in answers.items():
                if got["status"] != 200 or '"errors"' in got["answer"]:
                    raise SystemExit(f"{name}: {query} answered {got['status']}: {got['answer'][:300]}")
                if json.loads(got["answer"]) != json.loads(answers[first]["answer"]):
                    raise SystemExit(f"{name}: {query} answers differently from {first}")
        print(f"answers equal; load average {os.getloadavg()[0]:.1f} before", flush=True)
        cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
        order = list(trees)
        for r in range(args.rounds):
            for query in queries:
                for name in order[r % len(order) :] + order[: r % len(order)]:
                    n = args.requests * (
                        1 if query == "page" else 10
                    )  # a trivial query costs a tenth or less
                    cells.setdefault((query, name), []).append(turn(name, query, n))
            print(f"round {r + 1}/{args.rounds} done", flush=True)
        print(
            f"load average {os.getloadavg()[0]:.1f} after; {pg_value(url, 'SELECT version()')}".split(" on ")[
                0
            ]
        )
        print("| query | tree | app CPU ms/req | PG CPU ms/req | total | ÷ " + first + " |")
        print("| --- | --- | --- | --- | --- | --- |")
        for query in queries:
            base = statistics.median(c["app"] + c["pg"] for c in cells[(query, first)])
            for name in trees:
                rows = cells[(query, name)]
                app = statistics.median(c["app"] for c in rows)
                pg = statistics.median(c["pg"] for c in rows)
                total = statistics.median(c["app"] + c["pg"] for c in rows)
                print(f"| {query} | {name} | {app:.3f} | {pg:.3f} | {total:.3f} | {total / base:.3f} |")
    finally:
        for proc in procs.values():
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
