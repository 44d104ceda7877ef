"""Issue 20: does a query's cost grow with the data? The demo county against a province of 100 counties.

    .venv/bin/python bench/province.py build      # the two databases (minutes; safe to run again)
    .venv/bin/python bench/province.py bench [--rounds 5] [--seconds 1.5] [--label L] [--note T] [--no-write]
    .venv/bin/python bench/province.py all        # both

`build` prepares two PostgreSQL databases (`--county-url`, default postgres://postgres@127.0.0.1:5432/qq_county,
and `--province-url`, default …/qq_province; created if missing):
- the county: `qingquan seed-demo` (the packaged library and the demo county: 202 units, 287 powers);
- the province: the same, then the county copied 99 times in bulk SQL, in one transaction, each copy under a
  region code of its own (361001 … 361099; the demo is 360723): units, positions, powers, their bases, flow
  charts, steps and edges, disclosure and operation records and published versions, every id shifted by
  copy × STRIDE and every foreign key with it, unit and power codes rewritten to the copy's region. A province
  already holding its copies is left alone; a run that stopped midway left nothing (one transaction);
- the search index of each (`qingquan reindex`, into a folder of its own under /tmp/qq-province-bench).

`bench` starts `qingquan serve --workers 1` on each database side by side (response cache off:
`QINGQUAN_RESPONSE_CACHE_BYTES=0`, so a public query is computed every time as on a cache miss; the rows "facets
counted each time" ask a second server on each side that keeps no search facets either,
`QINGQUAN_SEARCH_FACET_CACHE=0`, so that a search's cold cost is measured beside its warm one), checks that
every query answers without errors on both, and then runs each query of the portal and the staff console in
interleaved rounds (county then province, province then county in the next round): a cell sends the same
number of requests one after another to one server and reads that server's CPU time (user + system, the
process and its children, from /proc) before and after. Per query it prints the median over rounds of CPU ms
per request on each side and their ratio (province ÷ county; the goal is ≤ 1.2), with the median and range of the
per-round ratios, and writes the table into bench/RESULTS.md under "### <label>" of its own section.

The original county keeps its ids and codes in the province and sorts first by code, so a page of the county
shows the same rows on both sides (only totals differ): the queries ask about the demo's units and powers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
sys.path.insert(0, str(REPO))
sys.path.append(str(BENCH))  # last: bench/search.py and bench/docgen.py must not shadow the packages

from api_load import (  # noqa: E402
    free_port,
    git_commit,
    pg_value,
    qingquan,
    run,
    server,
    tree_cpu_seconds,
    wait_feed_applied,
    wait_idle,
    write_results,
)

from tests.test_query_count import PAGE  # noqa: E402

SECTION = "## Province scale: CPU per request, the county against 100 counties (`bench/province.py`)"
PG = "postgres://postgres@127.0.0.1:5432"
WORKDIR = Path(tempfile.gettempdir()) / "qq-province-bench"
COPIES = 100  # counties in the province, the demo's included
STRIDE = 1_000_000  # copy k's rows have ids shifted by k × STRIDE
REGION = "360723"  # the demo county's (domain/demo/spec.py)
DEPARTMENT = "36072308"  # 国土资源局, with its offices (the unit page's subtree)
POWER = "36072308XK-0001"  # a published power of it, with bases and a flow chart


def region_of(copy: int) -> str:
    return f"{361000 + copy}"


# -- the province ---------------------------------------------------------------------------------

#: Tables of the county copied into each new county, in an order that satisfies the foreign keys.
#: Which columns hold ids is read from the database's own foreign keys (plus `id`); these are the
#: other columns to shift (ids without a foreign key) or to rewrite (codes beginning with the region).
TABLES = (
    "unit", "position", "power", "power_basis", "flow_chart", "flow_step", "flow_edge", "operation_record",
    "disclosure_record", "power_version",
)  # fmt: skip
UNKEYED_IDS = {"power_version": ("unit_id",)}
CODES = {"unit": ("code",), "power": ("code",)}
REGIONS = {"unit": ("region_code",)}
SNAPSHOTS = {"power_version": ("snapshot",)}  # JSON holding codes: "360723… → "361001…


def copy_statement(table: str, columns: list[tuple[str, str]], keys: set[str]) -> str:
    """One INSERT … SELECT of every copy of `table`'s county rows (ids below STRIDE: the demo's own)."""
    names, values = [], []
    for name, kind in columns:
        names.append(f'"{name}"')
        if name in keys or name in UNKEYED_IDS.get(table, ()):
            values.append(f'"{name}" + k * {STRIDE}')
        elif name in CODES.get(table, ()):
            values.append(f'(361000 + k)::text || substr("{name}", {len(REGION) + 1})')
        elif name in REGIONS.get(table, ()):
            values.append("(361000 + k)::text")
        elif name in SNAPSHOTS.get(table, ()):
            values.append(f"replace(\"{name}\"::text, '\"{REGION}', '\"' || (361000 + k)::text)::{kind}")
        else:
            values.append(f'"{name}"')
    return (
        f'INSERT INTO "{table}" ({", ".join(names)}) SELECT {", ".join(values)} '
        f'FROM "{table}" CROSS JOIN generate_series(1, {COPIES - 1}) AS k WHERE "{table}".id < {STRIDE} ORDER BY k, id'
    )


async def _replicate(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        regions = await conn.fetchval("SELECT count(DISTINCT region_code) FROM unit")
        if regions >= COPIES:
            print(f"the province already holds {regions} counties")
            return
        if regions != 1 or await conn.fetchval(f"SELECT max(id) FROM unit WHERE id >= {STRIDE}"):
            raise SystemExit(
                f"{url} holds {regions} regions: expected the demo county alone (drop the database)"
            )
        foreign = await conn.fetch(
            "SELECT tc.table_name AS t, kcu.column_name AS c, ccu.table_name AS target FROM information_schema.table_constraints tc"
            " JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name"
            " JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name"
            " WHERE tc.constraint_type = 'FOREIGN KEY'"
        )
        async with conn.transaction():
            for table in TABLES:
                top = await conn.fetchval(f'SELECT coalesce(max(id), 0) FROM "{table}"')
                if top >= STRIDE:
                    raise SystemExit(f"{table} has ids up to {top}: more than STRIDE ({STRIDE}) allows")
                columns = [
                    (r["column_name"], r["data_type"])
                    for r in await conn.fetch(
                        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1"
                        " ORDER BY ordinal_position",
                        table,
                    )
                ]
                keys = {"id"} | {r["c"] for r in foreign if r["t"] == table and r["target"] in TABLES}
                started = time.monotonic()
                status = await conn.execute(copy_statement(table, columns, keys))
                print(
                    f"  {table:18} {int(status.split()[-1]):>9,} rows in {time.monotonic() - started:5.1f} s",
                    flush=True,
                )
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )
            # every copied power is found by search once the index is rebuilt (qingquan reindex), not through the outbox
        await conn.execute("VACUUM ANALYZE")  # as autovacuum does in time: index-only scans see the copies as visible
    finally:
        await conn.close()


def ensure_database(url: str, env: dict[str, str]) -> None:
    name = url.rsplit("/", 1)[1]
    if not pg_value(url, f"SELECT count(*) FROM pg_database WHERE datname = '{name}'", "postgres"):
        pg_value(url, f'CREATE DATABASE "{name}"', "postgres")
    if pg_value(url, "SELECT to_regclass('power') IS NOT NULL") and pg_value(
        url, "SELECT EXISTS (SELECT 1 FROM power)"
    ):
        print(f"{name}: the demo county is there")
        return
    print(f"{name}: qingquan seed-demo", flush=True)
    started = time.monotonic()
    run(qingquan("seed-demo"), env, "qingquan seed-demo")
    print(f"{name}: seeded in {time.monotonic() - started:.0f} s")


def environment(url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "QINGQUAN_DATABASE_URL": url,
        "QINGQUAN_SEARCH_INDEX_DIR": str(WORKDIR / url.rsplit("/", 1)[1] / "index"),
        "QINGQUAN_LOG_LEVEL": "warning",
        "QINGQUAN_RESPONSE_CACHE_BYTES": "0",  # every request computes its answer
        # no background embedding during the rounds (the province's copies and the library have no vectors: the
        # servers would embed them meanwhile); searches rank by words, the bench's queries are keywords anyway
        "QINGQUAN_SEARCH_EMBEDDER": "0",
        "PYTHONPATH": str(REPO),
    }
    env.pop("QINGQUAN_SEARCH_URL", None)  # the embedded index
    return env


def reindex(url: str, env: dict[str, str], force: bool) -> None:
    index = Path(env["QINGQUAN_SEARCH_INDEX_DIR"])
    marker = index.parent / "indexed"
    if marker.exists() and not force:
        return
    print(f"{url.rsplit('/', 1)[1]}: qingquan reindex", flush=True)
    started = time.monotonic()
    shutil.rmtree(index, ignore_errors=True)
    run(qingquan("reindex"), env, "qingquan reindex")  # the index records how far it has applied the feed
    marker.write_text(date.today().isoformat())
    print(f"  reindexed in {time.monotonic() - started:.0f} s")


def build(county: str, province: str) -> None:
    for url in (county, province):
        (WORKDIR / url.rsplit("/", 1)[1]).mkdir(parents=True, exist_ok=True)
        ensure_database(url, environment(url))
    print(f"{province.rsplit('/', 1)[1]}: copying the county {COPIES - 1} times", flush=True)
    import asyncio

    regions_before = pg_value(province, "SELECT count(DISTINCT region_code) FROM unit")
    asyncio.run(_replicate(province))
    grown = pg_value(province, "SELECT count(DISTINCT region_code) FROM unit") != regions_before
    for url in (county, province):
        reindex(url, environment(url), force=grown and url == province)
    for url in (county, province):
        counts = {
            t: pg_value(url, f'SELECT count(*) FROM "{t}"')
            for t in ("unit", "power", "flow_step", "operation_record")
        }
        print(f"{url.rsplit('/', 1)[1]}: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))


# -- the queries ----------------------------------------------------------------------------------

PORTAL_UNITS = (
    "query PortalUnits($after: String) { units(first: 100, after: $after) { pageInfo { hasNextPage endCursor } "
    "edges { node { id code name kind parent { code } } } } }"
)
PORTAL_UNIT = (
    "query PortalUnit($code: String!, $filter: PowerFilter, $after: String) { unit(code: $code) { id code name kind "
    "parent { code name } children { code name kind } powers(first: 20, after: $after, filter: $filter) { totalCount "
    "pageInfo { hasNextPage endCursor } edges { node { code name category exerciseMode unit { code name } } } } } }"
)
PORTAL_POWERS = (
    "query PortalPowers($filter: PowerFilter, $after: String) { powers(first: 20, after: $after, filter: $filter) { "
    "totalCount pageInfo { hasNextPage endCursor } edges { node { code name category exerciseMode unit { code name } } } } }"
)
PORTAL_POWER = (
    "query PortalPower($code: String!) { power(code: $code) { id code name category exerciseMode description "
    "unit { id code name } rules { disclosureScope disclosureForm disclosureTiming disclosureDeadline feeBasis "
    "feeStandard timeLimit } bases { ordinal note article { id label document { title level status docNumber } } } "
    "flowChart { title complaintChannel notes svg steps { ordinal name kind condition timeLimit supervision "
    "position { name } } } } }"
)
PORTAL_SEARCH = (
    "query PortalSearch($q: String!, $filter: LegalSearchFilter, $after: String) { searchLegalBasis(query: $q, "
    "filter: $filter, first: 10, after: $after) { totalCount matchedAllWords pageInfo { hasNextPage endCursor } "
    "edges { node { matchedWords snippet titleHighlight article { id label chapterPath } document { title level "
    "status } } } facets { levels { level count } statuses { status count } } understanding { citations { citation "
    "law label found } laws terms { word alternatives literal } dropped question } } }"
)
SEARCH_POWERS = (
    "query SearchPowers($q: String!) { searchPowers(query: $q, first: 10) { totalCount edges { node { score "
    "nameHighlight snippet power { id code name category unit { code name } } } } facets { categories { category "
    "count } units { unit { code name } count } } } }"
)
UNIT_ID = "query($code: String!) { unit(code: $code) { id } }"
COMPLAINTS = (
    "query($unit: ID!) { complaints(first: 20, filter: { unitId: $unit }) { totalCount edges { node { id subject "
    "status receivedOn } } } }"
)
SUPERVISION = (
    "query($unit: ID!) { overdueDisclosures(unitId: $unit) { finishedOn dueOn disclosedOn power { code } } "
    "operationAlarms(unitId: $unit) { running power { code } step { note } } }"
)
PROGRESS = (
    "query($units: [ID!]) { unitProgress(unitIds: $units) { unit { code name } total done stage withChart "
    "byStatus { status count } byCategory { category count } } }"
)


@dataclass(frozen=True)
class Query:
    key: str
    title: str
    document: str
    variables: dict[str, object]
    token: str | None  # "admin", "staff" (UNIT_STAFF of DEPARTMENT), or None (the public)
    cold: bool = False  # asked of the servers that keep no search facets (QINGQUAN_SEARCH_FACET_CACHE=0)


def queries(unit_id: str) -> list[Query]:
    """The portal's (no token) and the staff console's (a token), about the demo's own units and powers."""
    dept = {"unitId": unit_id}
    return [
        Query("units", "portal: units, a page of 100", PORTAL_UNITS, {"after": None}, None),
        Query(
            "unit", "portal: a unit's page (its subtree's powers)", PORTAL_UNIT, {"code": DEPARTMENT}, None
        ),
        Query("unit_filter", "portal: powers filtered to a unit", PORTAL_POWERS, {"filter": dept}, None),
        Query("power", "portal: a power's detail", PORTAL_POWER, {"code": POWER}, None),
        Query(
            "category",
            "portal: a category's page",
            PORTAL_POWERS,
            {"filter": {"category": "LICENSING"}},
            None,
        ),
        Query("search_powers", "portal: searchPowers", SEARCH_POWERS, {"q": "许可"}, None),
        Query(
            "search_powers_cold",
            "portal: searchPowers, facets counted each time",
            SEARCH_POWERS,
            {"q": "许可"},
            None,
            cold=True,
        ),
        Query("search_basis", "portal: searchLegalBasis", PORTAL_SEARCH, {"q": "土地 征收 补偿"}, None),
        Query("admin_page", "console: the ADMIN powers page (20, nested)", PAGE, {"first": 20}, "admin"),
        Query("admin_unit", "console: a unit's powers, ADMIN", PORTAL_POWERS, {"filter": dept}, "admin"),
        Query(
            "staff_unit",
            "console: its own unit's powers, UNIT_STAFF",
            PORTAL_POWERS,
            {"filter": dept},
            "staff",
        ),
        Query("complaints", "console: a unit's complaints", COMPLAINTS, {"unit": unit_id}, "admin"),
        Query(
            "supervision",
            "console: a unit's overdue disclosures and alarms",
            SUPERVISION,
            {"unit": unit_id},
            "admin",
        ),
        Query("progress", "console: unitProgress of a unit", PROGRESS, {"units": [unit_id]}, "admin"),
        Query("search_admin", "console: searchPowers, ADMIN", SEARCH_POWERS, {"q": "许可"}, "admin"),
        Query(
            "search_admin_cold",
            "console: searchPowers, ADMIN, facets counted each time",
            SEARCH_POWERS,
            {"q": "许可"},
            "admin",
            cold=True,
        ),
    ]


# -- the servers ----------------------------------------------------------------------------------


@dataclass
class Side:
    name: str
    url: str
    port: int
    tokens: dict[str, str]
    pid: int = 0
    _conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes, token: str | None) -> bytes:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {self.tokens[token]}"
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self._conn.request("POST", "/graphql", body, headers)
                response = self._conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self._conn = None
                if attempt == 2:
                    raise
        if response.status != 200 or b'"errors"' in data:
            raise SystemExit(f"{self.name}: {response.status} {data[:400]!r}")
        return data


def token(env: dict[str, str], *args: str) -> str:
    return (
        run(qingquan("token", "create", "--name", "province-bench", *args), env, "qingquan token create")
        .strip()
        .splitlines()[-1]
    )


@dataclass
class Cell:
    query: Query
    requests: int = 0
    cpu_ms: dict[str, list[float]] = field(default_factory=lambda: {"county": [], "province": []})

    def median(self, side: str) -> float:
        return statistics.median(self.cpu_ms[side])

    @property
    def ratios(self) -> list[float]:
        return [p / c for c, p in zip(self.cpu_ms["county"], self.cpu_ms["province"], strict=True) if c]


def cpu_per_request(side: Side, body: bytes, token: str | None, n: int) -> float:
    wait_idle([side.pid], timeout=10)
    before = tree_cpu_seconds(side.pid)
    for _ in range(n):
        side.post(body, token)
    return (tree_cpu_seconds(side.pid) - before) * 1000 / n


def measure(servers: dict[bool, list[Side]], cells: list[Cell], rounds: int, seconds: float) -> None:
    """`servers[cold]`: the county and the province keeping search facets (False) or not (True)."""
    for cell in cells:  # warm up both, and size the cell: `seconds` of the county's wall time
        sides = servers[cell.query.cold]
        county = sides[0]
        body = json.dumps({"query": cell.query.document, "variables": cell.query.variables}).encode()
        for side in sides:
            for _ in range(5):
                side.post(body, cell.query.token)
        started = time.perf_counter()
        for _ in range(5):
            county.post(body, cell.query.token)
        each = (time.perf_counter() - started) / 5
        cell.requests = max(5, min(2000, round(seconds / each)))
    for r in range(rounds):
        for i, cell in enumerate(cells):
            body = json.dumps({"query": cell.query.document, "variables": cell.query.variables}).encode()
            sides = servers[cell.query.cold]
            order = sides if (r + i) % 2 == 0 else sides[::-1]
            for side in order:
                cell.cpu_ms[side.name].append(cpu_per_request(side, body, cell.query.token, cell.requests))
            ratios = cell.ratios
            print(
                f"round {r + 1}, {cell.query.key:13} × {cell.requests:4}: county {cell.cpu_ms['county'][-1]:6.2f} ms, "
                f"province {cell.cpu_ms['province'][-1]:6.2f} ms, ratio {ratios[-1]:.2f}",
                flush=True,
            )


def check(servers: dict[bool, list[Side]], qs: list[Query]) -> list[str]:
    """Every query answers on both; which answers are the same JSON (the county's rows come first)."""
    lines = []
    for q in qs:
        body = json.dumps({"query": q.document, "variables": q.variables}).encode()
        county, province = (json.loads(s.post(body, q.token)) for s in servers[q.cold])
        same = "same answer" if county == province else "answers differ (totals, facets or ranking)"
        lines.append(f"{q.key}: {len(json.dumps(county)):,} bytes on the county, {same}")
    return lines


def table(cells: list[Cell]) -> list[str]:
    lines = [
        "| query | county CPU ms/request | province CPU ms/request | province ÷ county | per-round ratios: median (range) "
        "| requests/cell |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for cell in cells:
        c, p, ratios = cell.median("county"), cell.median("province"), cell.ratios
        paired = statistics.median(ratios)
        mark = "" if p / c <= 1.2 else " ✗"
        lines.append(
            f"| {cell.query.title} | {c:.2f} | {p:.2f} | **{p / c:.2f}**{mark} | {paired:.2f} ({min(ratios):.2f}–{max(ratios):.2f}) "
            f"| {cell.requests} |"
        )
    return lines


def serve(stack: ExitStack, env: dict[str, str], log: str) -> tuple[int, int]:
    """`qingquan serve --workers 1` on `env`'s database until `stack` closes: its port and pid."""
    port = free_port()
    path = WORKDIR / env["QINGQUAN_DATABASE_URL"].rsplit("/", 1)[1] / log
    command = qingquan("serve", "--port", str(port), "--workers", "1")
    proc = stack.enter_context(server(command, env, path, f"http://127.0.0.1:{port}/healthz"))
    return port, proc.pid


def bench(args: argparse.Namespace) -> None:
    sides = []
    cold_sides = []  # the same databases and index, facets counted on every search
    wanted = [q for q in queries("") if not args.only or q.key in args.only]
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    with ExitStack() as stack:
        for name, url in (("county", args.county_url), ("province", args.province_url)):
            env = environment(url)
            reindex(url, env, force=False)
            tokens = {
                "admin": token(env, "--role", "ADMIN"),
                "staff": token(env, "--role", "UNIT_STAFF", "--unit", DEPARTMENT),
            }
            port, pid = serve(stack, env, "serve.log")
            sides.append(Side(name, url, port, tokens, pid))
            if any(q.cold for q in wanted):
                # reads the index the first server writes (one writer per index: no indexer of its own)
                cold_env = {**env, "QINGQUAN_SEARCH_FACET_CACHE": "0", "QINGQUAN_SEARCH_INDEXER": "0"}
                port, pid = serve(stack, cold_env, "serve-cold.log")
                cold_sides.append(Side(name, url, port, tokens, pid))
        for side in sides:
            wait_feed_applied(side.url)
        unit_id = json.loads(
            sides[0].post(json.dumps({"query": UNIT_ID, "variables": {"code": DEPARTMENT}}).encode(), None)
        )
        qs = [q for q in queries(unit_id["data"]["unit"]["id"]) if not args.only or q.key in args.only]
        servers = {False: sides, True: cold_sides}
        for line in check(servers, qs):
            print(f"check: {line}")
        cells = [Cell(q) for q in qs]
        measure(servers, cells, args.rounds, args.seconds)
    counts = {
        side.name: {
            t: pg_value(side.url, f'SELECT count(*) FROM "{t}"') for t in ("unit", "power", "flow_step")
        }
        for side in sides
    }
    pg_version = str(pg_value(args.county_url, "SHOW server_version")).split(" ")[0]
    sizes = "; ".join(
        f"{name}: " + ", ".join(f"{n:,} {t}" for t, n in c.items()) for name, c in counts.items()
    )
    header = textwrap.fill(
        f"Date: {date.today().isoformat()}. Commit: {git_commit()}. Machine: {os.cpu_count()} cores ({platform.machine()}),"
        f" Python {platform.python_version()}, PostgreSQL {pg_version} (local); load average {load_before:.1f} before"
        f" the run and {os.getloadavg()[0]:.1f} after. Data: {sizes}. Each server `qingquan serve --workers 1`,"
        " response cache off; CPU time of the server process per request (the database's own CPU not counted),"
        f" the median of {args.rounds} interleaved rounds, each cell {args.seconds:g} s of the county's wall time"
        f" (the same number of requests on both sides); {time.monotonic() - started:.0f} s in all.",
        width=110,
    )
    shown = ["…" if i > 0 and sys.argv[i - 1] == "--note" else a for i, a in enumerate(sys.argv) if i > 0]
    command = f"    .venv/bin/python bench/province.py {shlex.join(shown)}".rstrip()
    text = "\n".join([header, "", command, "", *table(cells)])
    if args.note:
        text += "\n\n" + textwrap.fill(args.note, width=110)
    print()
    print(text)
    if not args.no_write:
        write_results(args.label, text, SECTION)
        print(f"\nwritten to bench/RESULTS.md under ### {args.label}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=("build", "bench", "all"))
    parser.add_argument("--county-url", default=f"{PG}/qq_county")
    parser.add_argument("--province-url", default=f"{PG}/qq_province")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument(
        "--seconds", type=float, default=1.5, help="a cell's length on the county (default 1.5 s)"
    )
    parser.add_argument("--only", nargs="*", default=None, help="only these queries (keys: units, unit, …)")
    parser.add_argument(
        "--label", default="latest", help="subsection of RESULTS.md to write (replaced if present)"
    )
    parser.add_argument("--note", default="", help="a paragraph under the table")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    if args.what in ("build", "all"):
        build(args.county_url, args.province_url)
    if args.what in ("bench", "all"):
        bench(args)


if __name__ == "__main__":
    main()
