"""Issue 27: CPU per uncached page, side by side: the hand-written floor, PostGraphile 5 and qingquan.

    (cd bench/postgraphile && npm ci)            # once: PostGraphile 5 from npm into bench/postgraphile
    .venv/bin/python bench/peers.py [--database-url URL] [--reuse] [--rounds 7] [--seconds 4] [--workers N]
        [--label L] [--note TEXT] [--no-write] [--baseline DIR] [--port-base PORT]

What it does, in order:
1. prepares PostgreSQL like bench/api_load.py (default postgres://postgres@127.0.0.1:5432/qq_bench: dropped and
   seeded with the demo county unless `--reuse` finds it seeded) and makes an ADMIN token;
2. starts three servers on the same database, `--workers N` processes each (default: the cores), each with a
   pool of at most 5 connections: `qingquan serve` (search indexer on, as deployed; the embedder of the search
   by meaning off: its background work on a fresh database would count as the page's CPU), the floor
   (bench/floor_app.py: Starlette + asyncpg, eight statements) and PostGraphile 5 (bench/postgraphile/server.mjs:
   the Amber preset over the schema `public`, on Node with bench/postgraphile/shim.mjs for Node 20);
3. checks the answers: GraphQL's `data` equals the floor's (bench/floor_app.py), and PostGraphile's answer to
   bench/postgraphile/page.graphql, renamed to the app's fields (`to_app_shape`), equals the floor's too, for
   first 20, 0, 5 and 100: the same powers in the same order with the same fields and lists;
4. measures the page (`first: 20` of tests/test_query_count.py; qingquan and the floor with the ADMIN token,
   PostGraphile as its superuser connection) at 1 and 16 clients with wrk, in interleaved rounds (the order of
   the servers rotates every round; each cell waits until every server is idle). Per cell it reads, before and
   after, the CPU time (user + system, from /proc) of the server's processes (app) and of the PostgreSQL
   backends serving that server's connections (PG: the backends whose client port is a socket the server's
   processes hold), and divides by the requests wrk counted;
5. prints, per concurrency, the medians over rounds of req/s, p50 and CPU ms per request (app, PG, total) and the
   ratios to PostGraphile and to the floor, and the issue's goals; writes them into bench/RESULTS.md under
   "### <label>" of its own section.

`--baseline DIR` adds a fourth server, `qingquan serve` from another checkout (a worktree of the commit to
compare with: `git worktree add --detach DIR COMMIT`), on the same database with a copy of the search index,
measured in the same interleaved rounds; the goals then give this checkout's ratios to it. `--port-base PORT`
puts the servers on PORT, PORT+1... (a port range of one's own on a shared machine) instead of free ports.

The province of issue 20 (bench/province.py build: the demo county and 99 copies, 28,700 powers): `--database-url
postgres://…/qq_province --reuse`; the page is the same 20 powers (the demo county sorts first by code), the totals
count the province's, and the answers are checked equal there as well.

PostGraphile is run without authentication: it checks no token, where qingquan and the floor check one in the
database on every request (one statement, a few hundredths of a ms of PostgreSQL), so the comparison leans its way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
PEER = BENCH / "postgraphile"
SECTION = "## Uncached page: CPU per request of the floor, PostGraphile 5 and qingquan (`bench/peers.py`, issue 27)"
CLIENTS = (1, 16)
PAGE_SIZE = 20

sys.path.insert(0, str(REPO))
sys.path.append(str(BENCH))  # last: bench/search.py and bench/docgen.py must not shadow the packages

from api_load import (  # noqa: E402
    DEFAULT_URL,
    WORKDIR,
    Round,
    Scenario,
    free_port,
    git_commit,
    ms,
    pg_value,
    prepare_database,
    qingquan,
    run,
    server,
    tree_cpu_seconds,
    wait_feed_applied,
    wait_idle,
    write_results,
    wrk,
    wrk_script,
)
from floor_app import check_same_json, first_difference  # noqa: E402

from tests.test_query_count import PAGE  # noqa: E402

PEER_PAGE = (PEER / "page.graphql").read_text(encoding="utf-8")

Json = dict[str, Any]


# -- PostGraphile's answer in the app's shape -------------------------------------------------------


def to_app_shape(data: Json) -> Json:
    """PostGraphile's `data` for page.graphql renamed to the app's (and the floor's) fields."""

    def nodes(connection: Json) -> list[Json]:
        return connection["nodes"]

    def unit(u: Json | None, parent: bool) -> Json | None:
        if u is None:
            return None
        return {"name": u["name"], "parent": unit(u["unitByParentId"], False)} if parent else {"name": u["name"]}

    def basis(b: Json) -> Json:
        a = b["legalArticleByArticleId"]
        d = a["legalDocumentByDocumentId"]
        versions = [{"versionDate": v["versionDate"]} for v in nodes(d["legalWorkByWorkId"]["legalDocumentsByWorkId"])]
        document = {"title": d["title"], "level": d["level"], "status": d["status"], "versions": versions}
        return {"note": b["note"], "article": {"label": a["label"], "text": a["text"], "document": document}}

    def chart(c: Json | None) -> Json | None:
        if c is None:
            return None
        steps = []
        for s in nodes(c["flowStepsByChartId"]):
            p = s["positionByPositionId"]
            position = None if p is None else {"name": p["name"], "unit": {"name": p["unitByUnitId"]["name"]}}
            steps.append({"name": s["name"], "position": position})
        return {"title": c["title"], "steps": steps, "edges": [{"label": e["label"]} for e in nodes(c["flowEdgesByChartId"])]}

    edges = []
    for p in nodes(data["allPowers"]):
        edges.append({"node": {
            "code": p["code"],
            "name": p["name"],
            "unit": unit(p["unitByUnitId"], True),
            "rules": {"timeLimit": p["timeLimit"]},
            "bases": [basis(b) for b in nodes(p["powerBasesByPowerId"])],
            "flowChart": chart(p["flowChartByPowerId"]),
            "disclosureRecords": [{"channel": d["channel"]} for d in nodes(p["disclosureRecordsByPowerId"])],
            "operationRecords": [{"network": o["network"], "stage": o["stage"]} for o in nodes(p["operationRecordsByPowerId"])],
        }})
    return {"powers": {"totalCount": data["allPowers"]["totalCount"], "edges": edges}}


def check_peer(peer_url: str, floor_url: str, token: str, sizes: tuple[int, ...] = (20, 0, 5, 100)) -> list[str]:
    """PostGraphile's answer, renamed, equals the floor's for each page size."""
    import httpx

    lines = []
    with httpx.Client(timeout=120) as client:
        for first in sizes:
            p = client.post(peer_url, json={"query": PEER_PAGE, "variables": {"first": first}})
            f = client.post(floor_url, json={"query": PAGE, "variables": {"first": first}}, headers={"Authorization": f"Bearer {token}"})
            assert p.status_code == 200 and f.status_code == 200, (p.status_code, f.status_code, p.text[:300], f.text[:300])
            answer = p.json()
            assert "errors" not in answer, answer["errors"]
            got, expected = to_app_shape(answer["data"]), f.json()
            if got != expected:
                raise AssertionError(f"first={first}: PostGraphile differs from the floor: {first_difference(expected, got)}")
            lines.append(f"first={first}: equal ({len(got['powers']['edges'])} powers; PostGraphile {len(p.content)} bytes, floor {len(f.content)} bytes)")
    return lines


# -- whose PostgreSQL backends --------------------------------------------------------------------


def process_tree(pid: int) -> set[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    family, frontier = {pid}, {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier and p not in family}
        family |= frontier
    return family


def local_ports(pids: set[int]) -> set[int]:
    """The local TCP ports of the sockets these processes hold (/proc/PID/fd, /proc/net/tcp)."""
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[9] in inodes:
                ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def backends_of(url: str, app_pid: int) -> list[int]:
    """PostgreSQL backends (pids) connected to this database from the app's processes."""
    ports = local_ports(process_tree(app_pid))
    rows = pg_value(url, "SELECT coalesce(json_agg(json_build_array(pid, client_port)), '[]') FROM pg_stat_activity "
                         "WHERE datname = current_database() AND client_port IS NOT NULL AND pid <> pg_backend_pid()")
    return [pid for pid, port in json.loads(str(rows)) if port in ports]


def cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0  # gone
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the measurement ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Peer:
    key: str
    title: str
    scenario: Scenario
    base: str
    pid: int


@dataclass
class Cell:
    peer: Peer
    clients: int
    rounds: list[Round] = field(default_factory=list)
    app_ms: list[float] = field(default_factory=list)  # CPU per request, one per round
    pg_ms: list[float] = field(default_factory=list)

    def median(self, values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    @property
    def rps(self) -> float:
        return self.median([r.requests / r.seconds for r in self.rounds if r.seconds])

    @property
    def p50(self) -> float:
        return self.median([r.quantiles_ms[len(r.quantiles_ms) // 2] for r in self.rounds if r.requests])

    @property
    def total_ms(self) -> float:
        return self.median([a + p for a, p in zip(self.app_ms, self.pg_ms, strict=True)])

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)


def measure_cell(cell: Cell, url: str, script: Path, seconds: float) -> None:
    peer = cell.peer
    backends = backends_of(url, peer.pid)
    app_before = tree_cpu_seconds(peer.pid)
    pg_before = {b: cpu_seconds(b) for b in backends}
    r = wrk(peer.base, script, cell.clients, seconds, 1)
    app_after = tree_cpu_seconds(peer.pid)
    backends = backends_of(url, peer.pid)  # a pool may have opened connections during the round
    pg_cpu = sum(cpu_seconds(b) - pg_before.get(b, 0.0) for b in backends)
    n = max(r.requests, 1)
    cell.rounds.append(r)
    cell.app_ms.append((app_after - app_before) * 1000 / n)
    cell.pg_ms.append(pg_cpu * 1000 / n)


def table(cells: dict[tuple[str, int], Cell]) -> list[str]:
    lines = [
        "| server | clients | req/s | p50 | app CPU ms/req | PG CPU ms/req | total | ÷ PostGraphile | req/s ÷ floor | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for cell in cells.values():
        clients = cell.clients
        peer, floor = cells[("postgraphile", clients)], cells[("floor", clients)]
        lines.append(
            f"| {cell.peer.title} | {clients} | {cell.rps:.0f} | {ms(cell.p50)} | {cell.median(cell.app_ms):.2f} "
            f"| {cell.median(cell.pg_ms):.2f} | {cell.total_ms:.2f} | {cell.total_ms / peer.total_ms:.2f} "
            f"| {cell.rps / floor.rps:.2f} | {cell.errors} |"
        )
    return lines


def against_baseline(cells: dict[tuple[str, int], Cell], commit: str) -> list[str]:
    """This checkout's qingquan side by side with the baseline's (`--baseline`), per concurrency."""
    out = []
    for clients in CLIENTS:
        ours, theirs = cells[("qingquan", clients)], cells[("baseline", clients)]
        out.append(
            f"- qingquan ÷ baseline ({commit}) at {clients} client(s): total CPU per page {ours.total_ms / theirs.total_ms:.2f}"
            f" (app {ours.median(ours.app_ms) / theirs.median(theirs.app_ms):.2f}, PG"
            f" {ours.median(ours.pg_ms) / theirs.median(theirs.pg_ms):.2f}), req/s {ours.rps / theirs.rps:.2f},"
            f" p50 {ours.p50 / theirs.p50:.2f}"
        )
    return out


def goals(cells: dict[tuple[str, int], Cell]) -> list[str]:
    def verdict(ok: bool) -> str:
        return "met" if ok else "not met"

    out = []
    for clients in CLIENTS:
        ours, peer = cells[("qingquan", clients)], cells[("postgraphile", clients)]
        r = ours.total_ms / peer.total_ms
        out.append(
            f"- total CPU per page at {clients} client(s): {ours.total_ms:.2f} ms, {r:.2f} × PostGraphile's "
            f"{peer.total_ms:.2f} ms (goal ≤ 0.9: {verdict(r <= 0.9)})"
        )
    x = cells[("qingquan", 16)].rps / cells[("floor", 16)].rps
    p50 = cells[("qingquan", 1)].p50
    out.append(f"- ADMIN throughput at 16 clients: {x:.2f} of the floor (goal ≥ 0.5: {verdict(x >= 0.5)})")
    out.append(f"- p50 at 1 client: {ms(p50)} (goal ≤ 8 ms: {verdict(p50 <= 8)})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("QINGQUAN_BENCH_PG_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="keep the database if it already holds the demo county")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds of one cell (default 4)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes of each server (default: the cores)")
    parser.add_argument("--label", default="latest", help="subsection of RESULTS.md to write (replaced if present)")
    parser.add_argument("--note", default="", help="a paragraph to add under the table")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--baseline", type=Path, help="another checkout whose qingquan is measured beside this one")
    parser.add_argument("--port-base", type=int, help="the servers' ports from this one up (default: free ports)")
    args = parser.parse_args()
    for tool, hint in (("wrk", "apt-get install -y wrk"), ("node", "Node.js ≥ 20")):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: {hint}")
    if not (PEER / "node_modules" / "postgraphile").is_dir():
        raise SystemExit("PostGraphile is not installed: (cd bench/postgraphile && npm ci)")
    url: str = args.database_url
    workdir = WORKDIR / url.rsplit("/", 1)[1]
    workdir.mkdir(parents=True, exist_ok=True)
    index_dir = workdir / "index"
    env = {
        **os.environ, "QINGQUAN_DATABASE_URL": url, "QINGQUAN_SEARCH_INDEX_DIR": str(index_dir),
        "QINGQUAN_LOG_LEVEL": "warning", "PYTHONPATH": str(REPO),
        # the vectors of the search by meaning are computed once per database in the server's background
        # (minutes of CPU on a fresh one): none of the page's work, so off, or they count as the page's CPU
        "QINGQUAN_SEARCH_EMBEDDER": "false",
    }
    env.pop("QINGQUAN_SEARCH_URL", None)
    prepare_database(url, env, args.reuse, None, index_dir)
    if not index_dir.exists():
        print("building the search index (qingquan reindex)")
        run(qingquan("reindex"), env, "qingquan reindex")
    token = run(qingquan("token", "create", "--role", "ADMIN"), env, "qingquan token create").strip().splitlines()[-1]

    keys = ("qingquan", "floor", "postgraphile", *(("baseline",) if args.baseline else ()))
    ports = {key: args.port_base + i if args.port_base else free_port() for i, key in enumerate(keys)}
    base = {key: f"http://127.0.0.1:{port}" for key, port in ports.items()}
    w = str(args.workers)
    commands = {
        "qingquan": qingquan("serve", "--port", str(ports["qingquan"]), "--workers", w),
        "floor": [sys.executable, str(BENCH / "floor_app.py"), "serve", "--dsn", url, "--port", str(ports["floor"]), "--workers", w],
        "postgraphile": [
            "node", "--import", str(PEER / "shim.mjs"), str(PEER / "server.mjs"),
            "--dsn", url, "--port", str(ports["postgraphile"]), "--workers", w,
        ],
    }
    envs = {key: env for key in keys}
    cwds = {key: REPO for key in keys}
    if args.baseline:
        baseline = args.baseline.resolve()
        commands["baseline"] = qingquan("serve", "--port", str(ports["baseline"]), "--workers", w)
        baseline_index = workdir / "index-baseline"  # its own copy: each server keeps its index up to date
        shutil.rmtree(baseline_index, ignore_errors=True)
        shutil.copytree(index_dir, baseline_index)
        envs["baseline"] = {**env, "PYTHONPATH": str(baseline), "QINGQUAN_SEARCH_INDEX_DIR": str(baseline_index)}
        cwds["baseline"] = baseline
    page = json.dumps({"query": PAGE, "variables": {"first": PAGE_SIZE}})
    peer_page = json.dumps({"query": PEER_PAGE, "variables": {"first": PAGE_SIZE}})
    scenarios = {
        "floor": Scenario("floor", "floor", "/powers", (page,), token, '{"powers"', CLIENTS),
        "postgraphile": Scenario("postgraphile", "PostGraphile", "/graphql", (peer_page,), None, '{"data"', CLIENTS),
        "qingquan": Scenario("qingquan", "qingquan", "/graphql", (page,), token, '{"data"', CLIENTS),
        "baseline": Scenario("baseline", "baseline", "/graphql", (page,), token, '{"data"', CLIENTS),
    }
    titles = {
        "floor": "floor (Starlette + asyncpg)",
        "postgraphile": "PostGraphile 5.1.5 (Node " + subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() + ")",
        "qingquan": "`qingquan serve`, ADMIN token",
        "baseline": f"`qingquan serve` of {args.baseline and git_commit(args.baseline.resolve())} (baseline), ADMIN token",
    }
    scripts = {key: wrk_script(scenarios[key], workdir) for key in keys}

    started = time.monotonic()
    load_before = os.getloadavg()
    with ExitStack() as stack:
        procs = {
            key: stack.enter_context(server(cmd, envs[key], workdir / f"{key}.log", f"{base[key]}/healthz", cwds[key]))
            for key, cmd in commands.items()
        }
        wait_feed_applied(url)
        for key in ("qingquan", "baseline")[: 2 if args.baseline else 1]:
            for line in check_same_json(f"{base[key]}/graphql", f"{base['floor']}/powers", token):
                print(f"check {key}: {line}")
        for line in check_peer(f"{base['postgraphile']}/graphql", f"{base['floor']}/powers", token):
            print(f"check PostGraphile: {line}")
        peers = {key: Peer(key, titles[key], scenarios[key], base[key], procs[key].pid) for key in commands}
        cells = {(key, c): Cell(peers[key], c) for c in CLIENTS for key in ("floor", "postgraphile", "qingquan", *keys[3:])}
        pids = [p.pid for p in procs.values()]
        for key, script in scripts.items():  # warm up: every process, pools full, JIT and caches warm
            wait_idle(pids)
            wrk(base[key], script, 16, args.seconds, 1)
        order = list(commands)
        for round_no in range(1, args.rounds + 1):
            for clients in CLIENTS:
                for key in order:
                    wait_idle(pids)
                    cell = cells[(key, clients)]
                    measure_cell(cell, url, scripts[key], args.seconds)
                    r = cell.rounds[-1]
                    print(
                        f"round {round_no}, {key:12} × {clients:2}: {r.requests / r.seconds:6.0f} req/s, "
                        f"app {cell.app_ms[-1]:5.2f} ms, PG {cell.pg_ms[-1]:5.2f} ms per request, errors {r.errors}",
                        flush=True,
                    )
            order = order[1:] + order[:1]
    load_after = os.getloadavg()

    pg_version = str(pg_value(url, "SHOW server_version")).split(" ")[0]
    powers = pg_value(url, "SELECT count(*) FROM power")
    regions = int(str(pg_value(url, "SELECT count(DISTINCT region_code) FROM unit")))
    # bench/province.py's province holds the demo county and 99 copies of it, each under a region code of its own
    data = "the demo county" if regions <= 1 else f"a province of {regions} counties (bench/province.py)"
    header = textwrap.fill(
        f"Date: {date.today().isoformat()}. Commit: {git_commit()}. Machine: {os.cpu_count()} cores ({platform.machine()}),"
        f" Python {platform.python_version()}, PostgreSQL {pg_version} (local), wrk on the same machine; load average"
        f" {load_before[0]:.1f} / {load_before[1]:.1f} (1 / 5 min) before the run and {load_after[0]:.1f} /"
        f" {load_after[1]:.1f} after. Data: {data} ({powers} powers). Each server {args.workers} process(es)"
        " with a pool of at most 5 connections each; the page of tests/test_query_count.py, `first: 20`, with"
        " answers checked equal (first 0, 5, 20, 100). CPU per request: the server's processes (app) and the"
        " PostgreSQL backends of its connections (PG); medians of"
        f" {args.rounds} interleaved rounds of {args.seconds:g} s per cell; {time.monotonic() - started:.0f} s in all.",
        width=110,
    )
    shown = ["…" if i > 0 and sys.argv[i - 1] == "--note" else a for i, a in enumerate(sys.argv) if i > 0]
    command = f"    .venv/bin/python bench/peers.py {shlex.join(shown)}".rstrip()
    text = "\n".join([header, "", command, "", *table(cells), "", *goals(cells)])
    if args.baseline:
        text += "\n" + "\n".join(against_baseline(cells, git_commit(args.baseline.resolve())))
    if args.note:
        text += "\n\n" + textwrap.fill(args.note, width=110)
    print()
    print(text)
    if not args.no_write:
        write_results(args.label, text, SECTION)
        print(f"\nwritten to bench/RESULTS.md under ### {args.label}")


if __name__ == "__main__":
    main()
