"""The search as a county serves it (issue 22's goal: ≥ 200 req/s at 16 clients for questions, keywords and
citations): `qingquan serve --workers N` driven over HTTP by wrk at 16 connections, where
bench/search_meaning_speed.py measures one process in process. The response cache is off
(QINGQUAN_RESPONSE_CACHE_BYTES=0: every request is searched); otherwise the server's settings are a
county's (its background jobs, the access log).

    QINGQUAN_DATABASE_URL=sqlite:///tmp/demo.sqlite3 QINGQUAN_SEARCH_INDEX_DIR=/tmp/demo-index \\
        .venv/bin/python bench/search_served.py [--workers 1] [--rounds 2] [--seconds 10]

The database as for bench/search_meaning_speed.py (the demo county with its library, indexed, embedded);
an SQLite database takes one worker (`serve` refuses more), PostgreSQL any (`--workers 1,2`). Each round
starts a server per (workers, words + meaning | words only: QINGQUAN_SEARCH_MEANING_MODEL=none | with
`--reference DIR`, words + meaning served from the code of another checkout, e.g. a worktree of main), in
turn, so that the columns are measured side by side. Per request kind (the queries of search_meaning_speed.py,
rotated by wrk's Lua script): req/s and p50 at 16 connections, and the CPU ms a request of the server's
processes (every process of its tree, from /proc, over the wrk run: the supervisor, the workers and their
threads). wrk runs on the same host and takes CPU of its own. Needs `wrk` on the PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.search_meaning_speed import CITATIONS, KEYWORDS, LEGAL, POWERS, legal_questions  # noqa: E402
from tests.test_search_meaning import resident_questions  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
LUA = """-- POST bodies in turn, each thread from its own place
local bodies = {%s}
local i = 0
init = function(args) i = math.random(#bodies) end
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json"}, bodies[i])
end
"""


def tree(root: int) -> list[int]:
    """`root` and its descendants (the worker processes of `serve`)."""
    parent: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parent.get(pid, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes, every thread (children that ended are not counted)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def wrk(port: int, script: str, seconds: float) -> tuple[float, float, int, int]:
    """req/s, p50 ms, requests, and non-2xx answers and socket errors of one wrk run at 16 connections."""
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds:g}s", "--timeout", "30s", "--latency", "-s", script, f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"\s50%\s+([\d.]+)(us|ms|s)\b", out).groups()
    p50 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    # connections a worker dropped (one killed mid-run by the supervisor, say) are socket errors, not answers
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return rate, p50, requests, (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)


def start(workers: int, meaning: bool, port: int, log: Path, code: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "QINGQUAN_RESPONSE_CACHE_BYTES": "0"}
    if not meaning:  # as a host without the model
        env["QINGQUAN_SEARCH_MEANING_MODEL"] = "none"
    if code:  # another checkout's modules before this one's (the venv's editable install comes after the path)
        env["PYTHONPATH"] = code
    server = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "qingquan"), "serve", "--workers", str(workers), "--port", str(port)],
        env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (see {log})")
        time.sleep(0.5)
    stop(server)
    raise SystemExit(f"the server did not answer in 120 s (see {log})")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def check(port: int, query: str, texts: list[str], meaning: bool) -> str:
    """Every body answers without errors (warming each worker up: the segmenter, the vectors); whether meaning
    was used, or why not."""
    reasons = set()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        for text in texts * 2:
            body = client.post("/graphql", json={"query": query, "variables": {"q": text}}).json()
            assert not body.get("errors"), body
            answer = next(iter(body["data"].values()))["understanding"]["meaning"]
            reasons.add("meaning" if answer["used"] else answer["reason"])
    return ", ".join(sorted(reasons))


def main(args: argparse.Namespace) -> None:
    kinds = (
        ("question → searchPowers", POWERS, [q for q, _ in resident_questions()]),
        ("keyword → searchPowers", POWERS, KEYWORDS),
        ("citation → searchLegalBasis", LEGAL, CITATIONS),
        ("question → searchLegalBasis", LEGAL, legal_questions()),
    )
    kinds = tuple(k for k in kinds if not args.only or any(word in k[0] for word in args.only))
    folder = Path(tempfile.mkdtemp(prefix="search-served-"))
    scripts = {}
    for name, query, texts in kinds:
        bodies = [json.dumps({"query": query, "variables": {"q": text}}) for text in texts]
        scripts[name] = folder / f"{len(scripts)}.lua"
        scripts[name].write_text(LUA % ", ".join(f"[==[{b}]==]" for b in bodies), encoding="utf-8")
    print(f"{os.environ.get('QINGQUAN_DATABASE_URL')}; wrk -t2 -c16 -d{args.seconds:g}s; server log {folder}/server.log")
    columns = [("words + meaning", True, None), ("words only", False, None)]
    if args.reference:
        columns.append((f"words + meaning, {args.reference}", True, args.reference))
    print("| round | workers | search | request | req/s at 16 | p50 ms | CPU ms a request | meaning | load |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for round_ in range(1, args.rounds + 1):
        for workers in args.workers:
            for mode, meaning, code in columns:
                server = start(workers, meaning, args.port, folder / "server.log", code)
                try:
                    for name, query, texts in kinds:
                        used = check(args.port, query, texts, meaning)
                        pids = tree(server.pid)
                        before = cpu_seconds(pids)
                        rate, p50, requests, bad = wrk(args.port, str(scripts[name]), args.seconds)
                        cpu = (cpu_seconds(pids) - before) * 1000 / max(requests, 1)
                        assert not bad, f"{bad} answers were not 2xx or were lost"
                        load = open("/proc/loadavg").read().split()[0]
                        print(f"| {round_} | {workers} | {mode} | {name} | {rate:.0f} | {p50:.1f} | {cpu:.2f} | {used} | {load} |",
                              flush=True)  # fmt: skip
                finally:
                    stop(server)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=lambda s: [int(w) for w in s.split(",")], default=[1],
                        help="worker counts, comma-separated (SQLite: 1 only)")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=2, help="rounds over every (workers, search) pair")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of wrk per request kind")
    parser.add_argument("--port", type=int, default=18473)
    parser.add_argument("--only", nargs="*", help="only the request kinds whose name has one of these words "
                        "(e.g. 'question → searchLegalBasis')")  # fmt: skip
    parser.add_argument("--reference", help="a third column: words + meaning served from another checkout's code "
                        "(e.g. a worktree of main), measured in the same rounds")  # fmt: skip
    main(parser.parse_args())
