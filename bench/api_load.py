"""Issue 9's yardstick: `qingquan serve` under load, side by side with a hand-written floor.

    apt-get install -y wrk        # the load generator (Debian package)
    .venv/bin/python bench/api_load.py [--quick] [--duration S] [--rounds N] [--workers N]
        [--label baseline] [--note TEXT] [--no-write] [--reuse] [--corpus PATH] [--database-url URL]

What it does, in order:
1. prepares PostgreSQL (default postgres://postgres@127.0.0.1:5432/qq_bench, or `--database-url`,
   or QINGQUAN_BENCH_PG_URL): drops and recreates that database (unless `--reuse` and it already
   holds the demo), then `qingquan seed-demo` (migrations, the packaged library, the demo county)
   and, with `--corpus`, `qingquan import-laws PATH`; creates an ADMIN token;
2. rebuilds the search index (`qingquan reindex`, into a directory of its own under
   /tmp/qq-api-bench), starts `qingquan serve` (search indexer on; `--workers N` if the CLI has
   that option) and the floor (`bench/floor_app.py serve`: Starlette + asyncpg on uvicorn) on
   free ports, waits until the change feed is applied, checks that GraphQL's `data` equals the
   floor's answer and that every search query finds articles, and probes GET /healthz at 1
   client on both (a tiny answer that takes tens of ms means Nagle's algorithm: TCP_NODELAY off);
3. measures with wrk: the page of 20 nested powers of tests/test_query_count.py through GraphQL
   with the ADMIN token, the same without a token (PUBLIC: fewer powers visible, so a different
   answer), and the floor, at 1, 16 and 64 clients; `searchLegalBasis` through GraphQL (the
   relevance test's 31 staff queries in turn, ADMIN token) at 1 and 16 clients. Every cell runs
   once per round and the rounds repeat (A, B, C, A, B, C …), so noise from other work on the
   machine falls on all of them; before each cell both servers must be idle (no CPU), so requests
   that wrk abandoned at the end of the previous cell cost the next one nothing. A round lasts
   `--duration` seconds (10; `--quick`: 3), longer for a slow cell: 8 × the latency expected from
   its warm-up throughput (clients ÷ req/s), at most `--max-duration` (60);
4. prints a markdown table (req/s, p50, p99, answer size, ratio to the floor, errors) and the
   issue's goals, and writes them into bench/RESULTS.md, section "GraphQL API under load", under
   "### <label>" (default `latest`): a run replaces the subsection of its own label only.

Percentiles pool the rounds (each round's latency distribution as 200 quantiles, weighted by its
number of requests). A cell whose p50 exceeds a quarter of its round is marked †: few requests
finish inside a round, so its throughput is understated. wrk counts as an error a failed
connection or read, a timeout (120 s), and a wrong answer: a status other than 200, or a body
that does not start as expected or mentions `"errors"`; the first wrong answer is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
RESULTS = BENCH / "RESULTS.md"
SECTION = "## GraphQL API under load, side by side with a hand-written floor (`bench/api_load.py`)"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qq_bench"
WORKDIR = Path(tempfile.gettempdir()) / "qq-api-bench"
CLIENTS = (1, 16, 64)
SEARCH_CLIENTS = (1, 16)
PAGE_SIZE = 20
QUANTILES = 200
ROUND_LATENCIES = 8  # a round lasts at least this many times the latency expected at its concurrency

sys.path.insert(0, str(REPO))
sys.path.append(str(BENCH))  # last: bench/search.py and bench/docgen.py must not shadow the packages

from floor_app import STATEMENTS, check_same_json  # noqa: E402

from tests.test_query_count import PAGE  # noqa: E402
from tests.test_search_relevance import CASES  # noqa: E402

# the query of bench/search.py (what a staff console asks for a legal basis)
SEARCH = """
query ($q: String!) {
  searchLegalBasis(query: $q, first: 10) {
    totalCount
    edges { node { score snippet titleHighlight article { id label } document { id title } } }
    facets { levels { level count } statuses { status count } documents { document { id title } count } }
  }
}
"""

WRK_SCRIPT = r"""
local bodies = {}
for _, path in ipairs({%(paths)s}) do
  local f = assert(io.open(path, "rb"))
  bodies[#bodies + 1] = f:read("*a")
  f:close()
end
local headers = {["Content-Type"] = "application/json"%(auth)s}
local expect = %(expect)s
local threads = {}
local n = 0
bad = 0
sample = ""

function setup(thread)
  table.insert(threads, thread)
end

function request()
  n = n %% #bodies + 1
  return wrk.format("POST", %(path)s, headers, bodies[n])
end

function response(status, hdrs, body)
  if status ~= 200 or string.sub(body, 1, #expect) ~= expect or string.find(body, '"errors"', 1, true) then
    bad = bad + 1
    if sample == "" then sample = status .. " " .. (string.gsub(string.sub(body, 1, 300), "%%s+", " ")) end
  end
end

function done(summary, latency, requests)
  local wrong, first_wrong = 0, ""
  for _, t in ipairs(threads) do
    wrong = wrong + (t:get("bad") or 0)
    if first_wrong == "" then first_wrong = t:get("sample") or "" end
  end
  local e = summary.errors
  local q = {}
  for k = 1, %(quantiles)d do q[k] = latency:percentile((k - 0.5) * 100 / %(quantiles)d) end
  io.write(string.format(
    'QQ_RESULT {"requests":%%d,"duration_us":%%d,"bytes":%%d,"connect":%%d,"read":%%d,"write":%%d,' ..
    '"status":%%d,"timeout":%%d,"wrong":%%d,"max_us":%%d,"quantiles_us":[%%s]}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    wrong, latency.max, table.concat(q, ",")))
  if first_wrong ~= "" then io.write("QQ_WRONG ", first_wrong, "\n") end
end
"""


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str
    bodies: tuple[str, ...]
    token: str | None
    expect: str  # what a right answer starts with
    clients: tuple[int, ...]


@dataclass
class Round:
    requests: int
    seconds: float
    bytes: int
    errors: int
    max_ms: float
    quantiles_ms: list[float]
    error_kinds: str  # e.g. "read 2, wrong 1 (first wrong answer: 500 ...)"
    wrong_answer: str  # the first wrong answer (status and the start of the body), if any


@dataclass
class Cell:
    scenario: Scenario
    clients: int
    seconds: float = 0.0  # of one round
    rounds: list[Round] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.rounds)

    @property
    def rps(self) -> float:
        seconds = sum(r.seconds for r in self.rounds)
        return self.requests / seconds if seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)

    @property
    def kib_per_response(self) -> float:
        return sum(r.bytes for r in self.rounds) / self.requests / 1024 if self.requests else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile (ms) of all rounds pooled: each round's quantiles weighted by its requests."""
        points = sorted((q, r.requests / len(r.quantiles_ms)) for r in self.rounds if r.requests for q in r.quantiles_ms)
        total = sum(w for _, w in points)
        if not total:
            return float("nan")
        seen = 0.0
        for value, weight in points:
            seen += weight
            if seen >= total * p / 100:
                return value
        return points[-1][0]


# -- processes ------------------------------------------------------------------------------------


_PORTS_TAKEN: set[int] = set()


def free_port() -> int:
    """A free local port: any, or the next free one of QINGQUAN_BENCH_PORTS (`18200-18299`: a range of one's
    own, on a machine whose users share out the ports)."""
    span = os.environ.get("QINGQUAN_BENCH_PORTS")
    candidates = [0] if not span else range(int(span.split("-")[0]), int(span.split("-")[1]) + 1)
    for port in candidates:
        if port in _PORTS_TAKEN:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            found = int(s.getsockname()[1])
            _PORTS_TAKEN.add(found)
            return found
    raise SystemExit(f"no free port in QINGQUAN_BENCH_PORTS={span}")


def qingquan(*args: str) -> list[str]:
    return [sys.executable, "-m", "qingquan", *args]


def run(command: Sequence[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def wait_http(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            if isinstance(exc, urllib.error.HTTPError) and exc.code < 500:
                return
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer within {seconds:.0f} s") from exc
        time.sleep(0.3)


@contextmanager
def server(
    command: Sequence[str], env: dict[str, str], log: Path, ready_url: str, cwd: Path = REPO
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            try:
                wait_http(ready_url)
            except SystemExit:
                raise SystemExit(f"{' '.join(command)} did not start; see {log}") from None
            yield proc
        finally:
            # the server and its workers form their own process group (start_new_session)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    family, frontier = {pid}, [pid]
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier and p not in family]
        family.update(frontier)
    return sum(times.get(p, 0.0) for p in family)


def wait_idle(pids: Sequence[int], timeout: float = 60.0) -> None:
    """Until the servers used < 5% of a core over 0.3 s: requests abandoned by wrk are done."""
    deadline = time.monotonic() + timeout
    before = sum(tree_cpu_seconds(p) for p in pids)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        after = sum(tree_cpu_seconds(p) for p in pids)
        if after - before < 0.015:
            return
        before = after


# -- the database ---------------------------------------------------------------------------------


async def _pg(url: str, sql: str, database: str | None = None) -> object:
    import asyncpg

    base, name = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    conn = await asyncpg.connect(f"{base}/{database or name}")
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def pg_value(url: str, sql: str, database: str | None = None) -> object:
    return asyncio.run(_pg(url, sql, database))


def prepare_database(url: str, env: dict[str, str], reuse: bool, corpus: Path | None, index_dir: Path) -> None:
    name = url.rsplit("/", 1)[1]
    exists = pg_value(url, f"SELECT count(*) FROM pg_database WHERE datname = '{name}'", "postgres")
    seeded = False
    if reuse and exists:
        seeded = bool(pg_value(url, "SELECT to_regclass('power') IS NOT NULL AND EXISTS (SELECT 1 FROM power)"))
    if seeded:
        print(f"reusing {url}")
        return
    print(f"recreating {url}; seeding the demo county")
    if exists:
        pg_value(url, f'DROP DATABASE "{name}" WITH (FORCE)', "postgres")
    pg_value(url, f'CREATE DATABASE "{name}"', "postgres")
    shutil.rmtree(index_dir, ignore_errors=True)
    run(qingquan("seed-demo"), env, "qingquan seed-demo")
    if corpus is not None:
        print(f"importing {corpus}")
        run(qingquan("import-laws", str(corpus)), env, "qingquan import-laws")


#: Changes some index has not applied yet (-1 while no index follows the feed). Only the indexes seen in the
#: last two minutes count (a running server's says so every 30 s, domain.change_feed.HEARTBEAT): one that no
#: server follows any more (bench/province.py's `qingquan reindex` of another folder, a stopped server's) would
#: hold the wait until its timeout.
LEFT_TO_APPLY = (
    "WITH c AS (SELECT * FROM change_consumer WHERE last_seen > now() - interval '2 minutes') "
    "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM c) THEN -1 ELSE (SELECT count(*) FROM change_feed f "
    "WHERE EXISTS (SELECT 1 FROM c WHERE (f.xid::text::bigint, f.id) > (c.xid, c.position))) END"
)


def wait_feed_applied(url: str, timeout: float = 900) -> None:
    """Until every index has applied the change feed (domain/change_feed.py)."""
    deadline = time.monotonic() + timeout
    while (left := int(str(pg_value(url, LEFT_TO_APPLY)))) != 0:
        if time.monotonic() > deadline:
            raise SystemExit(f"the change feed still holds {left} changes to apply after {timeout:.0f} s")
        time.sleep(2)


def check_search(url: str, bodies: Sequence[str], token: str) -> str:
    """The search queries answer without errors, and most find articles (an empty index answers fast;
    the relevance test's queries are for the whole corpus, so a few find nothing in the packaged library)."""
    found = []
    for body in bodies:
        request = urllib.request.Request(
            url, data=body.encode(), headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=60) as r:
            answer = json.loads(r.read())
        if answer.get("errors"):
            raise SystemExit(f"searchLegalBasis answers {json.dumps(answer, ensure_ascii=False)[:300]}")
        found.append(answer["data"]["searchLegalBasis"]["totalCount"])
    empty = sum(1 for n in found if not n)
    if empty > len(found) // 2:
        raise SystemExit(f"{empty} of {len(found)} search queries find nothing: is the search index empty?")
    return f"{len(found) - empty} of {len(found)} search queries find articles (up to {max(found)})"


# -- wrk ------------------------------------------------------------------------------------------


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string literal


def wrk_script(scenario: Scenario, workdir: Path) -> Path:
    paths = []
    for i, body in enumerate(scenario.bodies):
        path = workdir / f"{scenario.key}-{i}.json"
        path.write_text(body, encoding="utf-8")
        paths.append(lua_string(str(path)))
    auth = f', ["Authorization"] = {lua_string("Bearer " + scenario.token)}' if scenario.token else ""
    script = workdir / f"{scenario.key}.lua"
    script.write_text(WRK_SCRIPT % {
        "paths": ", ".join(paths), "auth": auth, "expect": lua_string(scenario.expect),
        "path": lua_string(scenario.path), "quantiles": QUANTILES,
    })
    return script


def wrk(base_url: str, script: Path, clients: int, seconds: float, threads: int) -> Round:
    command = [
        "wrk", f"--threads={min(threads, clients)}", f"--connections={clients}", f"--duration={seconds:g}s",
        "--timeout=120s", f"--script={script}", base_url,
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    out = done.stdout
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}) against {base_url}: {done.stderr.strip() or out.strip()}")
    line = next((x for x in out.splitlines() if x.startswith("QQ_RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out}")
    r = json.loads(line.removeprefix("QQ_RESULT "))
    errors = r["connect"] + r["read"] + r["write"] + r["timeout"] + max(r["status"], r["wrong"])
    kinds = ", ".join(f"{k} {r[k]}" for k in ("connect", "read", "write", "timeout", "status", "wrong") if r[k])
    wrong = next((x.removeprefix("QQ_WRONG ") for x in out.splitlines() if x.startswith("QQ_WRONG ")), "")
    if wrong:
        kinds += f" (first wrong answer: {wrong[:200]})"
    return Round(
        requests=r["requests"], seconds=r["duration_us"] / 1e6, bytes=r["bytes"], errors=errors,
        max_ms=r["max_us"] / 1000, quantiles_ms=[q / 1000 for q in r["quantiles_us"]], error_kinds=kinds,
        wrong_answer=wrong[:200],
    )


# -- the report -----------------------------------------------------------------------------------


def ms(value: float) -> str:
    if value != value:  # nan
        return "–"
    if value < 1:
        return f"{value:.2f} ms"
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "–"


def uvicorn_auto() -> str:
    """What uvicorn's `auto` loop and HTTP settings pick in this environment (they prefer uvloop and httptools)."""
    from importlib.util import find_spec

    loop = "uvloop" if find_spec("uvloop") else "asyncio"
    return f"{loop}, {'httptools' if find_spec('httptools') else 'h11'}"


def git_commit(repo: Path = REPO) -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    if not head:
        return "unknown (not a git work tree)"
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout.strip()
    return head + ("+dirty" if dirty else "")


def table(cells: dict[tuple[str, int], Cell]) -> list[str]:
    lines = [
        "| what | clients | req/s | p50 | p99 | KiB/answer | req/s ÷ floor | errors | s/round |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    slow = False
    for (key, clients), cell in cells.items():
        floor = cells.get(("floor", clients))
        vs = ratio(cell.rps, floor.rps) if floor and key in ("admin", "public", "floor") else "–"
        p50 = cell.percentile(50)
        mark = ""
        if p50 > cell.seconds * 1000 / 4:
            mark, slow = " †", True
        lines.append(
            f"| {cell.scenario.title} | {clients} | {cell.rps:.1f}{mark} | {ms(p50)} | {ms(cell.percentile(99))} "
            f"| {cell.kib_per_response:.1f} | {vs} | {cell.errors} | {cell.seconds:g} |"
        )
    if slow:
        lines.append("")
        lines.append("† p50 over a quarter of a round: few requests finish in a round, throughput is understated.")
    failed = [c for c in cells.values() if c.errors]
    if failed:
        lines.append("")
        lines.append("Errors (a wrong answer: a status other than 200, a body with `errors` or without `data`):")
        for cell in failed:
            kinds = "; ".join(r.error_kinds.split(" (first")[0] for r in cell.rounds if r.errors)
            lines.append(f"- {cell.scenario.title}, {plural(cell.clients, 'client')}: {kinds} (by round)")
        samples = sorted({r.wrong_answer for c in failed for r in c.rounds if r.wrong_answer})
        lines.extend(f"- a wrong answer: `{sample}`" for sample in samples)
    return lines


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def goals(cells: dict[tuple[str, int], Cell]) -> list[str]:
    def rps(key: str, clients: int) -> float:
        cell = cells.get((key, clients))
        return cell.rps if cell else float("nan")

    def p50(key: str, clients: int) -> float:
        cell = cells.get((key, clients))
        return cell.percentile(50) if cell else float("nan")

    def verdict(ok: bool) -> str:
        return "met" if ok else "not met"

    uncached = rps("admin", 16) / rps("floor", 16)
    collapse = rps("admin", 64) / rps("admin", 1)
    public = rps("public", 16) / rps("floor", 16)
    return [
        f"- uncached (ADMIN token) at 16 clients: {uncached:.2f} of the floor (goal ≥ 0.3: {verdict(uncached >= 0.3)})",
        f"- no collapse (ADMIN token): 64 clients give {collapse:.2f} of 1 client (goal ≥ 0.8: {verdict(collapse >= 0.8)})",
        f"- public (no token) at 16 clients: {public:.2f} of the floor (goal ≥ 1: {verdict(public >= 1)})",
        f"- searchLegalBasis: p50 {ms(p50('search', 1))} at 1 client (goal ≤ 4 ms: {verdict(p50('search', 1) <= 4)}), "
        f"{rps('search', 16):.0f} req/s at 16 clients (goal ≥ 250: {verdict(rps('search', 16) >= 250)})",
    ]


def write_results(label: str, text: str, section_title: str = SECTION) -> None:
    """Replace this label's subsection of the section (or add it, or the section) in RESULTS.md."""
    content = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = f"### {label}\n\n{text.strip()}\n"
    start = content.find(section_title)
    if start < 0:
        content = content.rstrip("\n") + f"\n\n{section_title}\n\n{block}"
    else:
        after = content.find("\n## ", start + len(section_title))
        end = len(content) if after < 0 else after + 1
        section = content[start:end]
        heading = re.compile(rf"^### {re.escape(label)}\n.*?(?=^### |\Z)", re.M | re.S)
        if heading.search(section):
            section = heading.sub(lambda _: block + "\n", section, count=1)
        else:
            section = section.rstrip("\n") + f"\n\n{block}\n"
        content = content[:start] + section.rstrip("\n") + "\n" + ("\n" + content[end:] if end < len(content) else "")
    RESULTS.write_text(content, encoding="utf-8")


# -- main ---------------------------------------------------------------------------------------


def probe_healthz(base: str, workdir: Path) -> float:
    """p50 (ms) of GET /healthz at 1 client for 2 s: a tiny answer, so tens of ms mean Nagle."""
    probe = workdir / "healthz.lua"
    probe.write_text('wrk.method = "GET"\n')
    out = subprocess.run(
        ["wrk", "-t1", "-c1", "-d2s", "--latency", f"--script={probe}", f"{base}/healthz"],
        capture_output=True, text=True, check=True,
    ).stdout
    found = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)$", out, re.M)
    if found is None:
        return float("nan")
    return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]


def check_alive(procs: Sequence[subprocess.Popen[bytes]], logs: Sequence[Path]) -> None:
    for proc, log in zip(procs, logs, strict=True):
        if proc.poll() is not None:
            raise SystemExit(f"{' '.join(map(str, proc.args))} exited ({proc.returncode}); see {log}")


def measure(
    cells: dict[tuple[str, int], Cell], bases: dict[str, str], scripts: dict[str, Path],
    procs: Sequence[subprocess.Popen[bytes]], logs: Sequence[Path], args: argparse.Namespace,
) -> None:
    """Warm up each scenario, size the rounds, then run the interleaved rounds."""
    pids = [p.pid for p in procs]
    warm_rps = {}
    for key, script in scripts.items():  # warm up (pool, caches), and a first figure of throughput
        check_alive(procs, logs)
        wait_idle(pids)
        warm = wrk(bases[key], script, 4, 2, args.threads)
        warm_rps[key] = max(warm.requests / warm.seconds, 0.1)
        print(f"warm-up, {key:6} ×  4,  2 s: {warm_rps[key]:7.1f} req/s, errors {warm.errors} {warm.error_kinds}")
    for cell in cells.values():
        # a round lasts at least ROUND_LATENCIES × the latency expected from the warm-up's throughput
        # (c clients / X req/s), so that most of its requests finish inside it (a server whose
        # throughput falls under load answers even later than that)
        expected = cell.clients / warm_rps[cell.scenario.key]
        cell.seconds = round(min(max(args.duration, ROUND_LATENCIES * expected), max(args.max_duration, args.duration)))
    for round_no in range(1, args.rounds + 1):
        for (key, clients), cell in cells.items():
            check_alive(procs, logs)
            wait_idle(pids)
            r = wrk(bases[key], scripts[key], clients, cell.seconds, args.threads)
            cell.rounds.append(r)
            print(
                f"round {round_no}, {key:6} × {clients:2d}, {cell.seconds:2g} s: {r.requests / r.seconds:7.1f} "
                f"req/s, p50 {ms(r.quantiles_ms[QUANTILES // 2])}, errors {r.errors} {r.error_kinds}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("QINGQUAN_BENCH_PG_URL", DEFAULT_URL))
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of one round of one cell (default 10)")
    parser.add_argument(
        "--max-duration", type=float, default=60.0,
        help=f"a slow cell's rounds last {ROUND_LATENCIES} × its expected latency, up to this (default 60 s)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds, interleaved (default 2)")
    parser.add_argument("--quick", action="store_true", help="3-s rounds (--duration 3)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: leave the cores to the servers)")
    parser.add_argument(
        "--workers", type=int, default=None,
        help="qingquan serve --workers N, and the floor's processes (default: the cores, if serve has the option)",
    )
    parser.add_argument("--floor-workers", type=int, default=None, help="the floor's uvicorn workers (default: --workers, else 1)")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it already holds the demo county")
    parser.add_argument("--corpus", type=Path, default=None, help="also import this Markdown corpus (e.g. ../shared/corpus/laws)")
    parser.add_argument("--label", default="latest", help="subsection of RESULTS.md to write (replaced if present)")
    parser.add_argument("--note", default="", help="a paragraph to add under the table (e.g. what else ran on the machine)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    if args.quick:
        args.duration = 3.0
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    url: str = args.database_url
    workdir = WORKDIR / url.rsplit("/", 1)[1]
    workdir.mkdir(parents=True, exist_ok=True)
    index_dir = workdir / "index"
    env = {
        **os.environ,
        "QINGQUAN_DATABASE_URL": url,
        "QINGQUAN_SEARCH_INDEX_DIR": str(index_dir),
        "QINGQUAN_LOG_LEVEL": "warning",
        "PYTHONPATH": str(REPO),
    }
    env.pop("QINGQUAN_SEARCH_URL", None)  # the embedded index

    prepare_database(url, env, args.reuse, args.corpus, index_dir)
    print("rebuilding the search index (qingquan reindex)")
    run(qingquan("reindex"), env, "qingquan reindex")
    token = run(qingquan("token", "create", "--role", "ADMIN"), env, "qingquan token create").strip().splitlines()[-1]
    has_workers = "--workers" in run(qingquan("serve", "--help"), env, "qingquan serve --help")
    if args.workers is not None and not has_workers:
        raise SystemExit("qingquan serve has no --workers option (yet)")
    if has_workers and args.workers is None:
        args.workers = os.cpu_count() or 1  # the app's default, said out loud, and the floor's too
    floor_workers = args.floor_workers or args.workers or 1
    gql_port, floor_port = free_port(), free_port()
    gql_cmd = qingquan("serve", "--port", str(gql_port))
    if args.workers is not None:
        gql_cmd += ["--workers", str(args.workers)]
    floor_cmd = [
        sys.executable, str(BENCH / "floor_app.py"), "serve", "--dsn", url, "--port", str(floor_port),
        "--workers", str(floor_workers),
    ]
    gql_base, floor_base = f"http://127.0.0.1:{gql_port}", f"http://127.0.0.1:{floor_port}"

    page = json.dumps({"query": PAGE, "variables": {"first": PAGE_SIZE}})
    searches = tuple(json.dumps({"query": SEARCH, "variables": {"q": q}}) for q, _, _ in CASES)
    floor_title = f"floor (Starlette + asyncpg, {STATEMENTS} SQL statements)"
    scenarios = [
        Scenario("admin", "`qingquan serve`, ADMIN token", "/graphql", (page,), token, '{"data"', CLIENTS),
        Scenario("public", "`qingquan serve`, no token (public)", "/graphql", (page,), None, '{"data"', CLIENTS),
        Scenario("floor", floor_title, "/powers", (page,), token, '{"powers"', CLIENTS),
        Scenario("search", "`searchLegalBasis`, ADMIN token", "/graphql", searches, token, '{"data"', SEARCH_CLIENTS),
    ]
    scripts = {s.key: wrk_script(s, workdir) for s in scenarios}
    bases = {s.key: floor_base if s.key == "floor" else gql_base for s in scenarios}
    cells = {(s.key, c): Cell(s, c) for c in CLIENTS for s in scenarios if c in s.clients}

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    logs = [workdir / "qingquan-serve.log", workdir / "floor.log"]
    with server(gql_cmd, env, logs[0], f"{gql_base}/healthz") as gql, \
            server(floor_cmd, env, logs[1], f"{floor_base}/healthz") as floor:
        print("waiting for the change feed to be applied (the server indexes in the background)")
        wait_feed_applied(url)
        for line in check_same_json(f"{gql_base}/graphql", f"{floor_base}/powers", token):
            print(f"check: {line}")
        print(f"check: {check_search(f'{gql_base}/graphql', searches, token)}")
        pids = [gql.pid, floor.pid]
        probes = {}
        for what, base in (("qingquan serve", gql_base), ("the floor", floor_base)):
            wait_idle(pids)
            probes[what] = probe_healthz(base, workdir)
        print(f"GET /healthz p50 at 1 client: {probes}")
        measure(cells, bases, scripts, [gql, floor], logs, args)
    load_after = os.getloadavg()[0]

    powers = pg_value(url, "SELECT count(*) FROM power")
    public = pg_value(url, "SELECT count(*) FROM power WHERE status = 'PUBLISHED' AND disclosure_scope = 'PUBLIC' AND NOT confidential")
    pg_version = str(pg_value(url, "SHOW server_version")).split(" ")[0]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" [")[0]
    workers = f"`--workers {args.workers}`" if args.workers is not None else "one process (it has no `--workers` option)"
    nagle = [what for what, p50 in probes.items() if p50 >= 20]
    sentences = [
        f"Date: {date.today().isoformat()}. Commit: {git_commit()}.",
        f"Machine: {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()},"
        f" PostgreSQL {pg_version} (local), {wrk_version} ({args.threads} thread, on the same machine);"
        f" load average {load_before:.1f} before the run and {load_after:.1f} after.",
        f"`qingquan serve`: {workers}, search indexer on. Floor: {floor_workers} uvicorn process(es),"
        " asyncpg pool of 5 connections like tortoise's; both on uvicorn's defaults"
        f" ({uvicorn_auto()} here).",
        f"Data: the demo county ({powers} powers, {public} of them public), "
        + (f"the packaged library + the corpus {args.corpus}." if args.corpus else "the packaged library (26,196 articles).")
        + f" The page: `first: {PAGE_SIZE}` of tests/test_query_count.py; GraphQL's `data` equals the floor's"
        " answer (checked for first 0, 5, 20, 100 before measuring).",
        f"{args.rounds} interleaved rounds per cell of at least {args.duration:g} s each (s/round),"
        f" {time.monotonic() - started:.0f} s in all.",
        f"GET /healthz p50 at 1 client: qingquan serve {ms(probes['qingquan serve'])}, the floor"
        f" {ms(probes['the floor'])}"
        + (f" — {', '.join(nagle)}: ≥ 20 ms, TCP_NODELAY is probably off." if nagle else " (no sign of Nagle delays)."),
    ]
    header = textwrap.fill(" ".join(sentences), width=110)
    shown = ["…" if i > 0 and sys.argv[i - 1] == "--note" else a for i, a in enumerate(sys.argv) if i > 0]
    command = f"    .venv/bin/python bench/api_load.py {shlex.join(shown)}".rstrip()
    text = "\n".join([header, "", command, "", *table(cells), "", *goals(cells)])
    if args.note:
        text += "\n\n" + textwrap.fill(args.note, width=110)
    print()
    print(text)
    if not args.no_write:
        write_results(args.label, text)
        print(f"\nwritten to {RESULTS.relative_to(REPO)} under ### {args.label}")


if __name__ == "__main__":
    main()
